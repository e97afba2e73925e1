"""Dump builder benchmark: every file of carrefour/artifacts/dumps.py, in-process.

    python -m bench.dumps --n 40000

Times the dumps builder beside the engine's own uncompressed N-Quads dump of the
same store, in the same run, and samples the process's memory while it writes.
Downloads over HTTP are part of the serving benchmark (``python -m bench.serving``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.published_hub import ensure_hub, hub_folder, peak_rss
from bench.wrk import MIB
from carrefour.artifacts.dumps import write_dumps
from carrefour.vocab import Hub


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--folder", type=Path, help="where the hub is built (default var/bench/hub-N)")
    args = parser.parse_args()
    in_process(args.folder or hub_folder(args.n), args.n, args.partners)


if __name__ == "__main__":
    main()
