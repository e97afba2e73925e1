"""The catalogue's filters over HTTP on a hub of N synthetic initiatives, beside a bare Flask app.

    python -m bench.catalogue --n 40000      # the hub is built once under var/bench/ (shared with bench.serving)
    python -m bench.catalogue --quick        # a smoke run on 2,000 initiatives

Twenty representative views of ``/search`` and ``/dispositifs`` (text, one to four
filters combined, territories with containment, sorts, a far page), each asked
``--requests`` times in a row on one connection, in HTML and in JSON, to ``carrefour
serve`` (gunicorn, 1 worker x 4 threads, as bench.serving runs it) and to the bare
Flask app of bench/bare_app.py under the same server settings, in the same run.  The
target: every view answers within 50 ms at p95.  The catalogue index loads once per
version and worker (a warm-up request); the first request of each view is shown apart:
a worker keeps the matches of the last texts searched, which later requests reuse.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import requests

from bench.published_hub import ensure_hub, hub_folder, serve_bare, serve_hub
from carrefour.artifacts.catalogue import CATALOGUE_FILE, write_catalogue
from carrefour.vocab import Hub

TARGET_MS = 50.0
VIEWS = (
    "search",
    "search?theme=health",
    "search?theme=health&territory=region/53",
    "search?kind=initiative&status=launched&territory=departement/29",
    "search?q=tiers-lieu",
    "search?q=tiers+lieux+bretagne",
    "search?q=atelier+numérique&theme=digital-inclusion",
    "search?audience=young-people&method=training&territory=region/11",
    "search?actor-type=fab-lab&legal-form=association",
    "search?partner=partner-03&theme=employment&sort=name",
    "search?territory=region/84&sort=modified",
    "search?q=coopérative&sort=name&page=3",
    "search?q=épicerie+solidaire+lyon",
    "search?theme=housing&theme=mobility&audience=older-people",
    "search?q=ressourcerie&territory=departement/13",
    "search?near=48.11,-1.68&sort=distance&theme=culture",
    "search?q=café+associatif+75&kind=initiative",
    "search?status=scaling&method=incubation&territory=region/76&q=emplois",
    "dispositifs?support=financing&territory=departement/35",
    "dispositifs?audience=project-leaders&stage=scaling",
)


def _ensure_catalogue(folder: Path, n: int) -> float:
    """Build the hub when missing, and its catalogue index when it was built before the catalogue; seconds."""
    store, _ = ensure_hub(folder, n)
    try:
        snapshot = store.snapshot()
        target = snapshot.info.artifacts / CATALOGUE_FILE if snapshot.info.artifacts else None
        if target is None or target.exists():
            return 0.0
        clock = time.perf_counter()
        write_catalogue(snapshot, Hub(snapshot.info.base_url), target)
        return time.perf_counter() - clock
    finally:
        store.close()


def _latencies(base: str, view: str, form: str, count: int) -> tuple[float, list[float]]:
    """Milliseconds of the first request of a view, then of ``count`` more in a row, on one connection."""
    url = base + view + ("&" if "?" in view else "?") + f"format={form}"
    found = []
    with requests.Session() as session:
        clock = time.perf_counter()
        session.get(url, timeout=60).raise_for_status()
        first = (time.perf_counter() - clock) * 1000
        for _ in range(count):
            clock = time.perf_counter()
            answer = session.get(url, timeout=60)
            found.append((time.perf_counter() - clock) * 1000)
            answer.raise_for_status()
    return first, found


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--quick", action="store_true", help="2,000 initiatives, 10 requests a view")
    parser.add_argument("--requests", type=int, default=40, help="per view and format")
    args = parser.parse_args()
    n, count = (2000, 10) if args.quick else (args.n, args.requests)
    folder = hub_folder(n)
    built = _ensure_catalogue(folder, n)
    if built:
        print(f"catalogue index written in {built:.1f} s")
    with serve_hub(folder, 1, 4, name="catalogue") as hub, serve_bare(folder, 1, 4) as bare:
        ceiling = [ms for view in VIEWS[:4] for ms in _latencies(bare.url, view, "json", count)[1]]
        print(f"bare Flask (same server settings): p50 {statistics.median(ceiling):.2f} ms, p95 {p95(ceiling):.2f} ms")
        _latencies(hub.url, "search?q=warm+up", "json", 1)  # the worker loads the catalogue index
        print(f"{'view':70} {'HTML 1st':>8} {'p50':>6} {'p95':>6} {'JSON 1st':>8} {'p50':>6} {'p95':>6}")
        worst, first = 0.0, 0.0
        for view in VIEWS:
            (html_first, html), (json_first, json_) = (_latencies(hub.url, view, f, count) for f in ("html", "json"))
            worst, first = max(worst, p95(html), p95(json_)), max(first, html_first)
            print(f"{view:70} {html_first:8.1f} {statistics.median(html):6.1f} {p95(html):6.1f} "
                  f"{json_first:8.1f} {statistics.median(json_):6.1f} {p95(json_):6.1f}")  # fmt: skip
        verdict = "met" if worst <= TARGET_MS else "not met"
        print(f"{n:,} initiatives: the slowest view's p95 is {worst:.1f} ms (target {TARGET_MS:.0f} ms: {verdict}); "
              f"bare Flask p95 {p95(ceiling):.2f} ms; the slowest first request of a view (its text not searched "
              f"before) {first:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
