"""Expensive queries beside the load: each is cut, capped or complete, and the cheap requests all succeed."""

from __future__ import annotations

from bench.reliability.expensive import EXPENSIVE, run_expensive, send_expensive
from bench.reliability.server import Served
from bench.reliability.wrk import Request


def test_each_expensive_query_alone_ends_within_the_limits(served: Served) -> None:
    for number, (name, query) in enumerate(sorted(EXPENSIVE.items())):
        answer = send_expensive(served.url, name, query, number, timeout=30)
        assert answer.outcome != "bad", (name, answer)
        if answer.outcome == "cut":  # by the time limit, or the query process's memory limit
            assert any(word in answer.message for word in ("3 s", "busy", "MiB of memory")), answer.message


def test_expensive_queries_under_load_never_fail_the_cheap_requests(
    served: Served, mix: list[Request], wrk_installed: None
) -> None:
    figures = run_expensive(served, mix, seconds=8, connections=32, clients=3, timeout=3.0)
    print(
        f"\ncheap p95 with/without expensive queries: {figures.ratio:.2f}x "
        f"({figures.during.p95_ms:.1f} ms vs {figures.baseline_p95:.1f} ms), {len(figures.answers)} expensive"
    )
    assert not figures.bad_requests, figures.bad_requests
    assert figures.answers, "no expensive query was sent"
    assert not figures.not_cut, figures.not_cut
    assert {a.outcome for a in figures.answers} <= {"cut", "capped", "complete"}
    for run in (figures.before, figures.during, figures.after):
        assert run.failed == 0, run.statuses
    assert not figures.logged_errors, figures.logged_errors
