"""VoID and DCAT-AP over HTTP, parsed by rdflib and checked against the store and the dumps."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import RDF, XSD, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID

from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, RDFS, Hub
from tests.publish.conftest import CONTACT_EMAIL, LiveServer

pytestmark = pytest.mark.live

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")  # fn, hasEmail, hasURL: no clash with str methods
MEDIA_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")

# DCAT-AP 3 classes with their mandatory and recommended properties (what a harvester relies on).
DCAT_AP = {
    DCAT.Catalog: [
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        DCAT.dataset,
        FOAF.homepage,
        DCTERMS.language,
        DCTERMS.license,
        DCTERMS.modified,
        DCAT.themeTaxonomy,
        DCTERMS.spatial,
        DCAT.service,
    ],
    DCAT.Dataset: [
        DCTERMS.title,
        DCTERMS.description,
        DCAT.contactPoint,
        DCAT.distribution,
        DCAT.keyword,
        DCTERMS.publisher,
        DCTERMS.spatial,
        DCAT.theme,
        DCTERMS.identifier,
        DCTERMS.modified,
    ],
    DCAT.Distribution: [DCAT.accessURL, DCTERMS.title],
    DCAT.DataService: [DCTERMS.title, DCAT.endpointURL, DCAT.endpointDescription, DCAT.servesDataset],
    FOAF.Agent: [FOAF.name],
    SPDX.Checksum: [SPDX.algorithm, SPDX.checksumValue],
}
DOWNLOADABLE = [DCAT.downloadURL, DCAT.mediaType, DCAT.byteSize, SPDX.checksum, DCTERMS.format, DCAT.compressFormat]


@pytest.fixture(scope="module")
def hub(live_server: LiveServer) -> Hub:
    return Hub(live_server.base)


def fetch(url: str, media_type: str) -> rdflib.Graph:
    response = requests.get(url, headers={"Accept": media_type}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Vary"] == "Accept" and response.headers["ETag"]
    return rdflib.Graph().parse(data=response.content, format=media_type)


@pytest.fixture(scope="module")
def void(live_server: LiveServer) -> rdflib.Graph:
    return fetch(live_server.url(".well-known/void"), "text/turtle")


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer) -> rdflib.Graph:
    return fetch(live_server.url("catalog"), "text/turtle")


@pytest.mark.parametrize("path", [".well-known/void", "catalog"])
def test_every_format_says_the_same(live_server: LiveServer, path: str) -> None:
    graphs = [fetch(live_server.url(path), media_type) for media_type in MEDIA_TYPES]
    assert len(graphs[0]) > 50
    for graph in graphs[1:]:
        assert isomorphic(graph, graphs[0])
    default = requests.get(live_server.url(path), timeout=30)
    assert default.headers["Content-Type"].startswith("text/turtle")  # what a harvester gets without asking


@pytest.mark.parametrize("path", [".well-known/void", "catalog"])
def test_people_get_a_listing_and_caches_a_304(live_server: LiveServer, path: str) -> None:
    page = requests.get(live_server.url(path), headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "partner-00" in page.text and "carrefour.nq.gz" in page.text
    document = requests.get(live_server.url(path), timeout=30)
    again = requests.get(live_server.url(path), headers={"If-None-Match": document.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


def test_void_describes_the_dataset(void: rdflib.Graph, snapshot: Snapshot, hub: Hub) -> None:
    dataset = URIRef(hub.iri("dataset"))
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(hub.iri("sparql"))
    assert str(void.value(dataset, VOID.uriSpace)) == hub.base
    assert int(void.value(dataset, VOID.triples)) == len({(q.subject, q.predicate, q.object) for q in snapshot.quads()})
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {"http://schema.org/", hub.ns, "http://purl.org/dc/terms/"} <= vocabularies
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {hub.iri("dumps", "carrefour.nq.gz"), hub.iri("dumps", "carrefour.ttl.gz")}
    for example in void.objects(dataset, VOID.exampleResource):
        assert snapshot.ask("ASK { ?s ?p ?o }", {"s": ox.NamedNode(str(example))})
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    count = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/<{RDFS}subClassOf>* <{hub.ns}Initiative> }}"
    initiatives = snapshot.select(count)
    assert partitions[URIRef(hub.ns + "Initiative")] == int(initiatives[0]["n"].value) > 300


def test_void_subsets_are_the_partner_graphs(void: rdflib.Graph, snapshot: Snapshot, hub: Hub) -> None:
    dataset = URIRef(hub.iri("dataset"))
    subsets = set(void.objects(dataset, VOID.subset))
    partner_graphs = {g for g in snapshot.graphs() if "/graph/partner/" in g.value}
    hub_parts = {hub.iri("graph", "curated"), hub.iri("dataset") + "#open"}  # the curated data, the open part
    assert {str(s) for s in subsets} == {g.value for g in partner_graphs} | hub_parts
    for graph in partner_graphs:
        subset = URIRef(graph.value)
        partner = ox.NamedNode(graph.value.replace("/graph/partner/", "/partner/"))
        licence = next(snapshot.quads(partner, ox.NamedNode(DCT + "license"), None, None)).object
        assert void.value(subset, DCTERMS.license) == URIRef(licence.value)
        assert int(void.value(subset, VOID.triples)) == snapshot.count(graph)
        assert void.value(subset, DCTERMS.publisher) == URIRef(partner.value)
        assert len(set(void.objects(subset, VOID.dataDump))) == 2
        examples = list(void.objects(subset, VOID.exampleResource))
        assert examples and all(
            snapshot.ask(
                "ASK { GRAPH ?g { ?s a ?c } }", {"g": graph, "s": ox.NamedNode(str(e)), "c": hub.term("Initiative")}
            )
            for e in examples
        )


def test_void_data_dumps_dereference(void: rdflib.Graph) -> None:
    for dump in set(void.objects(None, VOID.dataDump)):
        response = requests.head(str(dump), timeout=30)
        assert response.status_code == 200 and int(response.headers["Content-Length"]) > 0


def test_catalog_has_the_dcat_ap_classes_and_properties(catalog: rdflib.Graph) -> None:
    for cls, properties in DCAT_AP.items():
        instances = set(catalog.subjects(RDF.type, cls))
        assert instances, f"no {cls}"
        for instance in instances:
            missing = [p for p in properties if catalog.value(instance, p) is None]
            assert missing == [], f"{instance} lacks {missing}"
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        assert (None, DCAT.distribution, distribution) in catalog
        assert catalog.value(distribution, DCTERMS.license) or catalog.value(distribution, DCTERMS.rights)
        if catalog.value(distribution, DCAT.downloadURL) is not None:
            assert [p for p in DOWNLOADABLE if catalog.value(distribution, p) is None] == []
            assert catalog.value(distribution, DCAT.byteSize).datatype == XSD.nonNegativeInteger
    for dataset in catalog.subjects(RDF.type, DCAT.Dataset):
        assert (None, DCAT.dataset, dataset) in catalog
        assert (catalog.value(dataset, DCTERMS.publisher), RDF.type, FOAF.Agent) in catalog
        contact = catalog.value(dataset, DCAT.contactPoint)
        assert catalog.value(contact, VCARD.fn) and (
            catalog.value(contact, VCARD.hasURL) or catalog.value(contact, VCARD.hasEmail)
        )
        assert catalog.value(dataset, DCTERMS.modified).datatype == XSD.dateTime
    for licence in catalog.objects(None, DCTERMS.license):
        assert (licence, RDF.type, DCTERMS.LicenseDocument) in catalog


def test_catalog_datasets_licences_and_service(catalog: rdflib.Graph, snapshot: Snapshot, hub: Hub) -> None:
    root = URIRef(hub.iri("catalog"))
    datasets = set(catalog.objects(root, DCAT.dataset))
    partner_graphs = [g for g in snapshot.graphs() if "/graph/partner/" in g.value]
    hub_parts = {URIRef(hub.iri("graph", "curated")), URIRef(hub.iri("dataset") + "#open")}
    assert datasets == {URIRef(hub.iri("dataset"))} | {URIRef(g.value) for g in partner_graphs} | hub_parts
    for graph in partner_graphs:
        partner = ox.NamedNode(graph.value.replace("/graph/partner/", "/partner/"))
        licence = URIRef(next(snapshot.quads(partner, ox.NamedNode(DCT + "license"), None, None)).object.value)
        distributions = list(catalog.objects(URIRef(graph.value), DCAT.distribution))
        assert len(distributions) == 3  # its Turtle and N-Triples dumps, its event stream
        assert {catalog.value(d, DCTERMS.license) for d in distributions} == {licence}
        stream = URIRef(graph.value.replace("/graph/partner/", "/stream/partner/"))
        assert [d for d in distributions if catalog.value(d, DCAT.accessURL) == stream]
        assert catalog.value(URIRef(graph.value), DCTERMS.publisher) == URIRef(partner.value)
    service = URIRef(hub.iri("sparql"))
    assert (root, DCAT.service, service) in catalog and (service, RDF.type, DCAT.DataService) in catalog
    assert catalog.value(service, DCAT.endpointURL) == service
    assert set(catalog.objects(service, DCAT.servesDataset)) == datasets
    sparql_access = [
        d
        for d in catalog.objects(URIRef(hub.iri("dataset")), DCAT.distribution)
        if catalog.value(d, DCAT.accessService) == service
    ]
    assert len(sparql_access) == 1


def test_every_download_url_gives_the_announced_size_and_checksum(catalog: rdflib.Graph) -> None:
    checked = 0
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        url = catalog.value(distribution, DCAT.downloadURL)
        if url is None:
            continue
        response = requests.get(str(url), timeout=60)
        assert response.status_code == 200
        size = int(catalog.value(distribution, DCAT.byteSize))
        assert len(response.content) == size == int(response.headers["Content-Length"])
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(response.content).hexdigest()
        media_type = str(catalog.value(distribution, DCAT.mediaType)).split("/media-types/")[1]
        assert media_type in {"application/n-quads", "text/turtle", "application/n-triples"}
        checked += 1
    assert checked == 3 + 2 + (3 + 1) * 2  # the hub and its open part, the curated data, four partners


def test_the_contact_address_comes_from_the_settings(limited_server: LiveServer) -> None:
    catalog = fetch(limited_server.url("catalog"), "application/rdf+xml")
    contacts = set(catalog.objects(None, DCAT.contactPoint))
    assert {catalog.value(c, VCARD.hasEmail) for c in contacts} == {URIRef(f"mailto:{CONTACT_EMAIL}")}
