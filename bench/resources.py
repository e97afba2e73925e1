"""Dereferencing speed in-process: descriptions and their serialisations per second.

Builds (once, then reuses) an embedded store with ``carrefour init`` and ``--n``
synthetic initiatives, then dereferences random resources (70 % initiatives, 30 %
actors, as BASELINES.md section c) in one thread, and prints per second:

- the baseline, measured in the same run: a bare pyoxigraph handler (own quads,
  fragment nodes, labels of linked IRIs, sorted, serialised by pyoxigraph);
- the hub's description alone, then with Turtle, compact JSON-LD and HTML;
- rdflib's JSON-LD serializer on the same small graph and context (the alternative
  the hub's own compaction was chosen over);
- the same through the Flask application (WSGI, no socket), the web layer included.

Each line gives the rate and time per resource (wall clock) and the CPU time per
resource of this process, which a busy shared machine disturbs less.

    python bench/resources.py --n 40000
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.synthetic import publish_synthetic
from carrefour import formats
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import RDF, RDFS, SCHEMA, SKOS, Hub
from loader.initialise import initialise
from loader.validation import Validator
from loader.validation.pyshacl_engine import to_rdflib
from server import create_app
from server.pages import render_html
from server.site import Site

BASE = "http://127.0.0.1:8080/"
LABELS = [ox.NamedNode(SCHEMA + "name"), ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(RDFS + "label")]


def build(folder: Path, n: int) -> EmbeddedStore:
    store = EmbeddedStore(folder / "store", BASE)
    if store.published() and (folder / f"synthetic-{n}").exists():
        return store
    hub = Hub(BASE)
    clock = time.perf_counter()
    initialise(store, hub, Validator(hub))
    publish_synthetic(store, hub, n)
    (folder / f"synthetic-{n}").write_text("published\n", encoding="utf-8")
    print(f"built {n} initiatives in {time.perf_counter() - clock:.1f} s -> {folder}")
    return store


def sample(store: EmbeddedStore, hub: Hub, count: int, seed: int = 42) -> list[ox.NamedNode]:
    snapshot = store.snapshot()
    rdf_type = ox.NamedNode(RDF + "type")
    initiatives = sorted({q.subject.value for q in snapshot.quads(None, rdf_type, hub.term("Initiative"))})
    actors = sorted({q.subject.value for q in snapshot.quads(None, rdf_type, hub.term("Actor"))})
    rng = random.Random(seed)
    picked = [rng.choice(initiatives) if rng.random() < 0.7 else rng.choice(actors) for _ in range(count)]
    return [ox.NamedNode(iri) for iri in picked]


def bare_turtle(store: ox.Store, iri: ox.NamedNode, prefixes: dict[str, str]) -> bytes:
    """The baseline handler: what BASELINES.md section c measured."""
    quads = list(store.quads_for_pattern(iri, None, None, None))
    for quad in list(quads):
        if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(iri.value + "#"):
            quads += store.quads_for_pattern(quad.object, None, None, None)
    triples = {q.triple for q in quads}
    for quad in quads:
        if isinstance(quad.object, ox.NamedNode) and not quad.object.value.startswith(iri.value + "#"):
            for label in LABELS:
                triples.update(q.triple for q in store.quads_for_pattern(quad.object, label, None, None))
    ordered = sorted(triples, key=lambda t: (t.subject.value, t.predicate.value))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def rate(label: str, work: Callable[[ox.NamedNode], object], iris: list[ox.NamedNode], baseline: float | None) -> float:
    for iri in iris[:50]:  # the hub's own memories warm, as in a running server
        work(iri)
    clock, cpu = time.perf_counter(), time.process_time()
    for iri in iris:
        work(iri)
    per_second = len(iris) / (time.perf_counter() - clock)
    cpu_ms = (time.process_time() - cpu) * 1000 / len(iris)
    ratio = f"{per_second / baseline:5.2f}x baseline" if baseline else "      baseline"
    print(f"{label:<56} {per_second:>7,.0f} /s  {1000 / per_second:6.3f} ms  cpu {cpu_ms:6.3f} ms  {ratio}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="synthetic initiatives")
    parser.add_argument("--resources", type=int, default=2000, help="dereferences per measure")
    parser.add_argument("--store", type=Path, help="store folder (default var/bench/resources-N)")
    args = parser.parse_args()
    folder = args.store or Path("var/bench") / f"resources-{args.n}"
    folder.mkdir(parents=True, exist_ok=True)
    store = build(folder, args.n)
    hub = Hub(BASE)
    iris = sample(store, hub, args.resources)
    snapshot = store.snapshot()
    raw = ox.Store.read_only(str(snapshot.store_path))
    site = Site(hub, store, page_size=50)
    ttl, jsonld = formats.by_name("ttl"), formats.by_name("jsonld")
    assert ttl is not None and jsonld is not None
    compactor = site.compactor(snapshot)
    context = compactor.context.document()["@context"]
    prefixes = site.writer.prefixes
    app = create_app({"STORE": str(folder), "BASE_URL": BASE}, store=store)
    client = app.test_client()

    def describe(iri: ox.NamedNode) -> list[ox.Triple]:
        description = site.describer.describe(snapshot, iri)
        assert description is not None
        return description.triples()

    def html(iri: ox.NamedNode) -> str:
        description = site.describer.describe(snapshot, iri)
        assert description is not None
        path = iri.value[len(BASE) :]
        with app.test_request_context("/" + path):
            return render_html(site, snapshot, description, path, "fr")

    def through_app(accept: str) -> Callable[[ox.NamedNode], object]:
        def get(iri: ox.NamedNode) -> object:
            response = client.get(iri.value[len(BASE) - 1 :], headers={"Accept": accept})
            assert response.status_code == 200
            return response.data

        return get

    for iri in iris:  # read every sampled resource once: disk and block caches warm for every measure alike
        bare_turtle(raw, iri, prefixes)
    print(f"{args.n} synthetic initiatives, {len(iris)} random resources (70 % initiatives, 30 % actors), one thread")
    baseline = rate("baseline: bare pyoxigraph describe + Turtle", lambda i: bare_turtle(raw, i, prefixes), iris, None)
    rate("hub description", describe, iris, baseline)
    rate("hub description + Turtle", lambda i: site.writer.write(describe(i), ttl, i, compactor), iris, baseline)
    rate("hub description + compact JSON-LD", lambda i: site.writer.write(describe(i), jsonld, i, compactor),
         iris, baseline)  # fmt: skip
    rate("hub description + rdflib compact JSON-LD (alternative)",
         lambda i: to_rdflib(describe(i)).serialize(format="json-ld", context=context),
         iris[:300], baseline)  # fmt: skip
    rate("hub description + HTML page", html, iris, baseline)
    for label, accept in (("Turtle", "text/turtle"), ("JSON-LD", "application/ld+json"), ("HTML", "text/html")):
        rate(f"through the Flask app (WSGI, no socket): {label}", through_app(accept), iris, baseline)
    store.close()


if __name__ == "__main__":
    main()
