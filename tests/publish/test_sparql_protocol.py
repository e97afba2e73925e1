"""The SPARQL 1.1 Protocol on a live server, read back by SPARQLWrapper, csv and rdflib.

Every answer is parsed and compared with the same query run in-process on the
published store, for each way of sending a query and each result format.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from carrefour.store.base import Snapshot
from carrefour.vocab import Hub
from tests.publish.conftest import LiveServer

pytestmark = pytest.mark.live

Row = dict[str, str]  # variable -> term in N-Triples syntax


@pytest.fixture(scope="module")
def hub(live_server: LiveServer) -> Hub:
    return Hub(live_server.base)


def partner_graph(hub: Hub, number: int) -> str:
    return hub.iri("graph", "partner", f"partner-{number:02d}")


def select_query(hub: Hub) -> str:
    """IRIs, language-tagged and typed literals, and an OPTIONAL that leaves some rows unbound."""
    return f"""PREFIX schema: <http://schema.org/>
SELECT ?s ?name ?description ?start ?missing WHERE {{
  GRAPH <{partner_graph(hub, 0)}> {{
    ?s a <{hub.ns}Initiative> ; schema:description ?description .
    OPTIONAL {{ ?s schema:name ?name }}
    OPTIONAL {{ ?s schema:startDate ?start }}
    OPTIONAL {{ ?s <{hub.ns}noSuchProperty> ?missing }}
  }}
}} ORDER BY ?s LIMIT 40"""


def expected_rows(snapshot: Snapshot, query: str) -> list[Row]:
    return [{name: str(term) for name, term in row.items()} for row in snapshot.select(query)]


def _term_from_json(value: dict[str, str]) -> str:
    if value["type"] == "uri":
        return str(ox.NamedNode(value["value"]))
    if value["type"] == "bnode":
        return f"_:{value['value']}"
    if "xml:lang" in value:
        return str(ox.Literal(value["value"], language=value["xml:lang"]))
    if "datatype" in value:
        return str(ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"])))
    return str(ox.Literal(value["value"]))


def rows_from_json(document: dict[str, Any]) -> list[Row]:
    return [
        {name: _term_from_json(value) for name, value in binding.items()} for binding in document["results"]["bindings"]
    ]


def rows_from_xml(document: Any) -> list[Row]:
    """SPARQLWrapper hands XML results over as a DOM document."""
    rows = []
    for result in document.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(t.data for t in node.childNodes)
            if node.tagName == "uri":
                row[binding.getAttribute("name")] = str(ox.NamedNode(text))
            elif node.getAttribute("xml:lang"):
                row[binding.getAttribute("name")] = str(ox.Literal(text, language=node.getAttribute("xml:lang")))
            elif node.getAttribute("datatype"):
                datatype = ox.NamedNode(node.getAttribute("datatype"))
                row[binding.getAttribute("name")] = str(ox.Literal(text, datatype=datatype))
            else:
                row[binding.getAttribute("name")] = str(ox.Literal(text))
        rows.append(row)
    return rows


def variables_of(query: str) -> list[str]:
    head = query.split("WHERE")[0]
    return [word[1:] for word in head.split() if word.startswith("?")]


def wrapper(live_server: LiveServer, query: str, return_format: str, method: str, request_method: str) -> Any:
    client = SPARQLWrapper(live_server.url("sparql"))
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setTimeout(30)
    return client.query()


WAYS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
WAY_IDS = ["get", "post-form", "post-body"]


@pytest.mark.parametrize(("method", "request_method"), WAYS, ids=WAY_IDS)
def test_select_as_sparql_json_by_every_method(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub, method: str, request_method: str
) -> None:
    query = select_query(hub)
    result = wrapper(live_server, query, JSON, method, request_method)
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    document = result.convert()
    assert document["head"]["vars"] == ["s", "name", "description", "start", "missing"]
    rows = rows_from_json(document)
    assert rows == expected_rows(snapshot, query)
    assert len(rows) == 40 and all("missing" not in row for row in rows)


@pytest.mark.parametrize(("method", "request_method"), WAYS, ids=WAY_IDS)
def test_select_as_sparql_xml(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub, method: str, request_method: str
) -> None:
    query = select_query(hub)
    result = wrapper(live_server, query, XML, method, request_method)
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    assert rows_from_xml(result.convert()) == expected_rows(snapshot, query)


def test_select_as_csv(live_server: LiveServer, snapshot: Snapshot, hub: Hub) -> None:
    query = select_query(hub)
    result = wrapper(live_server, query, CSV, GET, URLENCODED)
    assert result.response.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(result.convert().decode("utf-8"))))
    assert table[0] == variables_of(query)
    expected = [
        [row[name].value if name in row else "" for name in variables_of(query)] for row in snapshot.select(query)
    ]
    assert table[1:] == expected


def test_select_as_tsv(live_server: LiveServer, snapshot: Snapshot, hub: Hub) -> None:
    query = select_query(hub)
    result = wrapper(live_server, query, TSV, POST, URLENCODED)
    assert result.response.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = result.convert().decode("utf-8").splitlines()
    table = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert table[0] == [f"?{name}" for name in variables_of(query)]
    assert table[1:] == [[row.get(name, "") for name in variables_of(query)] for row in expected_rows(snapshot, query)]


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_ask_in_every_results_format(live_server: LiveServer, hub: Hub, return_format: str) -> None:
    for query, expected in (
        (f"ASK {{ ?s a <{hub.ns}Initiative> }}", True),
        (f"ASK {{ ?s a <{hub.ns}NoSuchClass> }}", False),
    ):
        converted = wrapper(live_server, query, return_format, GET, URLENCODED).convert()
        if return_format == JSON:
            assert converted["boolean"] is expected
        elif return_format == XML:
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()
        else:
            assert converted.decode().split() == [
                "_askResult" if return_format == CSV else "?_askResult",
                str(expected).lower(),
            ]


def construct_query(hub: Hub) -> str:
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH <{partner_graph(hub, 1)}> {{ ?s a <{hub.ns}Actor> ; ?p ?o }}
}}"""


def expected_graph(snapshot: Snapshot, where: str) -> rdflib.Graph:
    rows = snapshot.select(f"SELECT ?s ?p ?o WHERE {{ {where} }}")
    triples = [ox.Triple(row["s"], row["p"], row["o"]) for row in rows]
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


GRAPH_FORMATS = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
]


@pytest.mark.parametrize(("media_type", "parser"), GRAPH_FORMATS)
def test_construct_negotiated_in_every_rdf_format(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub, media_type: str, parser: str
) -> None:
    query = construct_query(hub)
    response = requests.get(
        live_server.url("sparql"), params={"query": query}, headers={"Accept": media_type}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=parser)
    expected = expected_graph(snapshot, f"GRAPH <{partner_graph(hub, 1)}> {{ ?s a <{hub.ns}Actor> ; ?p ?o }}")
    assert len(graph) == len(expected) > 0
    assert isomorphic(graph, expected)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # SPARQLWrapper builds rdflib's ConjunctiveGraph
@pytest.mark.parametrize(
    ("return_format", "parser"), [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, None), (JSONLD, None)]
)
def test_construct_through_sparqlwrapper(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub, return_format: str, parser: str | None
) -> None:
    query = construct_query(hub)
    converted = wrapper(live_server, query, return_format, POST, URLENCODED).convert()
    graph = rdflib.Graph().parse(data=converted, format=parser) if parser else converted
    expected = expected_graph(snapshot, f"GRAPH <{partner_graph(hub, 1)}> {{ ?s a <{hub.ns}Actor> ; ?p ?o }}")
    assert isomorphic(rdflib.Graph() + graph, expected)


def test_describe_gives_the_resource_statements(live_server: LiveServer, snapshot: Snapshot, hub: Hub) -> None:
    iri = snapshot.select(f"SELECT ?s WHERE {{ ?s a <{hub.ns}Initiative> }} ORDER BY ?s LIMIT 1")[0]["s"]
    response = requests.post(
        live_server.url("sparql"),
        data=f"DESCRIBE {iri}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    described = rdflib.Graph().parse(data=response.content, format="nt")
    # Engines may add what points to the resource (Virtuoso does: a validation report's focus node).
    graph = rdflib.Graph()
    for triple in described.triples((rdflib.URIRef(iri.value), None, None)):
        graph.add(triple)
    expected = expected_graph(snapshot, f"BIND({iri} AS ?s) {iri} ?p ?o")
    assert isomorphic(graph, expected) and len(graph) > 10


@pytest.mark.parametrize(
    ("value", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept_for_select(live_server: LiveServer, value: str, media_type: str) -> None:
    response = requests.get(
        live_server.url("sparql"),
        params={"query": "SELECT ?g WHERE { GRAPH ?g {} }", "format": value},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("value", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("json-ld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ],
)
def test_format_parameter_overrides_accept_for_construct(live_server: LiveServer, value: str, media_type: str) -> None:
    response = requests.post(
        live_server.url("sparql"),
        data={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 5", "format": value},
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert len(rdflib.Graph().parse(data=response.content, format=media_type)) == 5


def test_unavailable_formats_get_406_naming_the_offers(live_server: LiveServer) -> None:
    select = requests.get(
        live_server.url("sparql"),
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert select.status_code == 406 and "application/sparql-results+json" in select.text
    construct = requests.get(
        live_server.url("sparql"), params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "format": "csv"}, timeout=30
    )
    assert construct.status_code == 406 and "jsonld" in construct.text


def count(live_server: LiveServer, query: str, params: list[tuple[str, str]], method: str = "GET") -> int:
    if method == "GET":
        response = requests.get(live_server.url("sparql"), params=[("query", query), *params], timeout=30)
    else:
        response = requests.post(live_server.url("sparql"), data=[("query", query), *params], timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union_and_default_graph_uri_narrows_it(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub
) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    g0, g1 = (ox.NamedNode(partner_graph(hub, n)) for n in (0, 1))
    assert count(live_server, query, []) == snapshot.count()
    assert count(live_server, query, [("default-graph-uri", g0.value)]) == snapshot.count(g0)
    both = [("default-graph-uri", g0.value), ("default-graph-uri", g1.value)]
    assert count(live_server, query, both, method="POST") == snapshot.count(g0) + snapshot.count(g1)


def test_named_graph_uri_is_the_only_named_graph(live_server: LiveServer, hub: Hub) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    g0 = partner_graph(hub, 0)
    response = requests.get(live_server.url("sparql"), params={"query": query, "named-graph-uri": g0}, timeout=30)
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [g0]
    # Naming only default graphs leaves no named graph (SPARQL 1.1 Protocol, 2.1.4).
    response = requests.get(live_server.url("sparql"), params={"query": query, "default-graph-uri": g0}, timeout=30)
    assert response.json()["results"]["bindings"] == []


def test_wrapper_dataset_parameters(live_server: LiveServer, snapshot: Snapshot, hub: Hub) -> None:
    client = SPARQLWrapper(live_server.url("sparql"))
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    client.setReturnFormat(JSON)
    client.addNamedGraph(partner_graph(hub, 2))
    document = client.query().convert()
    assert int(document["results"]["bindings"][0]["n"]["value"]) == snapshot.count(ox.NamedNode(partner_graph(hub, 2)))


def test_from_clauses_are_honoured_and_the_protocol_overrides_them(
    live_server: LiveServer, snapshot: Snapshot, hub: Hub
) -> None:
    g0, g1 = (ox.NamedNode(partner_graph(hub, n)) for n in (0, 1))
    query = f"SELECT (COUNT(*) AS ?n) FROM {g0} WHERE {{ ?s ?p ?o }}"
    assert count(live_server, query, []) == snapshot.count(g0)
    assert count(live_server, query, [("default-graph-uri", g1.value)]) == snapshot.count(g1)


def test_invalid_graph_iri_is_a_400(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url("sparql"), params={"query": "ASK {}", "default-graph-uri": "not an iri"}, timeout=30
    )
    assert response.status_code == 400 and "default-graph-uri" in response.text


def test_protocol_errors(live_server: LiveServer) -> None:
    url = live_server.url("sparql")
    two = requests.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=30)
    assert two.status_code == 400 and "exactly one query" in two.text
    other = requests.post(url, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert other.status_code == 415 and "application/sparql-query" in other.text
    empty = requests.post(url, data={"query": "  "}, timeout=30)
    assert empty.status_code == 400 and "empty" in empty.text
    none = requests.post(url, data={"default-graph-uri": "http://example.org/g"}, timeout=30)
    assert none.status_code == 400


def test_service_description(live_server: LiveServer, snapshot: Snapshot, hub: Hub) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    for media_type in ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"):
        response = requests.get(live_server.url("sparql"), headers={"Accept": media_type}, timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
        graph = rdflib.Graph().parse(data=response.content, format=media_type)
        service = rdflib.URIRef(hub.iri("sparql"))
        assert (service, rdflib.RDF.type, sd.Service) in graph
        assert (service, sd.endpoint, service) in graph
        assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
        assert (service, sd.feature, sd.UnionDefaultGraph) in graph
        assert (service, sd.supportedLanguage, sd.SPARQL11Update) not in graph
        formats = set(graph.objects(service, sd.resultFormat))
        assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats and len(formats) == 8
        dataset = graph.value(service, sd.defaultDataset)
        names = {
            graph.value(named, sd.name): graph.value(graph.value(named, sd.graph), void.triples)
            for named in graph.objects(dataset, sd.namedGraph)
        }
        assert {str(name) for name in names} == {g.value for g in snapshot.graphs()}
        for name, triples in names.items():
            assert int(triples) == snapshot.count(ox.NamedNode(str(name)))


def test_sparql_without_accept_is_the_service_description_and_browsers_get_the_editor(live_server: LiveServer) -> None:
    machine = requests.get(live_server.url("sparql"), headers={"Accept": "*/*"}, timeout=30)
    assert machine.headers["Content-Type"].startswith("text/turtle")
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    browser = requests.get(live_server.url("sparql"), headers={"Accept": browser_accept}, timeout=30)
    assert browser.headers["Content-Type"].startswith("text/html") and 'id="yasgui"' in browser.text
    # A link to a query opens it in the editor, which reads the query from the page's URL.
    linked = requests.get(
        live_server.url("sparql"), params={"query": "ASK {}"}, headers={"Accept": browser_accept}, timeout=30
    )
    assert linked.headers["Content-Type"].startswith("text/html") and 'id="yasgui"' in linked.text
    data = json.loads(linked.text.split('id="sparql-examples">')[1].split("</script>")[0])
    assert len(data) >= 6 and all(example["query"] for example in data)
