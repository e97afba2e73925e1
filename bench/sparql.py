"""The partner query mix of the serving benchmark, in-process and over HTTP.

The six queries of ../shared/BASELINES.md section b (aggregates, a region and theme
lookup, a text filter, a one-resource CONSTRUCT, a date filter, counts per graph),
each timed three ways: in-process on the store (the query and the serialisation of
its answer, exactly what the endpoint's query process does), over HTTP cold (a
numbered comment makes every request a new text, so the per-version cache never
answers) and over HTTP repeated (the same text: the cache answers).
"""

from __future__ import annotations

import math
import statistics
import time
import urllib.parse
from dataclasses import dataclass

import pyoxigraph as ox
import requests as http

from bench import wrk
from carrefour.sparql.gate import GatePolicy, gate
from carrefour.store.base import PublicQuery
from carrefour.store.query_pool import execute_public_query
from carrefour.vocab import DCT, SCHEMA, XSD, Hub

VIRTUOSO_MIX_MS = 290.0  # ../shared/BASELINES.md, section b: sum of the six medians


def partner_mix(hub: Hub, initiative: str) -> dict[str, str]:
    cf = hub.ns
    brittany, health = hub.iri("territory", "region", "53"), hub.concept("theme", "health").value
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


def accept_for(query: str) -> str:
    graph = query.lstrip().upper().startswith(("CONSTRUCT", "DESCRIBE"))
    return "text/turtle" if graph else "application/sparql-results+json"


@dataclass(frozen=True)
class InProcess:
    median_ms: float
    p95_ms: float
    rows: int
    runs: int


def in_process(store: ox.Store, query: str, prefixes: dict[str, str], seconds: float, runs: int = 5) -> InProcess:
    """Time the query and its serialisation on ``store`` for at least ``runs`` runs and ``seconds``, after a warm-up."""
    gated = gate(query, GatePolicy.of("http://127.0.0.1/", (), prefixes))  # the engine's work is timed, not the gate's
    public = PublicQuery(gated, select_format="json", graph_format="ttl")
    execute_public_query(store, public, prefixes)
    samples: list[float] = []
    rows = 0
    started = time.perf_counter()
    while len(samples) < runs or time.perf_counter() - started < seconds:
        clock = time.perf_counter()
        rows = execute_public_query(store, public, prefixes).count
        samples.append((time.perf_counter() - clock) * 1000)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    return InProcess(statistics.median(samples), p95, rows, len(samples))


def http_seconds(in_process_ms: float, longest: float) -> int:
    """Long enough for a dozen answers, at least a second, at most ``longest``."""
    return int(min(longest, max(1, math.ceil(12 * in_process_ms / 1000))))


def over_http(url: str, query: str, seconds: float, cold: bool) -> wrk.Load:
    """One connection posting ``query`` for ``seconds``; every answer must be a 200, from the cache or not."""
    encoded = urllib.parse.quote(query)
    accept = accept_for(query)
    check = f'status == 200 and headers["X-Cache"] == "{"miss" if cold else "hit"}"'
    if cold:
        # A filter always true, ``FILTER (<run><number> > 0)``, last in the WHERE clause (its closing brace is the
        # query's last): a new query in every request of every run (the answer cache is keyed by the gate's
        # canonical text, without comments), planned as the query itself (Virtuoso scans for a filter put first).
        end = query.rindex("}")
        head = urllib.parse.quote(f"{query[:end]} FILTER ({time.time_ns() // 1000 % 10**9}")  # within 64 bits
        tail = urllib.parse.quote(f" > 0) {query[end:]}")
        load = wrk.run(url, wrk.post_form("/sparql", tail, accept, vary_with="query=" + head), seconds, check=check)
        time.sleep(min(2.0, 1.5 * load.median_ms / 1000))  # the query wrk left unanswered ends before what follows
        return load
    # the answer cached by the worker that takes this request, then by every other one wrk's connection reaches
    http.post(url + "sparql", data={"query": query}, headers={"Accept": accept}, timeout=120).raise_for_status()
    requests = wrk.post_form("/sparql", "query=" + encoded, accept)
    wrk.run(url, requests, 2, warm_up=True)
    return wrk.run(url, requests, seconds, check=check)
