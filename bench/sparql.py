"""SPARQL endpoint benchmark: a partner query mix over HTTP, cold and repeated, beside the same queries in-process.

    python bench/sparql.py --n 40000

``carrefour serve`` (one web worker, so that repeated queries meet their cached
answer) runs on a hub of N synthetic initiatives; this process is the client, one
query at a time.  Each query is timed: in-process on the store (the query and the
serialisation of its answer, exactly what the endpoint's query process does),
over HTTP cold (a comment makes each run a new text, so the cache never answers),
and over HTTP repeated (the same text: the cache answers).  A bare Flask handler
returning a constant body, served the same way, gives the web layer's floor.
Targets (issue 4): cold no more than 1.5x in-process + 2 ms; the repeated mix
faster than Virtuoso's 290 ms measured in ../shared/BASELINES.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.published_hub import BASE, ensure_hub, free_port, serve, stop
from carrefour.store.base import PublicQuery
from carrefour.store.query_pool import execute_public_query
from carrefour.vocab import DCT, SCHEMA, XSD, Hub

VIRTUOSO_MIX_MS = 290.0  # ../shared/BASELINES.md, section b: sum of the six medians


def partner_mix(hub: Hub, initiative: str) -> dict[str, str]:
    cf = hub.ns
    brittany, health = hub.iri("territory", "region", "53"), hub.iri("concept", "theme", "health")
    return {
        "count per theme": f"SELECT ?theme (COUNT(?i) AS ?n) WHERE {{ ?i a <{cf}Initiative> ; <{cf}theme> ?theme }} "
        "GROUP BY ?theme",
        "region + theme by name": f"SELECT ?i ?name WHERE {{ ?i a <{cf}Initiative> ; "
        f"<{cf}locatedIn> <{brittany}> ; <{cf}theme> <{health}> ; "
        f"<{SCHEMA}name> ?name }} ORDER BY ?name LIMIT 50",
        "name contains coop": f"SELECT ?i ?name WHERE {{ ?i a <{cf}Initiative> ; <{SCHEMA}name> ?name "
        'FILTER (CONTAINS(LCASE(?name), "coop")) } LIMIT 100',
        "construct initiative + actors": f"CONSTRUCT {{ ?i ?p ?o . ?a <{SCHEMA}name> ?an }} WHERE {{ "
        f"BIND(<{initiative}> AS ?i) ?i ?p ?o . OPTIONAL {{ ?i <{cf}carriedBy> ?a . ?a <{SCHEMA}name> ?an }} }}",
        "modified since": f"SELECT ?i ?m WHERE {{ ?i <{DCT}modified> ?m "
        f'FILTER (?m >= "2025-01-01T00:00:00Z"^^<{XSD}dateTime>) }}',
        "count per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    }


def is_graph_query(query: str) -> bool:
    return query.lstrip().upper().startswith("CONSTRUCT")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_in_process(store: ox.Store, query: str, runs: int, prefixes: dict[str, str]) -> tuple[float, int]:
    public = PublicQuery(query, timeout=60, cap=10000)
    execute_public_query(store, public, prefixes)  # warm the caches once
    samples, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = execute_public_query(store, public, prefixes).count
        samples.append(time.perf_counter() - started)
    return median_ms(samples), count


def time_http(url: str, query: str, runs: int, cold: bool) -> float:
    accept = "text/turtle" if is_graph_query(query) else "application/sparql-results+json"
    session = requests.Session()
    if not cold:
        session.post(url, data={"query": query}, headers={"Accept": accept}, timeout=120)  # fill the cache
    samples = []
    for run in range(runs):
        text = f"# cold run {run} {time.time_ns()}\n{query}" if cold else query
        started = time.perf_counter()
        response = session.post(url, data={"query": text}, headers={"Accept": accept}, timeout=120)
        response.content  # noqa: B018 - read the whole answer
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
        assert response.headers["X-Cache"] == ("miss" if cold else "hit")
    return median_ms(samples)


def bare_flask_ms(runs: int) -> float:
    """Median latency of a constant-body Flask handler under the same server (gunicorn, one worker)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "bench.bare_flask:app",
    ]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        session = requests.Session()
        deadline = time.monotonic() + 60
        while True:
            try:
                session.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            session.get(f"http://127.0.0.1:{port}/", timeout=5).content  # noqa: B018
            samples.append(time.perf_counter() - started)
        return median_ms(samples)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--folder", type=Path, help="where the hub is built (default var/bench/hub-N)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = args.folder or Path("var/bench") / f"hub-{args.n}"
    store, built = ensure_hub(folder, args.n, args.partners)
    if built:
        print(f"built the hub ({args.n} initiatives) in {built:.1f} s")
    snapshot = store.snapshot()
    hub = Hub(BASE)
    initiative = snapshot.select(f"SELECT ?i WHERE {{ ?i a <{hub.ns}Initiative> }} ORDER BY ?i LIMIT 1")[0]["i"].value
    engine = ox.Store.read_only(str(snapshot.store_path))
    store.close()
    mix = partner_mix(hub, initiative)
    floor = bare_flask_ms(args.runs * 10)
    process, url = serve(folder, workers=1, threads=4)
    try:
        endpoint = url + "sparql"
        requests.post(endpoint, data={"query": "ASK {}"}, timeout=120)  # start the query process
        print(f"\nbare Flask constant handler (gunicorn, same settings): {floor:.2f} ms median")
        print(f"{'query':<30} {'rows':>6} {'in-proc':>8} {'cold':>8} {'target':>8} {'ok':>3} {'repeat':>8}")
        totals = {"in-process": 0.0, "cold": 0.0, "repeated": 0.0}
        for name, query in mix.items():
            local, rows = time_in_process(engine, query, args.runs, hub.prefixes())
            cold = time_http(endpoint, query, args.runs, cold=True)
            repeated = time_http(endpoint, query, args.runs * 3, cold=False)
            target = 1.5 * local + 2
            totals["in-process"] += local
            totals["cold"] += cold
            totals["repeated"] += repeated
            print(
                f"{name:<30} {rows:>6} {local:>8.2f} {cold:>8.2f} {target:>8.2f} "
                f"{'yes' if cold <= target else 'NO':>3} {repeated:>8.2f}"
            )
    finally:
        stop(process)
    print(
        f"{'mix (sum of medians, ms)':<30} {'':>6} {totals['in-process']:>8.1f} {totals['cold']:>8.1f} "
        f"{1.5 * totals['in-process'] + 12:>8.1f} {'':>3} {totals['repeated']:>8.1f}"
    )
    print(
        f"repeated mix {totals['repeated']:.1f} ms vs Virtuoso's {VIRTUOSO_MIX_MS:.0f} ms "
        f"({VIRTUOSO_MIX_MS / totals['repeated']:.0f}x faster); "
        f"cold/in-process {totals['cold'] / totals['in-process']:.2f}x"
    )


if __name__ == "__main__":
    main()
