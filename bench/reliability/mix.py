"""The request mix of the load: what partners, reusers and people ask the hub, in realistic shares.

Dereferences of every kind of resource in every format (by ``Accept`` and by suffix),
HTML pages (home, browsing, a theme with thousands of initiatives), full-text search,
the partner SPARQL queries (the same texts again and again, as platforms poll, and
one CONSTRUCT per initiative, never cached), and a few dump downloads (a partner's
whole file, and ranges of the hub's).  Every request of the mix expects 2xx or 3xx.
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

import pyoxigraph as ox
import requests

from bench.published_hub import BASE
from bench.reliability.hub import SuiteHub
from bench.reliability.wrk import Request
from bench.sparql import partner_mix
from carrefour.vocab import RDF, Hub

ACCEPTS = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
SEARCHES = ("tiers-lieu", "atelier numérique", "coopérative", "médiathèque", "fab", "épicerie solidaire", "lieu")


def _paths(hub: SuiteHub, seed: int) -> dict[str, list[str]]:
    """Sampled resource paths of the published hub, by kind."""
    terms = Hub(BASE)
    store = hub.open_store()
    try:
        snapshot = store.snapshot()
        rdf_type = ox.NamedNode(RDF + "type")

        def of_type(name: str, graph_prefix: str | None = None) -> list[str]:
            found = sorted(
                {
                    q.subject.value
                    for q in snapshot.quads(None, rdf_type, terms.term(name))
                    if graph_prefix is None or q.graph_name.value.startswith(graph_prefix)
                }
            )
            return [iri[len(BASE) - 1 :] for iri in found]

        rng = random.Random(seed)
        feeds = terms.iri("graph", "partner", "feed-")
        stable = hub.stable_keys()  # records of both editions: the load never asks for one a harvest removed
        keys = {q.subject.value: q.object.value for q in snapshot.quads(None, terms.term("recordKey"), None)}
        every_harvested = of_type("Initiative", feeds)
        harvested = [p for p in every_harvested if keys.get(BASE + p[1:]) in stable]
        initiatives = sorted(set(of_type("Initiative")) - set(every_harvested))
        return {
            "initiative": rng.sample(initiatives, min(400, len(initiatives))),
            "harvested": rng.sample(harvested, min(100, len(harvested))),
            "actor": rng.sample(of_type("Actor"), min(150, len(of_type("Actor")))),
            "other": [
                "/concept/theme/health",
                "/concept/theme",
                "/territory/region/53",
                "/territory/departement/29",
                "/partner/feed-a",
                "/territory/fr",
                "/ontology",
                "/dataset",
            ],
        }
    finally:
        store.close()


def _sparql(query: str, accept: str, kind: str = "sparql", weight: int = 1) -> Request:
    return Request(kind, "/sparql?" + urlencode({"query": query}), (("Accept", accept),), weight=weight)


def load_mix(hub: SuiteHub, seed: int = 7) -> list[Request]:
    """The cheap requests of the load, weighted."""
    paths = _paths(hub, seed)
    rng = random.Random(seed)
    mix: list[Request] = []
    for kind in ("initiative", "harvested", "actor", "other"):
        for path in paths[kind]:
            fmt = rng.choice(list(ACCEPTS))
            if rng.random() < 0.3:  # a pasted document URL: the suffix chooses
                mix.append(Request(fmt, f"{path}.{fmt}", weight=2))
            else:
                mix.append(Request(fmt, path, (("Accept", ACCEPTS[fmt]),), weight=2))
    html = (("Accept", ACCEPTS["html"]),)
    for page in (
        "/",
        "/browse/",
        "/browse/theme",
        "/browse/region",
        "/browse/partner",
        "/browse/actor-type",
        "/concept/theme/digital-inclusion?page=2",
        "/territory/region/93",
        "/?lang=en",
        "/sparql",
        "/dumps/",
        "/.well-known/void",
        "/catalog",
    ):
        mix.append(Request("page", page, html, weight=8))
    for words in SEARCHES:
        mix.append(Request("search", "/search?" + urlencode({"q": words}), html, weight=10))
        mix.append(Request("search", "/search?" + urlencode({"q": words, "format": "json"}), weight=4))
    terms = Hub(BASE)
    json_results = "application/sparql-results+json"
    for query in partner_mix(terms, BASE + paths["initiative"][0][1:]).values():
        accept = "text/turtle" if query.lstrip().startswith("CONSTRUCT") else json_results
        mix.append(_sparql(query, accept, weight=25))
    for path in paths["initiative"][:120]:  # a platform reading one record: a new query text each time
        iri = BASE + path[1:]
        query = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
        mix.append(_sparql(query, rng.choice(("text/turtle", "application/ld+json", "application/n-triples"))))
    for path in paths["initiative"][120:200]:
        query = f"SELECT ?p ?o WHERE {{ <{BASE + path[1:]}> ?p ?o }}"
        mix.append(_sparql(query, rng.choice((json_results, "application/sparql-results+xml", "text/csv"))))
    mix.append(Request("dump", "/dumps/partner-feed-a.nt.gz", weight=2))
    mix.append(Request("dump", "/dumps/carrefour.nq.gz", (("Range", "bytes=0-262143"),), weight=2))
    mix.append(Request("dump", "/dumps/dumps.json", weight=2))
    return mix


def check_mix(url: str, mix: list[Request]) -> dict[str, int]:
    """Send every request of the mix once (warming the server); statuses outside 2xx/3xx, by path.

    A mix that asks for errors would hide real ones among them: the load's target
    is zero non-2xx/3xx answers, so each request must be a good one.
    """
    bad = {}
    with requests.Session() as session:
        for r in mix:
            answer = session.request(r.method, url + r.path, headers=dict(r.headers), data=r.body, timeout=120)
            if not 200 <= answer.status_code < 400:
                bad[r.path] = answer.status_code
    return bad
