"""Dump benchmark: the publication builder in-process, and downloads over HTTP.

    python bench/dumps.py --n 40000

In-process, it times the dumps builder (every file of carrefour/artifacts/dumps.py)
beside the engine's own uncompressed N-Quads dump of the same store, in the same run,
and samples the process's memory while it writes.  Over HTTP (``carrefour serve``, a
client in this process), it downloads the largest dump and compares the throughput
with reading the same file from disk, sampling the server's memory meanwhile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.published_hub import BASE, ensure_hub, rss_mib, serve, stop
from carrefour.artifacts.dumps import read_manifest, write_dumps
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub

MIB = 1024 * 1024


@contextmanager
def peak_rss(pid: int) -> Iterator[Callable[[], tuple[float, float]]]:
    """Sample a process tree's memory every 20 ms: yields a function giving (before, peak) in MiB."""
    before = rss_mib(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: (before, peak[0])
    finally:
        done.set()
        thread.join()


def in_process(folder: Path, n: int, partners: int) -> None:
    store, built = ensure_hub(folder, n, partners)
    if built:
        print(f"built the hub ({n} initiatives, {partners} partners) in {built:.1f} s (includes one publication)")
    snapshot = store.snapshot()
    quads = snapshot.count()
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        raw = Path(scratch) / "raw.nq"
        started = time.perf_counter()
        with open(raw, "wb") as out:
            snapshot.dump(out, ox.RdfFormat.N_QUADS)
        baseline = time.perf_counter() - started
        raw_size = raw.stat().st_size
        raw.unlink()
        with peak_rss(os.getpid()) as memory:
            started = time.perf_counter()
            manifest = write_dumps(snapshot, Hub(snapshot.info.base_url), Path(scratch) / "dumps")
            total = time.perf_counter() - started
            before, peak = memory()
    store.close()
    print(
        f"\n{quads} quads; the engine's own N-Quads dump (uncompressed, to disk): {baseline:.2f} s, "
        f"{raw_size / MIB:.1f} MiB"
    )
    whole = [e for e in manifest["files"] if e["graph"] is None]
    parts = [e for e in manifest["files"] if e["graph"] is not None]
    for entry in whole:
        print(f"  {entry['file']:<20} {entry['size'] / MIB:>7.1f} MiB gz  ({entry['triples']} quads)")
    for name in ("ttl", "nt"):
        chosen = [e for e in parts if e["format"] == name]
        print(f"  {len(chosen)} partner .{name}.gz {sum(e['size'] for e in chosen) / MIB:>7.1f} MiB gz")
    print(
        f"builder: {total:.2f} s for {len(manifest['files'])} files "
        f"= {total / baseline:.2f}x one uncompressed engine dump"
    )
    print(f"process memory while writing: {before:.0f} MiB before, {peak:.0f} MiB peak (+{peak - before:.0f} MiB)")


def over_http(folder: Path, runs: int) -> None:
    process, url = serve(folder, workers=2, threads=4)
    try:
        store = EmbeddedStore(folder / "store", BASE)
        manifest = read_manifest(store.snapshot())
        dumps_dir = store.snapshot().info.artifacts
        store.close()
        assert manifest is not None and dumps_dir is not None
        largest = max(manifest["files"], key=lambda e: e["size"])
        path = dumps_dir / "dumps" / largest["file"]
        disk, http = [], []
        for _ in range(runs):
            started = time.perf_counter()
            with open(path, "rb") as handle:
                while handle.read(MIB):
                    pass
            disk.append(largest["size"] / MIB / (time.perf_counter() - started))
        with peak_rss(process.pid) as memory:
            for _ in range(runs):
                started = time.perf_counter()
                received = 0
                with requests.get(url + "dumps/" + largest["file"], stream=True, timeout=120) as response:
                    for chunk in response.iter_content(MIB):
                        received += len(chunk)
                assert received == largest["size"]
                http.append(received / MIB / (time.perf_counter() - started))
            before, peak = memory()
    finally:
        stop(process)
    disk_speed, http_speed = statistics.median(disk), statistics.median(http)
    print(
        f"\ndownload of {largest['file']} ({largest['size'] / MIB:.1f} MiB), median of {runs}: "
        f"HTTP {http_speed:.0f} MiB/s, reading the file from disk (page cache) {disk_speed:.0f} MiB/s "
        f"-> {http_speed / disk_speed:.2f}x"
    )
    print(
        f"server memory (gunicorn, 2 workers): {before:.0f} MiB before, {peak:.0f} MiB peak while serving "
        f"(+{peak - before:.0f} MiB for a {largest['size'] / MIB:.0f} MiB file)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--folder", type=Path, help="where the hub is built (default var/bench/hub-N)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = args.folder or Path("var/bench") / f"hub-{args.n}"
    in_process(folder, args.n, args.partners)
    over_http(folder, args.runs)


if __name__ == "__main__":
    main()
