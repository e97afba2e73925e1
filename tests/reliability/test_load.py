"""Load: wrk with the hub's request mix, 64 connections, two short runs."""

from __future__ import annotations

import requests

from bench.reliability.hub import SuiteHub
from bench.reliability.load import run_load
from bench.reliability.server import Served, serve, server_errors_logged
from bench.reliability.wrk import Request


def test_the_mix_under_load_answers_every_request_and_memory_stays_flat(
    served: Served, mix: list[Request], wrk_installed: None
) -> None:
    figures = run_load(served, mix, seconds=6, connections=64, runs=2)
    assert not figures.bad_requests, figures.bad_requests
    for run in figures.runs:
        r = run.result
        print(f"\nload: {r.summary()}, RSS {run.rss_mib:.0f} MiB")
        assert r.requests > 0
        assert r.server_errors == 0 and r.socket_errors == 0 and r.count(400, 600) == 0, r.statuses
        assert r.count(200, 300) > 0
    assert figures.growth < 0.2, [run.rss_mib for run in figures.runs]
    assert not figures.logged_errors, figures.logged_errors


def test_workers_that_served_queries_exit_cleanly_when_the_server_stops(suite_hub: SuiteHub) -> None:
    server = serve(suite_hub, workers=2, threads=2)
    try:
        for _ in range(10):
            answer = requests.get(
                server.url + "/sparql",
                params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            )
            assert answer.status_code == 200, answer.text
            assert requests.get(server.url + "/", timeout=60).status_code == 200
    finally:
        server.stop()
    assert server.process.returncode == 0
    assert not server_errors_logged(server), server_errors_logged(server)
