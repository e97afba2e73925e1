"""Load: wrk against ``carrefour serve`` (gunicorn, production settings) with the hub's request mix.

    python -m bench.reliability.load            # 40,000 initiatives, 64 connections, 2 runs of 60 s

Figures per run: requests/s, p50/p95/p99 latency, 5xx and socket errors (target
zero), responses outside 2xx/3xx (target zero: every request of the mix is a good
one), and the resident memory of all the server's processes after each run (target:
the second run adds less than 10 % to what the first left).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.reliability import wrk
from bench.reliability.common import Outcome, add_warm_up, hub_from, parser, warm_up_seconds
from bench.reliability.hub import SuiteHub
from bench.reliability.mix import check_mix, load_mix
from bench.reliability.server import Served, serve, server_errors_logged

MEMORY_GROWTH_LIMIT = 0.10


@dataclass
class LoadRun:
    result: wrk.WrkResult
    rss_mib: float


@dataclass
class LoadFigures:
    runs: list[LoadRun] = field(default_factory=list)
    bad_requests: dict[str, int] = field(default_factory=dict)  # requests of the mix that did not answer 2xx/3xx
    logged_errors: list[str] = field(default_factory=list)
    workers: int = 0
    warm_up: wrk.WrkResult | None = None

    @property
    def growth(self) -> float:
        """Memory the last run added, as a share of what the first left."""
        first, last = self.runs[0].rss_mib, self.runs[-1].rss_mib
        return (last - first) / first if first else 0.0


def run_load(served: Served, mix: list[wrk.Request], seconds: float, connections: int, runs: int) -> LoadFigures:
    figures = LoadFigures(bad_requests=check_mix(served.url, mix), workers=len(served.workers()))
    figures.warm_up = wrk.run(served.url, mix, warm_up_seconds(seconds), connections)
    for _ in range(runs):
        result = wrk.run(served.url, mix, seconds, connections)
        time.sleep(1)  # let the last answers leave before reading memory
        figures.runs.append(LoadRun(result, served.rss_mib()))
    figures.logged_errors = server_errors_logged(served)
    return figures


def measure(hub: SuiteHub, seconds: float, connections: int, runs: int = 2, **settings: str) -> LoadFigures:
    served = serve(hub, **settings)
    try:
        figures = run_load(served, load_mix(hub), seconds, connections, runs)
    finally:
        served.stop()
    figures.logged_errors = server_errors_logged(served)  # with the shutdown: every worker must exit cleanly
    return figures


def outcome(figures: LoadFigures, connections: int, seconds: float) -> Outcome:
    out = Outcome(
        f"Load: {connections} connections, {len(figures.runs)} runs of {seconds:g} s, "
        f"{figures.workers} gunicorn workers"
    )
    out.add(
        "mix requests answering 2xx/3xx",
        f"{len(figures.bad_requests)} bad {figures.bad_requests or ''}",
        "0 bad",
        not figures.bad_requests,
    )
    if figures.warm_up is not None:
        add_warm_up(out, figures.warm_up)
    for number, run in enumerate(figures.runs, 1):
        r = run.result
        out.add(f"run {number}: throughput", f"{r.rate:,.0f} req/s ({r.requests} requests)", "", True)
        out.add(
            f"run {number}: latency", f"p50 {r.p50_ms:.1f} ms, p95 {r.p95_ms:.1f} ms, p99 {r.p99_ms:.1f} ms", "", True
        )
        out.add(f"run {number}: 5xx", str(r.server_errors), "0", r.server_errors == 0)
        out.add(
            f"run {number}: socket errors",
            f"{r.socket_errors} (connect {r.connect}, read {r.read}, write {r.write}, timeout {r.timeout})",
            "0",
            r.socket_errors == 0,
        )
        out.add(f"run {number}: responses not 2xx/3xx", str(r.count(400, 600)), "0", r.count(400, 600) == 0)
        out.add(f"run {number}: server RSS after", f"{run.rss_mib:,.0f} MiB", "", True)
    out.add(
        "memory growth, last run vs first",
        f"{figures.growth * 100:+.1f} %",
        f"< {MEMORY_GROWTH_LIMIT * 100:.0f} %",
        figures.growth < MEMORY_GROWTH_LIMIT,
    )
    out.add_logged_errors(figures.logged_errors)
    return out


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=60)
    options.add_argument("--connections", type=int, default=64)
    options.add_argument("--runs", type=int, default=2)
    args = options.parse_args(argv)
    figures = measure(hub_from(args), args.seconds, args.connections, args.runs)
    result = outcome(figures, args.connections, args.seconds)
    result.print()
    return result


if __name__ == "__main__":
    main()
