"""Named-graph IRIs dereference: each graph described (size, partner, licence, dumps, date), never listed."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests
from requests.utils import parse_header_links

from carrefour.store.base import Snapshot
from carrefour.vocab import Graphs, Hub
from tests.publish.conftest import LiveServer

pytestmark = pytest.mark.live

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
MEDIA_TYPES = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
               "rdf": "application/rdf+xml", "nt": "application/n-triples"}  # fmt: skip


def turtle(url: str) -> rdflib.Graph:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_every_graph_of_the_store_dereferences_in_every_format(live_server: LiveServer, snapshot: Snapshot) -> None:
    graphs = [g.value for g in snapshot.graphs()]
    hub = Graphs(Hub(live_server.base))
    assert {hub.curated.value, hub.concepts.value, hub.territories.value, hub.partners.value} <= set(graphs)
    assert any("/graph/provenance/" in g for g in graphs) and any("/graph/report/" in g for g in graphs)
    for iri in graphs:
        for extension, media_type in MEDIA_TYPES.items():
            response = requests.get(iri, headers={"Accept": media_type}, timeout=10)
            assert response.status_code == 200, (iri, extension, response.text[:200])
            assert response.headers["Content-Type"].split(";")[0] == media_type
            assert response.headers["Content-Location"] == f"{iri}.{extension}"
            assert response.headers["Vary"] == "Accept" and response.headers["ETag"]
            alternates = {link["url"] for link in parse_header_links(response.headers["Link"])}
            assert f"{iri}.ttl" in alternates and f"{iri}.html" in alternates
            again = requests.get(
                iri, headers={"Accept": media_type, "If-None-Match": response.headers["ETag"]}, timeout=10
            )
            assert again.status_code == 304, (iri, extension)


def test_a_graph_says_its_size_partner_licence_dumps_and_harvest(live_server: LiveServer, snapshot: Snapshot) -> None:
    hub = Hub(live_server.base)
    iri = hub.graph("partner", "hostile").value
    graph = turtle(iri)
    subject = rdflib.URIRef(iri)
    assert (subject, rdflib.RDF.type, SD.NamedGraph) in graph and (subject, SD.name, subject) in graph
    assert int(graph.value(subject, VOID.triples)) == snapshot.count(ox.NamedNode(iri))
    assert graph.value(subject, rdflib.URIRef(hub.ns + "partner")) == rdflib.URIRef(hub.iri("partner", "hostile"))
    assert str(graph.value(subject, DCT.license)) == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert str(graph.value(subject, DCT.modified)).startswith("2025-03-01")  # the harvest that wrote it
    assert str(graph.value(subject, rdflib.URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))) == (
        live_server.hostile.activity.value
    )
    dumps = {str(o) for o in graph.objects(subject, VOID.dataDump)}
    assert dumps == {live_server.url("dumps/partner-hostile.ttl.gz"), live_server.url("dumps/partner-hostile.nt.gz")}
    for dump in dumps:
        assert requests.head(dump, timeout=10).status_code == 200
    assert (subject, DCT.title, rdflib.Literal("Fiches de Partenaire <i>hostile</i>", lang="fr")) in graph
    # a partner's report graph: the hub's account of its data, under the hub's licence, with its report as entry
    report = rdflib.URIRef(hub.graph("report", "hostile").value)
    described = turtle(str(report))
    assert (report, VOID.rootResource, rdflib.URIRef(live_server.hostile.report.value)) in described
    assert int(described.value(report, VOID.triples)) == snapshot.count(ox.NamedNode(str(report)))


def test_a_hub_graph_links_the_whole_dump_and_a_query_without_listing_its_triples(live_server: LiveServer) -> None:
    iri = Graphs(Hub(live_server.base)).curated.value
    graph = turtle(iri)
    subject = rdflib.URIRef(iri)
    assert len(graph) < 40  # a description, not the graph's 2,000 triples
    own = {str(o) for o in graph.objects(subject, VOID.dataDump)}  # the curated data has a licence of its own
    assert own == {live_server.url("dumps/curated.ttl.gz"), live_server.url("dumps/curated.nt.gz")}
    concepts = Graphs(Hub(live_server.base)).concepts.value
    whole = rdflib.URIRef(live_server.url("dumps/carrefour.nq.gz"))
    assert (rdflib.URIRef(concepts), rdflib.RDFS.seeAlso, whole) in turtle(concepts)
    assert (subject, VOID.sparqlEndpoint, rdflib.URIRef(live_server.url("sparql"))) in graph
    page = requests.get(iri, timeout=10)
    assert "Données éditées par le hub" in page.text and "triplets" in page.text
    assert live_server.url("dumps/carrefour.nq.gz") in page.text
    assert "/sparql?query=SELECT" in page.text and "curated%3E" in page.text
    assert "actor/carrefour/" not in page.text  # no triple of the graph is listed
    english = requests.get(iri, params={"lang": "en"}, timeout=10)
    assert "The hub&#39;s curated data" in english.text and "Query this graph" in english.text


def test_the_hub_graphs_answer_even_empty_and_unknown_graphs_are_404(live_server: LiveServer) -> None:
    links = Graphs(Hub(live_server.base)).links.value
    assert int(turtle(links).value(rdflib.URIRef(links), VOID.triples)) >= 0
    for path in ("graph/partner/nobody", "graph/nothing", "graph/partner/hostile/more", "graph/meta"):
        assert requests.get(live_server.url(path), timeout=10).status_code == 404, path
