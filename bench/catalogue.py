"""The catalogue's filters over HTTP on a hub of N synthetic initiatives, beside a bare Flask app.

    python -m bench.catalogue --n 40000      # the hub is built once under var/bench/ (shared with bench.serving)
    python -m bench.catalogue --quick        # a smoke run on 2,000 initiatives

Twenty representative views of ``/search`` and ``/dispositifs`` (text, one to four
filters combined, territories with containment, sorts, a far page), each asked
``--requests`` times in a row on one connection, in HTML and in JSON, to ``carrefour
serve`` (gunicorn, 1 worker x 4 threads, as bench.serving runs it) and to the bare
Flask app of bench/bare_app.py under the same server settings, in the same run.  The
target: every view answers within 50 ms at p95.  The catalogue index loads once per
version and worker: the first request of each server is left out, as a warm-up.
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


def _latencies(base: str, view: str, form: str, count: int) -> list[float]:
    """Milliseconds of ``count`` requests in a row on one connection (after one warm-up request)."""
    url = base + view + ("&" if "?" in view else "?") + f"format={form}"
    found = []
    with requests.Session() as session:
        session.get(url, timeout=60).raise_for_status()
        for _ in range(count):
            clock = time.perf_counter()
            answer = session.get(url, timeout=60)
            found.append((time.perf_counter() - clock) * 1000)
            answer.raise_for_status()
    return found


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
        ceiling = [ms for view in VIEWS[:4] for ms in _latencies(bare.url, view, "json", count)]
        print(f"bare Flask (same server settings): p50 {statistics.median(ceiling):.2f} ms, p95 {p95(ceiling):.2f} ms")
        print(f"{'view':72} {'HTML p50':>9} {'p95':>7} {'JSON p50':>9} {'p95':>7}")
        worst = 0.0
        for view in VIEWS:
            html, json_ = _latencies(hub.url, view, "html", count), _latencies(hub.url, view, "json", count)
            worst = max(worst, p95(html), p95(json_))
            print(f"{view:72} {statistics.median(html):9.2f} {p95(html):7.2f} "
                  f"{statistics.median(json_):9.2f} {p95(json_):7.2f}")  # fmt: skip
        verdict = "met" if worst <= TARGET_MS else "not met"
        print(f"{n:,} initiatives: the slowest view's p95 is {worst:.1f} ms (target {TARGET_MS:.0f} ms: {verdict}); "
              f"bare Flask p95 {p95(ceiling):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
