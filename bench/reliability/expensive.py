"""Expensive queries under load: the cheap mix's latency with and without hostile SPARQL beside it.

    python -m bench.reliability.expensive       # 40,000 initiatives, 64 connections, 60 s per run

One server process serves three wrk runs of the cheap mix (``bench.reliability.mix``):
alone, then with clients sending the queries public endpoints die of (cartesian
products, deep property paths, huge ORDER BY, a regex over every literal, DESCRIBE
of everything), then alone again.  Every expensive query must end cut by the time
limit (503 with ``Retry-After`` and a message) or by the result cap (200 with
``X-SPARQL-Result-Capped: true``), unless it completes within the limit; the cheap requests' p95 with them must stay
within twice the p95 without them (the mean of the runs before and after, which
absorbs the drift of a shared machine).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from bench.reliability import wrk
from bench.reliability.common import Outcome, add_warm_up, hub_from, parser, warm_up_seconds
from bench.reliability.hub import SuiteHub
from bench.reliability.mix import check_mix, load_mix
from bench.reliability.server import Served, serve, server_errors_logged

P95_RATIO_LIMIT = 2.0
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXPENSIVE = {
    "cartesian product (count)": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "cartesian product (rows)": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "deep property path": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x (!<{RDF}nil>)+ ?y }}",
    "path of inverse steps": f"SELECT ?x ?y WHERE {{ ?x (^<{RDF}type>/<{RDF}type>)* ?y }}",
    "huge ORDER BY": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY DESC(STR(?o)) ?p ?s",
    "regex over every literal": 'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a|b|c|d)*z{3,}q", "i")) }',
    "DESCRIBE everything": "DESCRIBE ?s WHERE { ?s ?p ?o }",
    "CONSTRUCT everything": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
}


@dataclass
class ExpensiveAnswer:
    name: str
    status: int
    seconds: float
    capped: bool
    retry_after: str | None
    message: str

    @property
    def outcome(self) -> str:
        """cut (503 + Retry-After + a message), capped (200 flagged), complete (200, the whole answer), or bad."""
        if self.status == 503 and self.retry_after and len(self.message) > 10:
            return "cut"
        if self.status == 200:
            return "capped" if self.capped else "complete"
        return "bad"


def send_expensive(url: str, name: str, query: str, number: int, timeout: float) -> ExpensiveAnswer:
    text = f"{query}\n# {number}"  # a new text each time: the answer cache must not take the blow for the endpoint
    accept = "text/turtle" if query.startswith(("DESCRIBE", "CONSTRUCT")) else "application/sparql-results+json"
    started = time.perf_counter()
    try:
        answer = requests.post(url + "/sparql", data={"query": text}, headers={"Accept": accept}, timeout=timeout)
    except requests.RequestException as exc:
        return ExpensiveAnswer(name, 0, time.perf_counter() - started, False, None, f"{type(exc).__name__}: {exc}")
    message = answer.text[:200] if answer.status_code != 200 else ""
    return ExpensiveAnswer(
        name,
        answer.status_code,
        time.perf_counter() - started,
        answer.headers.get("X-SPARQL-Result-Capped") == "true",
        answer.headers.get("Retry-After"),
        message,
    )


class ExpensiveClients:
    """Clients sending the expensive queries in a loop, one at a time each, until stopped."""

    def __init__(self, url: str, clients: int, timeout: float) -> None:
        self.url = url
        self.answers: list[ExpensiveAnswer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._loop, args=(n, clients, timeout), daemon=True) for n in range(clients)
        ]

    def _loop(self, client: int, clients: int, timeout: float) -> None:
        names = sorted(EXPENSIVE)
        number = client
        while not self._stop.is_set():
            name = names[number % len(names)]
            answer = send_expensive(self.url, name, EXPENSIVE[name], number, timeout)
            with self._lock:
                self.answers.append(answer)
            number += clients

    def __enter__(self) -> ExpensiveClients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


@dataclass
class ExpensiveFigures:
    before: wrk.WrkResult
    during: wrk.WrkResult
    after: wrk.WrkResult
    answers: list[ExpensiveAnswer] = field(default_factory=list)
    bad_requests: dict[str, int] = field(default_factory=dict)
    logged_errors: list[str] = field(default_factory=list)
    timeout: float = 0.0
    warm_up: wrk.WrkResult | None = None

    @property
    def baseline_p95(self) -> float:
        return (self.before.p95_ms + self.after.p95_ms) / 2

    @property
    def ratio(self) -> float:
        return self.during.p95_ms / self.baseline_p95 if self.baseline_p95 else float("inf")

    @property
    def not_cut(self) -> list[ExpensiveAnswer]:
        return [a for a in self.answers if a.outcome == "bad"]


def run_expensive(
    served: Served, mix: list[wrk.Request], seconds: float, connections: int, clients: int, timeout: float
) -> ExpensiveFigures:
    bad = check_mix(served.url, mix)
    warm_up = wrk.run(served.url, mix, warm_up_seconds(seconds), connections)
    before = wrk.run(served.url, mix, seconds, connections)
    with ExpensiveClients(served.url, clients, timeout * 3 + 30) as expensive:
        during = wrk.run(served.url, mix, seconds, connections)
    after = wrk.run(served.url, mix, seconds, connections)
    logged = server_errors_logged(served)
    return ExpensiveFigures(before, during, after, expensive.answers, bad, logged, timeout, warm_up)


def measure(hub: SuiteHub, seconds: float, connections: int, clients: int, **settings: str) -> ExpensiveFigures:
    served = serve(hub, **settings)
    try:
        timeout = float(settings.get("SPARQL_TIMEOUT", 10.0))
        figures = run_expensive(served, load_mix(hub), seconds, connections, clients, timeout)
    finally:
        served.stop()
    figures.logged_errors = server_errors_logged(served)  # with the shutdown: every worker must exit cleanly
    return figures


def outcome(figures: ExpensiveFigures, clients: int) -> Outcome:
    out = Outcome(f"Expensive queries under load: {clients} hostile clients beside the cheap mix")
    out.add("mix requests answering 2xx/3xx", f"{len(figures.bad_requests)} bad", "0 bad", not figures.bad_requests)
    if figures.warm_up is not None:
        add_warm_up(out, figures.warm_up)
    for label, r in (
        ("alone, before", figures.before),
        ("with expensive", figures.during),
        ("alone, after", figures.after),
    ):
        out.add(f"cheap mix {label}", r.summary(), "", True)
        failed = r.failed
        out.add(f"cheap mix {label}: failed", str(failed), "0", failed == 0)
    out.add(
        "cheap p95 with / without expensive",
        f"{figures.ratio:.2f}x ({figures.during.p95_ms:.1f} ms vs {figures.baseline_p95:.1f} ms)",
        f"<= {P95_RATIO_LIMIT:g}x",
        figures.ratio <= P95_RATIO_LIMIT,
    )
    outcomes = Counter(a.outcome for a in figures.answers)
    out.add(
        "expensive queries sent",
        f"{len(figures.answers)} ({dict(sorted(outcomes.items()))})",
        "> 0",
        bool(figures.answers),
    )
    clear = len(figures.answers) - len(figures.not_cut)
    out.add(
        "expensive queries ended clearly",
        f"{clear} of {len(figures.answers)}",
        "all: cut (503 + Retry-After), capped (200 + header) or complete",
        not figures.not_cut,
    )
    slowest = max((a.seconds for a in figures.answers), default=0.0)
    out.add(
        "slowest expensive answer",
        f"{slowest:.1f} s",
        f"<= {figures.timeout * 2 + 5:g} s (timeout x2 + 5)",
        slowest <= figures.timeout * 2 + 5,
    )
    for name in sorted(EXPENSIVE):
        mine = [a for a in figures.answers if a.name == name]
        if mine:
            kinds = Counter(a.outcome for a in mine)
            out.notes.append(f"{name}: {dict(kinds)}, {max(a.seconds for a in mine):.1f} s at most")
    for bad in figures.not_cut[:5]:
        out.notes.append(f"UNCLEAR: {bad.name} -> {bad.status} {bad.message[:120]!r}")
    out.add_logged_errors(figures.logged_errors)
    return out


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0])
    options.add_argument("--seconds", type=float, default=60)
    options.add_argument("--connections", type=int, default=64)
    options.add_argument("--clients", type=int, default=4, help="clients sending expensive queries")
    args = options.parse_args(argv)
    figures = measure(hub_from(args), args.seconds, args.connections, args.clients)
    result = outcome(figures, args.clients)
    result.print()
    return result


if __name__ == "__main__":
    main()
