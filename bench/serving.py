"""The serving benchmark: the published hub over HTTP, beside the web layer's ceiling and the store.

    python -m bench.serving --n 40000        # about six and a half minutes on a busy machine, once the hub is built
    python -m bench.serving --quick          # a smoke run on 2,000 initiatives

It builds (once, then reuses) a hub of ``--n`` synthetic initiatives, serves it with
``carrefour serve`` (gunicorn, ``--workers`` x ``--threads``) and, beside it, the
bare Flask app of ``bench/bare_app.py`` under the same server settings.  ``wrk``, a
second process with a bounded number of connections, loads them over 127.0.0.1:

- dereferences of random resources (70 % initiatives, 30 % actors) in Turtle,
  JSON-LD and HTML: requests per second, median and p95 latency, beside the bare
  app's rate (the web layer's ceiling) and the same descriptions made in-process;
- the partner query mix on ``/sparql``, one connection, cold (every text new) and
  repeated (answered from the per-version cache), beside the same queries in-process
  and the bare app's latency;
- downloads of the largest dump, beside reading the same file from the disk
  (``O_DIRECT``, past the page cache), with the server's memory before, during and after.

Rates are medians over ``--reps`` repetitions, the servers measured in turn within
each repetition so that the machine's other load falls on all of them alike.  The
load of the machine (``uptime``) and its busiest processes are printed before and
after.  Targets: Turtle and JSON-LD dereferences at least 50 % of the
ceiling; cold partner queries at most 1.5x in-process + 2 ms; the repeated mix
faster than Virtuoso's 290 ms; dumps streamed at disk speed with flat memory.
"""

from __future__ import annotations

import argparse
import mmap
import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests

from bench import sparql, wrk
from bench.published_hub import BASE, Server, ensure_hub, hub_folder, peak_rss, rss_mib, sample, serve_bare, serve_hub
from bench.raw_file_server import RawFileServer
from bench.resources import per_second, renderers
from bench.wrk import MIB
from carrefour.artifacts.dumps import dumps_folder, read_manifest
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from server import create_app

DEREFERENCE_SHARE = 0.5  # of the bare-Flask ceiling
COLD_FACTOR, COLD_EXTRA_MS = 1.5, 2.0
DISK_SHARE = 0.8  # "at disk speed": at least this share of the slower of the disk and the transport
FLAT_MIB = 16.0  # "flat memory": the server grows by less than this while serving dumps
FORMATS = {"Turtle": "text/turtle", "JSON-LD": "application/ld+json", "HTML": "text/html"}
PARTS = ("dereferences", "queries", "dumps")


@dataclass
class Settings:
    n: int
    reps: int
    seconds: int  # per dereference run
    longest_query_seconds: int
    resources: int
    connections: int
    workers: int
    threads: int


@dataclass
class Servers:
    bare: Server  # the web layer's ceiling
    cold: Server  # the hub making every page for its request
    kept: Server  # the hub with its per-version page cache (the default settings)


@dataclass
class Verdicts:
    lines: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, what: str, met: bool) -> str:
        self.lines.append((what, met))
        return "yes" if met else "NO"


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    """Every process's command and CPU time so far (clock ticks)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().split("(", 1)[1].rsplit(")", 1)
            command = " ".join((stat.parent / "cmdline").read_bytes().decode(errors="replace").split("\0"))
        except OSError:  # the process ended meanwhile
            continue
        ticks = fields.split()
        found[int(stat.parent.name)] = (" ".join(command.split())[:70] or name, int(ticks[11]) + int(ticks[12]))
    return found


def machine_state(label: str) -> None:
    """The load of the machine and what used its CPU during one second: what else ran beside the benchmark."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    before = _cpu_ticks()
    time.sleep(1)
    after = _cpu_ticks()
    hertz = os.sysconf("SC_CLK_TCK")
    usage = sorted(((ticks - before[pid][1]) * 100 / hertz, command) for pid, (command, ticks) in after.items()
                   if pid in before and ticks > before[pid][1])  # fmt: skip
    busiest = "; ".join(f"{share:.0f}% {command}" for share, command in reversed(usage[-4:])) or "nothing"
    print(f"machine {label}: {uptime}; {os.cpu_count()} cores; CPU used over one second by: {busiest}")


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- dereferences ------------------------------------------------------------------------


def warm(server: Server, paths: list[str], accept: str) -> None:
    """Request every path once (four at a time): each page is then kept by the server's one worker."""
    with requests.Session() as session, ThreadPoolExecutor(4) as pool:
        for status in pool.map(lambda path: session.get(server.url + path[1:], headers={"Accept": accept},
                                                        timeout=60).status_code, paths):  # fmt: skip
            assert status == 200, status


def dereferences(settings: Settings, servers: Servers, iris: list[ox.NamedNode], in_process: dict[str, float],
                 verdicts: Verdicts) -> None:  # fmt: skip
    paths = [iri.value[len(BASE) - 1 :] for iri in iris]
    kept = paths[: len(paths) // 2]  # the pages of all three formats fit in the default cache
    targets: dict[str, tuple[Server, wrk.Requests, str | None]] = {
        "bare Flask": (servers.bare, wrk.get_paths(paths, "text/turtle"), None)
    }
    for name, accept in FORMATS.items():
        targets[f"{name} cold"] = (servers.cold, wrk.get_paths(paths, accept), 'headers["X-Cache"] == "miss"')
        targets[f"{name} kept"] = (servers.kept, wrk.get_paths(kept, accept), 'headers["X-Cache"] == "hit"')
        warm(servers.kept, kept, accept)
    for server, requests_, _ in targets.values():  # every memory warm, the store's blocks read once
        wrk.run(server.url, requests_, 2, settings.connections)
    runs: dict[str, list[wrk.Load]] = {name: [] for name in targets}
    for _ in range(settings.reps):
        for name, (server, requests_, check) in targets.items():
            runs[name].append(wrk.run(server.url, requests_, settings.seconds, settings.connections, check))
    ceiling = median([load.rate for load in runs["bare Flask"]])
    print(f"\nDereferences: {len(paths)} random resources; wrk 1 thread x {settings.connections} connections, "
          f"{settings.seconds} s x {settings.reps} repetitions; medians.  cold: every page made for its request "
          f"(PAGE_CACHE_MB=0); kept: {len(kept)} of them, every page already in the per-version page cache "
          f"(default PAGE_CACHE_MB)")  # fmt: skip
    print(f"{'':<14} {'req/s':>8} {'median':>8} {'p95':>8} {'ceiling':>8} {'ratio':>6} {'≥ 0.5':>6} {'in-proc/s':>10}")
    for name, loads in runs.items():
        rate = median([load.rate for load in loads])
        latency = f"{median([x.median_ms for x in loads]):>6.2f}ms {median([x.p95_ms for x in loads]):>6.2f}ms"
        if name == "bare Flask":
            print(f"{name:<14} {rate:>8,.0f} {latency} {'':>8} {'':>6} {'':>6} {'':>10}")
            continue
        ratio = rate / ceiling
        kind = name.split()[0]
        met = "—"
        if kind != "HTML":
            met = verdicts.add(f"{name} dereferences ≥ {DEREFERENCE_SHARE:.0%} of the bare-Flask ceiling "
                               f"({ratio:.2f}x)", ratio >= DEREFERENCE_SHARE)  # fmt: skip
        made = f"{in_process[kind]:>10,.0f}" if name.endswith("cold") else f"{'':>10}"
        print(f"{name:<14} {rate:>8,.0f} {latency} {ceiling:>8,.0f} {ratio:>5.2f}x {met:>6} {made}")


def in_process_rates(settings: Settings, store: EmbeddedStore, iris: list[ox.NamedNode]) -> dict[str, float]:
    """Descriptions and their representations per second in this process, one thread (median of repetitions)."""
    app = create_app({"STORE": str(hub_folder(settings.n)), "BASE_URL": BASE}, store=store)
    work = renderers(app)
    return {name: median([per_second(work[name], iris)[0] for _ in range(settings.reps)]) for name in FORMATS}


# -- partner queries ---------------------------------------------------------------------


def partner_queries(settings: Settings, hub_server: Server, bare: Server, store: EmbeddedStore,
                    verdicts: Verdicts) -> None:  # fmt: skip
    hub = Hub(BASE)
    snapshot = store.snapshot()
    initiative = snapshot.select(f"SELECT ?i WHERE {{ ?i a <{hub.ns}Initiative> }} ORDER BY ?i LIMIT 1")[0]["i"].value
    engine = ox.Store.read_only(str(snapshot.store_path))
    mix = sparql.partner_mix(hub, initiative)
    floor = [wrk.run(bare.url, wrk.post_form("/sparql", "query=ASK%7B%7D", "*/*"), 2) for _ in range(settings.reps)]
    local: dict[str, list[sparql.InProcess]] = {name: [] for name in mix}
    cold: dict[str, list[wrk.Load]] = {name: [] for name in mix}
    repeated: dict[str, list[wrk.Load]] = {name: [] for name in mix}
    for _ in range(settings.reps):  # each query in-process, then over HTTP: the machine's load falls on both alike
        for name, query in mix.items():
            local[name].append(sparql.in_process(engine, query, hub.prefixes(), seconds=1.0))
            seconds = sparql.http_seconds(local[name][0].median_ms, settings.longest_query_seconds)
            cold[name].append(sparql.over_http(hub_server.url, query, seconds, cold=True))
            repeated[name].append(sparql.over_http(hub_server.url, query, 1, cold=False))
    print(f"\nPartner queries on /sparql: one connection; {settings.reps} repetitions; medians (ms)")
    print(f"bare Flask handler, same server: median {median([x.median_ms for x in floor]):.2f} ms, "
          f"p95 {median([x.p95_ms for x in floor]):.2f} ms")  # fmt: skip
    print(f"{'query':<30} {'rows':>5} {'in-process':>13} {'cold':>13} {'target':>7} {'ok':>3} {'repeated':>13}")
    print(f"{'':<30} {'':>5} {'median   p95':>13} {'median   p95':>13} {'':>7} {'':>3} {'median   p95':>13}")
    totals = {"local": 0.0, "cold": 0.0, "repeated": 0.0}
    for name in mix:
        here = sparql.InProcess(median([x.median_ms for x in local[name]]), median([x.p95_ms for x in local[name]]),
                                local[name][0].rows, sum(x.runs for x in local[name]))  # fmt: skip
        cold_median, cold_p95 = median([x.median_ms for x in cold[name]]), median([x.p95_ms for x in cold[name]])
        again, again_p95 = median([x.median_ms for x in repeated[name]]), median([x.p95_ms for x in repeated[name]])
        target = COLD_FACTOR * here.median_ms + COLD_EXTRA_MS
        met = verdicts.add(f"cold '{name}' ≤ {COLD_FACTOR}x in-process + {COLD_EXTRA_MS:g} ms "
                           f"({cold_median:.2f} ≤ {target:.2f} ms)", cold_median <= target)  # fmt: skip
        totals["local"] += here.median_ms
        totals["cold"] += cold_median
        totals["repeated"] += again
        print(f"{name:<30} {here.rows:>5} {here.median_ms:>6.2f} {here.p95_ms:>6.2f} {cold_median:>6.2f} "
              f"{cold_p95:>6.2f} {target:>7.2f} {met:>3} {again:>6.2f} {again_p95:>6.2f}")  # fmt: skip
    virtuoso = sparql.VIRTUOSO_MIX_MS
    met = verdicts.add(f"repeated mix faster than Virtuoso's {virtuoso:g} ms ({totals['repeated']:.1f} ms)",
                       totals["repeated"] < virtuoso)  # fmt: skip
    mix_target = COLD_FACTOR * totals["local"] + COLD_EXTRA_MS * len(mix)
    print(f"{'mix (sum of medians)':<30} {'':>5} {totals['local']:>6.1f} {'':>6} {totals['cold']:>6.1f} {'':>6} "
          f"{mix_target:>7.1f} {'':>3} {totals['repeated']:>6.1f}")  # fmt: skip
    print(f"repeated mix {totals['repeated']:.1f} ms vs Virtuoso's {sparql.VIRTUOSO_MIX_MS:g} ms: {met}; "
          f"cold mix / in-process {totals['cold'] / totals['local']:.2f}x")  # fmt: skip


# -- dumps -------------------------------------------------------------------------------


def disk_read_mib_per_second(path: Path) -> tuple[float, str]:
    """Read ``path`` past the page cache (``O_DIRECT``) when the file system allows it."""
    size = path.stat().st_size
    buffer = mmap.mmap(-1, 4 * MIB)  # page-aligned, as O_DIRECT needs
    try:
        handle, how = os.open(path, os.O_RDONLY | os.O_DIRECT), "disk, O_DIRECT"
    except OSError:
        handle, how = os.open(path, os.O_RDONLY), "page cache"
    try:
        started = time.perf_counter()
        while os.readv(handle, [buffer]):
            pass
        return size / MIB / (time.perf_counter() - started), how
    finally:
        os.close(handle)
        buffer.close()


def dump_downloads(settings: Settings, hub_server: Server, store: EmbeddedStore, verdicts: Verdicts) -> None:
    snapshot = store.snapshot()
    manifest, folder = read_manifest(snapshot), dumps_folder(snapshot)
    assert manifest is not None and folder is not None, "the hub was published without dumps"
    largest = max(manifest["files"], key=lambda entry: entry["size"])
    path = folder / largest["file"]
    download = wrk.Requests("", f'return wrk.format("GET", "/dumps/{largest["file"]}")')
    check = f'status == 200 and tonumber(headers["Content-Length"]) == {largest["size"]}'
    pid = hub_server.process.pid
    disk, raw, loads = [], [], []
    with RawFileServer(path) as transport, peak_rss(pid) as memory:
        for _ in range(settings.reps):
            disk.append(disk_read_mib_per_second(path))
            raw.append(wrk.run(transport.url, download, 3, check=check).mib_per_second)
            loads.append(wrk.run(hub_server.url, download, 3, check=check))
        before, peak = memory()
    after = rss_mib(pid)
    http, disk_speed, raw_speed = (median([x.mib_per_second for x in loads]), median([x for x, _ in disk]),
                                   median(raw))  # fmt: skip
    bound = min(disk_speed, raw_speed)
    served = sum(load.requests for load in loads)
    fast = verdicts.add(f"dump downloads at disk speed ({http:,.0f} MiB/s; disk {disk_speed:,.0f}, "
                        f"transport {raw_speed:,.0f})", http >= DISK_SHARE * bound)  # fmt: skip
    flat = verdicts.add(f"flat server memory while serving dumps (+{peak - before:.1f} MiB at peak)",
                        peak - before < FLAT_MIB)  # fmt: skip
    print(f"\nDump downloads: {largest['file']} ({largest['size'] / MIB:.1f} MiB), one connection, "
          f"3 s x {settings.reps} repetitions ({served} downloads); medians")  # fmt: skip
    print(f"hub /dumps/ {http:,.0f} MiB/s, {median([x.median_ms for x in loads]):.1f} ms per download (p95 "
          f"{median([x.p95_ms for x in loads]):.1f} ms)")  # fmt: skip
    print(f"reading the file ({disk[0][1]}) {disk_speed:,.0f} MiB/s; the same file by sendfile on a bare socket "
          f"(the transport's ceiling) {raw_speed:,.0f} MiB/s")  # fmt: skip
    print(f"hub / the slower of the two {http / bound:.2f}x; ≥ {DISK_SHARE}x: {fast}")
    print(f"server memory (gunicorn master, workers, query processes): {before:.0f} MiB before, {peak:.0f} MiB "
          f"peak, {after:.0f} MiB after (+{peak - before:.1f} MiB; flat, < {FLAT_MIB:g} MiB: {flat})")  # fmt: skip


# -- the command -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="synthetic initiatives")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 initiatives, short runs")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of every measure")
    parser.add_argument("--seconds", type=int, default=5, help="length of one dereference run")
    parser.add_argument("--resources", type=int, default=2000, help="random resources dereferenced")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections for dereferences")
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers, for the hub and the bare app (dereferences need 1: kept pages "
                        "are warmed in the one worker)")  # fmt: skip
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, for both")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"what to measure, among {','.join(PARTS)}")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    settings = Settings(args.n, args.reps, args.seconds, 4, args.resources, args.connections, args.workers,
                        args.threads)  # fmt: skip
    if args.quick:
        settings = Settings(2000, 2, 2, 2, 300, args.connections, args.workers, args.threads)
    started = time.perf_counter()
    machine_state("before")
    folder = hub_folder(settings.n)
    store, built = ensure_hub(folder, settings.n)
    if built:
        print(f"built the hub ({settings.n} initiatives) in {built:.1f} s -> {folder}")
    print(f"{settings.n} synthetic initiatives, {store.snapshot().count():,} quads; gunicorn {settings.workers} "
          f"worker(s) x {settings.threads} threads (gthread, access log), the hub and the bare app alike")  # fmt: skip
    iris = sample(store.snapshot(), Hub(BASE), settings.resources)
    verdicts = Verdicts()
    in_process = in_process_rates(settings, store, iris) if "dereferences" in parts else {}
    with ExitStack() as running:
        running.callback(store.close)
        workers, threads = settings.workers, settings.threads
        servers = Servers(
            bare=running.enter_context(serve_bare(folder, workers, threads)),
            cold=running.enter_context(serve_hub(folder, workers, threads, "cold", PAGE_CACHE_MB="0")),
            kept=running.enter_context(serve_hub(folder, workers, threads, "kept")),
        )
        if "dereferences" in parts:
            dereferences(settings, servers, iris, in_process, verdicts)
        if "queries" in parts:
            partner_queries(settings, servers.kept, servers.bare, store, verdicts)
        if "dumps" in parts:
            dump_downloads(settings, servers.kept, store, verdicts)
    print("\nTargets:")
    for what, met in verdicts.lines:
        print(f"  {'met    ' if met else 'NOT MET'}  {what}")
    machine_state("after")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
