"""Every RDF format, parsed back by rdflib, says exactly the description — and the description is the store's.

Two checks, independent of each other: each document is isomorphic to the
description computed in this process on the same store (so the four formats say the
same), and what it says is checked against the store read directly: every statement
the store holds about the resource is there, and every statement there is either in
the store or one of the few the hub adds (Hydra paging, attribution, dataset facts).
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from carrefour.store.base import Store
from carrefour.vocab import Hub
from server.describe import HYDRA, Describer
from server.graph_description import NamedGraphs
from tests.publish.conftest import KINDS, LiveServer
from tests.publish.hostile import BREAKOUT, IMG_PROBE, JAVASCRIPT_URL, SCRIPT_NAME
from tests.support.rdf import parsed_graph

pytestmark = pytest.mark.live

FORMATS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
ADDED_PREDICATES = {"http://www.w3.org/ns/prov#wasAttributedTo"}
PAGED = [("actor/hostile/grand-reseau", 2), ("actor/hostile/grand-reseau", 3), ("partner/hostile", 2)]


def parse(live_server: LiveServer, url: str, extension: str) -> rdflib.Graph:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    if extension != "jsonld":
        return rdflib.Graph().parse(data=response.content, format=FORMATS[extension])
    document = response.json()
    assert document["@context"] == live_server.url("context.jsonld")  # compact, with the published context
    context = requests.get(document["@context"], timeout=10).json()["@context"]
    document["@context"] = context  # the local copy: rdflib never fetches a remote context
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph, what: str) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    pytest.fail(
        f"{what}: only in the description {sorted(only_expected)[:10]}; only in the document {sorted(only_actual)[:10]}"
    )


def check_against_store(live_server: LiveServer, store: Store, path: str, graph: rdflib.Graph) -> None:
    """Nothing the store says of the resource is missing; nothing is invented."""
    hub = Hub(live_server.base)
    snapshot = store.snapshot()
    iri = live_server.url(path)
    if path in ("ontology", "shapes"):
        own = list(snapshot.quads(graph=hub.graph(path)))
    else:
        own = [q for q in snapshot.quads(None, None, None) if isinstance(q.subject, ox.NamedNode)
               and (q.subject.value == iri or q.subject.value.startswith(iri + "#"))]  # fmt: skip
    if path.startswith("report/"):  # a report shows one page of its results
        result = rdflib.URIRef("http://www.w3.org/ns/shacl#result")
        shown = {str(o) for o in graph.objects(rdflib.URIRef(iri), result)}
        total = sum(1 for q in own if q.predicate.value == str(result))
        assert len(shown) == min(50, total) and total > 50
        own = [q for q in own if (q.triple.object.value if q.predicate.value == str(result) else q.subject.value)
               in shown | {iri}]  # fmt: skip
    if path != "shapes":  # its blank nodes are compared by the isomorphism above
        missing = [t for t in parsed_graph(own) if t not in graph]
        assert not missing, f"{path}: statements of the store missing from the document: {missing[:5]}"
    if path == "dataset":
        return  # the hub states its version and endpoint when no graph describes the dataset
    said = set(parsed_graph(NamedGraphs(hub).statements(snapshot, ox.NamedNode(iri))))  # a graph: its size, dumps…
    for subject in {s for s in graph.subjects() if isinstance(s, rdflib.URIRef)}:
        stored = set(parsed_graph(snapshot.quads(ox.NamedNode(str(subject)), None, None))) | said
        for triple in graph.triples((subject, None, None)):
            if str(triple[1]).startswith(str(HYDRA)) or str(triple[1]) in ADDED_PREDICATES:
                continue
            if isinstance(triple[2], rdflib.BNode):
                continue  # blank nodes: compared by the isomorphism above
            if "?page=" in str(subject) or str(subject).endswith(("#referrers", "#results")):
                continue  # the Hydra view and collection
            assert triple in stored, f"{path}: the document says {triple} but the store does not"


@pytest.mark.parametrize("extension", list(FORMATS))
@pytest.mark.parametrize("kind", KINDS)
def test_every_format_round_trips_to_the_description(
    live_server: LiveServer, published: Store, resource_paths: dict[str, str], kind: str, extension: str
) -> None:
    path = resource_paths[kind]
    graph = parse(live_server, f"{live_server.url(path)}.{extension}", extension)
    describer = Describer(Hub(live_server.base), page_size=50)
    description = describer.describe(published.snapshot(), ox.NamedNode(live_server.resource(path)))
    assert description is not None
    assert_isomorphic(parsed_graph(description.triples()), graph, f"{kind} as {extension}")
    check_against_store(live_server, published, path, graph)


@pytest.mark.parametrize("extension", list(FORMATS))
@pytest.mark.parametrize(("path", "page"), PAGED)
def test_later_pages_round_trip_too(
    live_server: LiveServer, published: Store, path: str, page: int, extension: str
) -> None:
    graph = parse(live_server, f"{live_server.url(path)}.{extension}?page={page}", extension)
    description = Describer(Hub(live_server.base), 50).describe(
        published.snapshot(), ox.NamedNode(live_server.resource(path)), page
    )
    assert description is not None and description.collection is not None
    assert_isomorphic(parsed_graph(description.triples()), graph, f"{path} page {page} as {extension}")
    view = rdflib.URIRef(f"{live_server.url(path)}?page={page}")
    assert (view, rdflib.RDF.type, rdflib.URIRef(str(HYDRA) + "PartialCollectionView")) in graph
    previous = rdflib.URIRef(f"{live_server.url(path)}?page={page - 1}")
    assert (view, rdflib.URIRef(str(HYDRA) + "previous"), previous) in graph


def test_hostile_text_round_trips_unchanged_in_every_format(live_server: LiveServer) -> None:
    iri = rdflib.URIRef(live_server.hostile.xss.value)
    for extension in FORMATS:
        graph = parse(live_server, f"{iri}.{extension}", extension)
        names = {str(o) for o in graph.objects(iri, rdflib.URIRef("http://schema.org/name"))}
        assert SCRIPT_NAME in names
        description = str(graph.value(iri, rdflib.URIRef("http://schema.org/description")))
        assert BREAKOUT in description and IMG_PROBE in description
        assert (iri, rdflib.URIRef("http://schema.org/url"), rdflib.URIRef(JAVASCRIPT_URL)) in graph
