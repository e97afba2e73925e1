"""Dereferencing speed in-process: descriptions and their serialisations per second.

Uses the published hub of ``bench/published_hub.py`` (``--n`` synthetic initiatives)
and dereferences random resources (70 % initiatives, 30 % actors, as BASELINES.md
section c) in one thread, and prints per second:

- the baseline, measured in the same run: a bare pyoxigraph handler (own quads,
  fragment nodes, labels of linked IRIs, sorted, serialised by pyoxigraph);
- the hub's description alone, then with Turtle, compact JSON-LD and HTML;
- rdflib's JSON-LD serializer on the same small graph and context (the alternative
  the hub's own compaction was chosen over);
- the same through the Flask application (WSGI, no socket), the web layer included
  (the page cache off: every page is made).

Each line gives the rate and time per resource (wall clock) and the CPU time per
resource of this process, which a busy shared machine disturbs less.  The serving
benchmark (``python -m bench.serving``) uses the same renderers for its in-process
column.

    python -m bench.resources --n 40000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pyoxigraph as ox
from flask import Flask

from bench.published_hub import BASE, ensure_hub, hub_folder, sample
from carrefour import formats
from carrefour.vocab import RDFS, SCHEMA, SKOS, Hub
from loader.validation.pyshacl_engine import to_rdflib
from server import create_app
from server.pages import render_html
from server.site import Site, get_site

LABELS = [ox.NamedNode(SCHEMA + "name"), ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(RDFS + "label")]
Render = Callable[[ox.NamedNode], object]


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


def renderers(app: Flask) -> dict[str, Render]:
    """The hub's own work for one resource, without the web layer: description, then each representation."""
    with app.app_context():
        site: Site = get_site()
    snapshot = site.store.snapshot()
    ttl, jsonld = formats.by_name("ttl"), formats.by_name("jsonld")
    assert ttl is not None and jsonld is not None
    compactor = site.compactor(snapshot)

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

    return {
        "description": describe,
        "Turtle": lambda iri: site.writer.write(describe(iri), ttl, iri, compactor),
        "JSON-LD": lambda iri: site.writer.write(describe(iri), jsonld, iri, compactor),
        "HTML": html,
    }


def per_second(work: Render, iris: list[ox.NamedNode]) -> tuple[float, float]:
    """(resources per second, CPU milliseconds per resource) of ``work`` over ``iris``, after a warm-up."""
    for iri in iris[:50]:  # the hub's own memories warm, as in a running server
        work(iri)
    clock, cpu = time.perf_counter(), time.process_time()
    for iri in iris:
        work(iri)
    return len(iris) / (time.perf_counter() - clock), (time.process_time() - cpu) * 1000 / len(iris)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="synthetic initiatives")
    parser.add_argument("--resources", type=int, default=2000, help="dereferences per measure")
    args = parser.parse_args()
    folder = hub_folder(args.n)
    store, built = ensure_hub(folder, args.n)
    if built:
        print(f"built the hub ({args.n} initiatives) in {built:.1f} s -> {folder}")
    hub = Hub(BASE)
    snapshot = store.snapshot()
    iris = sample(snapshot, hub, args.resources)
    raw = ox.Store.read_only(str(snapshot.store_path))
    app = create_app({"STORE": str(folder), "BASE_URL": BASE, "PAGE_CACHE_MB": 0}, store=store)  # pages made
    work = renderers(app)
    site = Site(hub, store, page_size=50)
    prefixes = site.writer.prefixes
    context = site.compactor(snapshot).context.document()["@context"]
    client = app.test_client()

    def through_app(accept: str) -> Render:
        def get(iri: ox.NamedNode) -> object:
            response = client.get(iri.value[len(BASE) - 1 :], headers={"Accept": accept})
            assert response.status_code == 200
            return response.data

        return get

    def show(label: str, work: Render, iris: list[ox.NamedNode], baseline: float | None) -> float:
        rate, cpu_ms = per_second(work, iris)
        ratio = f"{rate / baseline:5.2f}x baseline" if baseline else "      baseline"
        print(f"{label:<56} {rate:>7,.0f} /s  {1000 / rate:6.3f} ms  cpu {cpu_ms:6.3f} ms  {ratio}")
        return rate

    for iri in iris:  # read every sampled resource once: disk and block caches warm for every measure alike
        bare_turtle(raw, iri, prefixes)
    print(f"{args.n} synthetic initiatives, {len(iris)} random resources (70 % initiatives, 30 % actors), one thread")
    baseline = show("baseline: bare pyoxigraph describe + Turtle", lambda i: bare_turtle(raw, i, prefixes), iris, None)
    show("hub description", work["description"], iris, baseline)
    show("hub description + Turtle", work["Turtle"], iris, baseline)
    show("hub description + compact JSON-LD", work["JSON-LD"], iris, baseline)
    show("hub description + rdflib compact JSON-LD (alternative)",
         lambda i: to_rdflib(work["description"](i)).serialize(format="json-ld", context=context),  # type: ignore[arg-type]
         iris[:300], baseline)  # fmt: skip
    show("hub description + HTML page", work["HTML"], iris, baseline)
    for label, accept in (("Turtle", "text/turtle"), ("JSON-LD", "application/ld+json"), ("HTML", "text/html")):
        show(f"through the Flask app (WSGI, no socket): {label}", through_app(accept), iris, baseline)
    store.close()


if __name__ == "__main__":
    main()
