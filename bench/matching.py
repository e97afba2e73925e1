"""Matching over HTTP on a hub of N synthetic initiatives and C open calls, beside a bare Flask app.

    python -m bench.matching                       # 40,000 initiatives, 10,000 open calls
    python -m bench.matching --quick               # a smoke run: 2,000 initiatives, 1,000 calls

The hub is built once under var/bench/ (bench.published_hub), then C calls are published in
a graph of their own, open today (they are published again when the day changed): a kind,
one to three skills, a commune, a work mode, a closing day in the next three months, an
initiative of the hub as publisher.  Ten representative requests of
``/appels/correspondances`` and ``/appels`` (skills and a commune with a radius, a
département, a region, skills only, an offer-like wish, listings with filters) are each
asked ``--requests`` times in a row on one connection, to ``carrefour serve`` (1 worker x 4
threads) and to the bare Flask app under the same settings, in the same run.  The target:
matching answers within 100 ms at p95.  The calls are read at publication into the version's
``calls.sqlite`` (written here when missing, and timed), which a worker loads once per version:
the first requests of a fresh worker are shown apart, a resource page without calls (which
must not load them), the first matching (which does) and the page of a call's publisher;
then the calls are published again as a new version while the server runs, and the same
first requests are measured after that publication.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.published_hub import BASE, ensure_hub, sample, serve_bare, serve_hub
from carrefour.artifacts.calls import CALLS_FILE, build_calls, calls_path, write_calls
from carrefour.centres import centres
from carrefour.vocab import RDF_TYPE, SCHEMA, XSD, Hub

TARGET_MS = 100.0
KINDS = ("CallForExpertise", "VolunteerMission", "JobOffer", "CallForApplications")
SKILLS = ("accounting", "law", "fundraising", "business-model", "impact-assessment", "project-management",
          "facilitation", "training", "communication", "graphic-design", "web-development", "data",
          "digital-mediation", "marketing-sales", "human-resources", "translation")  # fmt: skip
MODES = ("on-site", "remote", "hybrid")
VIEWS = (
    "appels/correspondances?competence=accounting&competence=law&territoire=commune/69123&rayon=30",
    "appels/correspondances?competence=web-development&territoire=departement/35",
    "appels/correspondances?competence=facilitation&competence=training&territoire=region/53&rayon=50",
    "appels/correspondances?competence=communication",
    "appels/correspondances?territoire=commune/75056&rayon=10",
    "appels/correspondances?competence=data&competence=impact-assessment&competence=fundraising"
    "&territoire=commune/13055&rayon=100",
    "appels/correspondances?competence=translation&territoire=fr",
    "appels?competence=accounting&territoire=region/84",
    "appels?type=job&mode=remote",
    "appels?territoire=departement/29&cloture=" + (datetime.now(UTC).date() + timedelta(days=30)).isoformat(),
)


def publish_calls(folder: Path, n: int, count: int, seed: int = 7) -> float:
    """Publish ``count`` calls open today in the hub of ``folder``, unless done today; seconds spent."""
    today = datetime.now(UTC).date()
    marker, wanted = folder / "calls.json", {"calls": count, "day": today.isoformat()}
    store, _ = ensure_hub(folder, n)
    try:
        if marker.exists() and json.loads(marker.read_text()) == wanted:
            return 0.0
        clock = time.perf_counter()
        snapshot = store.snapshot()
        hub = Hub(snapshot.info.base_url)
        publishers = sample(snapshot, hub, count, seed)
        communes = [place for (level, _), place in centres().items() if level == "commune"]
        rng = random.Random(seed)
        graph = hub.graph("partner", "bench-calls")
        quads = []
        for number in range(count):
            call = hub.node("call", "bench-calls", f"appel-{number:05d}")
            commune = rng.choice(communes)

            def add(predicate: ox.NamedNode, value: ox.NamedNode | ox.Literal, subject: ox.NamedNode = call) -> None:
                quads.append(ox.Quad(subject, predicate, value, graph))

            add(RDF_TYPE, hub.term(rng.choice(KINDS)))
            add(ox.NamedNode(SCHEMA + "name"), ox.Literal(f"Appel {number} de {commune.name}", language="fr"))
            add(hub.term("publishedBy"), publishers[number])
            for skill in rng.sample(SKILLS, rng.randint(1, 3)):
                add(hub.term("skillSought"), hub.concept("skill", skill))
            for level, code in (("commune", commune.code), ("departement", commune.departement),
                                ("region", commune.region)):  # fmt: skip
                add(hub.term("locatedIn"), hub.node("territory", level, code))
            add(hub.term("workMode"), hub.concept("work-mode", rng.choice(MODES)))
            opens, closes = today - timedelta(days=rng.randint(0, 60)), today + timedelta(days=rng.randint(1, 90))
            add(ox.NamedNode(SCHEMA + "validFrom"), ox.Literal(opens.isoformat(), datatype=ox.NamedNode(XSD + "date")))
            add(
                ox.NamedNode(SCHEMA + "validThrough"),
                ox.Literal(closes.isoformat(), datatype=ox.NamedNode(XSD + "date")),
            )
        with store.writer() as writer:
            writer.replace_graph(graph, quads)
        marker.write_text(json.dumps(wanted))
        return time.perf_counter() - clock
    finally:
        store.close()


_WITHOUT_CALLS = """
SELECT ?initiative WHERE {
  ?initiative a <%(cf)sInitiative> .
  FILTER NOT EXISTS { ?call <%(cf)spublishedBy> ?initiative }
} LIMIT 1
"""


def ensure_artifact(folder: Path, n: int) -> tuple[float, str, str]:
    """Write the calls' artifact of the hub's version when missing (as a publication does); the seconds spent,
    the path of an initiative publishing no call and that of a call's publisher."""
    store, _ = ensure_hub(folder, n)
    try:
        snapshot = store.snapshot()
        hub = Hub(snapshot.info.base_url)
        clock, spent = time.perf_counter(), 0.0
        if calls_path(snapshot) is None and snapshot.info.artifacts is not None:
            write_calls(snapshot, hub, snapshot.info.artifacts / CALLS_FILE)
            spent = time.perf_counter() - clock
        quiet = snapshot.select(_WITHOUT_CALLS % {"cf": hub.ns})[0]["initiative"].value
        publisher = next(snapshot.quads(None, hub.term("publishedBy"), None)).object.value
        return spent, quiet[len(BASE) :], publisher[len(BASE) :]
    finally:
        store.close()


def latencies(base: str, view: str, count: int) -> tuple[float, list[float]]:
    """Milliseconds of the first request, then of ``count`` more in a row, on one connection."""
    found = []
    with requests.Session() as session:
        clock = time.perf_counter()
        session.get(base + view, timeout=120).raise_for_status()
        first = (time.perf_counter() - clock) * 1000
        for _ in range(count):
            clock = time.perf_counter()
            session.get(base + view, timeout=60).raise_for_status()
            found.append((time.perf_counter() - clock) * 1000)
    return first, found


def firsts(base: str, quiet: str, publisher: str, count: int, when: str) -> None:
    """Print the first requests of a version: a page without calls, a matching, a publisher's page."""
    for label, view in (("a page without calls (must not load them)", quiet),
                        ("a matching (the worker loads the calls)", "appels/correspondances?competence=law"),
                        ("the page of a call's publisher", publisher)):  # fmt: skip
        first, again = latencies(base, view, count)
        print(f"first request {when}, {label}: {first:.0f} ms (then p50 {statistics.median(again):.1f} ms)")


def republish(folder: Path, n: int) -> float:
    """Publish the calls again as a new version, their artifact built in the write session as a harvest builds
    it; the seconds the artifact took."""
    store, _ = ensure_hub(folder, n)
    try:
        hub = Hub(store.snapshot().info.base_url)
        graph = hub.graph("partner", "bench-calls")
        with store.writer() as writer:
            writer.replace_graph(graph, list(writer.quads(None, None, None, graph)))
            clock = time.perf_counter()
            build_calls(writer, hub)
            spent = time.perf_counter() - clock
        return spent
    finally:
        store.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="initiatives")
    parser.add_argument("--calls", type=int, default=10000, help="open calls")
    parser.add_argument("--quick", action="store_true", help="2,000 initiatives, 1,000 calls, 10 requests a view")
    parser.add_argument("--requests", type=int, default=40, help="per view and format")
    args = parser.parse_args()
    n, calls, count = (2000, 1000, 10) if args.quick else (args.n, args.calls, args.requests)
    folder = Path("var/bench") / f"calls-{n}"
    built = publish_calls(folder, n, calls)
    if built:
        print(f"{calls:,} calls published in {built:.1f} s")
    written, quiet, publisher = ensure_artifact(folder, n)
    if written:
        print(f"their artifact (calls.sqlite, built at publication) written in {written:.2f} s")
    with serve_hub(folder, 1, 4, name="matching") as hub, serve_bare(folder, 1, 4) as bare:
        ceiling = [ms for view in VIEWS[:4] for ms in latencies(bare.url, view, count)[1]]
        print(f"bare Flask (same server settings): p50 {statistics.median(ceiling):.2f} ms, p95 {p95(ceiling):.2f} ms")
        firsts(hub.url, quiet, publisher, count, "of a fresh worker")
        print(f"{'view':100} {'HTML p50':>8} {'p95':>6} {'JSON-LD p50':>11} {'p95':>6}")
        worst = 0.0
        for view in VIEWS:
            html = latencies(hub.url, view, count)[1]
            linked = latencies(hub.url, view + "&format=jsonld", count)[1]
            worst = max(worst, p95(html), p95(linked))
            print(f"{view:100} {statistics.median(html):8.1f} {p95(html):6.1f} {statistics.median(linked):11.1f} "
                  f"{p95(linked):6.1f}")  # fmt: skip
        verdict = "met" if worst <= TARGET_MS else "not met"
        print(f"{n:,} initiatives, {calls:,} open calls: the slowest view's p95 is {worst:.1f} ms (target "
              f"{TARGET_MS:.0f} ms: {verdict}), {worst / p95(ceiling):.0f} times bare Flask's p95 "
              f"({p95(ceiling):.2f} ms)")  # fmt: skip
        print(f"a new version published while the worker runs; its calls.sqlite built in {republish(folder, n):.2f} s")
        firsts(hub.url, quiet, publisher, count, "after a publication")


if __name__ == "__main__":
    main()
