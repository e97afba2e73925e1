"""Where Virtuoso 7.2.5 leaves the standard, and how the hub copes: each quirk shown raw, then handled.

The raw requests talk to Virtuoso directly (requests, no hub code) to show the quirk
is real; the hub's answer comes through the Store seam.
"""

from __future__ import annotations

import io
import re
import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Variable
from rdflib.query import Result

from carrefour.errors import QueryError, QueryTimeout, StoreError
from carrefour.store.remote import RemoteStore
from carrefour.store.sparql_client import INSERT_CHUNK
from carrefour.vocab import SCHEMA, XSD, Hub
from tests.support import virtuoso
from tests.support.backends import fresh_base, remote_store
from tests.support.queries import public_query
from tests.support.zoo import BIG, HOSTILE, Zoo, big_graph, build, canonical, publish, typed

pytestmark = [pytest.mark.virtuoso, pytest.mark.skipif(not virtuoso.available(), reason=virtuoso.NOT_INSTALLED)]

XML = {"Accept": "application/sparql-results+xml"}
JSON = {"Accept": "application/sparql-results+json"}
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


@pytest.fixture(scope="module")
def published(
    virtuoso_server: virtuoso.Virtuoso, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RemoteStore, Zoo]]:
    hub = Hub(fresh_base())
    store = remote_store(virtuoso_server, hub, tmp_path_factory.mktemp("quirks"))
    zoo = build(hub)
    zoo.quads += big_graph(hub)
    publish(store, {g: zoo.graph(g) for g in zoo.graphs()})
    yield store, zoo
    store.close()
    virtuoso_server.drop_graphs_under(hub.base)


def raw(server: virtuoso.Virtuoso, query: str, headers: dict[str, str] = XML, **params: str) -> requests.Response:
    return requests.post(server.query_url, data={"query": query, **params}, headers=headers, timeout=60)


def big_query(zoo: Zoo) -> str:
    return f"SELECT ?s ?id WHERE {{ GRAPH {zoo.hub.graph('partner', 'big')} {{ ?s <{SCHEMA}identifier> ?id }} }}"


def test_a_direct_post_of_the_query_hangs_so_queries_are_form_posts(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    with pytest.raises(requests.Timeout):
        requests.post(
            virtuoso_server.query_url,
            data=b"ASK { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query", **XML},
            timeout=3,
        )
    assert published[0].snapshot().ask("ASK { ?s ?p ?o }")


def test_result_set_max_rows_cuts_without_an_error_and_the_hub_pages_past_it(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    response = raw(virtuoso_server, big_query(zoo))
    assert response.status_code == 200
    assert response.headers["X-SPARQL-MaxRows"] == "10000"
    assert response.text.count("<result>") == 10_000  # of 15,000
    construct = raw(
        virtuoso_server,
        big_query(zoo).replace("SELECT ?s ?id WHERE", f"CONSTRUCT {{ ?s <{SCHEMA}identifier> ?id }} WHERE"),
        {"Accept": "application/n-triples"},
    )
    assert len(list(ox.parse(construct.content, format=ox.RdfFormat.N_TRIPLES))) in (10_000, 10_001)
    assert "X-SPARQL-MaxRows" not in construct.headers  # not even a header for graphs
    snapshot = store.snapshot()
    assert len(snapshot.select(big_query(zoo))) == BIG
    assert len(list(snapshot.quads(graph=zoo.hub.graph("partner", "big")))) == BIG
    assert snapshot.count(zoo.hub.graph("partner", "big")) == BIG


def test_sorting_past_the_row_limit_is_refused_so_the_hub_nests_the_ordered_query(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    response = raw(virtuoso_server, big_query(zoo) + " ORDER BY ?id LIMIT 10000 OFFSET 10000")
    assert response.status_code == 500 and "SR353" in response.text
    rows = store.snapshot().select(big_query(zoo) + " ORDER BY ?id")
    assert len(rows) == BIG and len({r["s"] for r in rows}) == BIG


def test_json_results_use_the_old_typed_literal_and_booleans_as_1_so_the_hub_reads_xml(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    query = f"SELECT ?active WHERE {{ {zoo.one} <{SCHEMA}active> ?active }}"
    binding = raw(virtuoso_server, query, JSON).json()["results"]["bindings"][0]["active"]
    assert binding == {"type": "typed-literal", "datatype": XSD + "boolean", "value": "1"}
    assert store.snapshot().select(query) == [{"active": typed("true", "boolean")}]
    answer = store.snapshot().run_public_query(public_query(query, select_format="json"))
    assert b"typed-literal" not in answer.body
    assert Result.parse(io.BytesIO(answer.body), format="json").bindings[0][Variable("active")].toPython() is True


def test_carriage_returns_are_raw_in_its_xml_and_kept_by_the_hub(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    text = next(t for t in HOSTILE if "\r" in t)
    query = f"SELECT ?d WHERE {{ {zoo.one} <{SCHEMA}description> ?d FILTER(CONTAINS(?d, 'lignes')) }}"
    parsed = ET.fromstring(raw(virtuoso_server, query).content)  # noqa: S314 - our own test server
    assert "\r" not in "".join(parsed.itertext())  # a conforming parser reads a raw CR as a line feed
    assert store.snapshot().select(query) == [{"d": ox.Literal(text)}]


def test_bnode_is_not_implemented_and_the_hub_says_so_as_a_query_error(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    query = "SELECT (BNODE() AS ?b) WHERE { }"
    response = raw(virtuoso_server, query)
    assert response.status_code == 400 and "not implemented" in response.text
    with pytest.raises(QueryError, match="the store could not run this query") as refused:
        published[0].snapshot().run_public_query(public_query(query))
    assert "Virtuoso" not in str(refused.value)  # its words go to the log


def test_it_merges_from_clauses_with_the_protocol_dataset_so_the_hub_rewrites_them(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    query = f"SELECT (COUNT(?s) AS ?n) FROM <{VIRTRDF}> WHERE {{ ?s ?p ?o }}"
    response = raw(virtuoso_server, query, JSON, **{"default-graph-uri": zoo.alpha.value})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > len(zoo.graph(zoo.alpha))
    answer = store.snapshot().run_public_query(public_query(query))
    assert Result.parse(io.BytesIO(answer.body), format="json").bindings[0][Variable("n")].toPython() == 0


def test_count_of_a_graph_outside_the_named_graphs_is_1_so_the_hub_names_it_alone(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    nothing = zoo.hub.graph("nothing")
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nothing} {{ ?s ?p ?o }} }}"
    response = raw(virtuoso_server, query, JSON, **{"named-graph-uri": zoo.alpha.value})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "1"
    assert store.snapshot().count(nothing) == 0


def regex_pairs(zoo: Zoo) -> tuple[str, int]:
    """A query too slow to finish in seconds (a regex on 225 million pairs), and its number of answers."""
    graph = zoo.hub.graph("partner", "big")
    query = (
        f"SELECT ?x ?y WHERE {{ GRAPH {graph} {{ ?a <{SCHEMA}identifier> ?x . ?b <{SCHEMA}identifier> ?y }} "
        'FILTER(REGEX(CONCAT(?x, ?y), "^1+2$")) }'
    )
    ones = [str(i) for i in range(BIG) if set(str(i)) == {"1"}]
    answers = sum(1 for x in ones for y in range(BIG) if re.fullmatch("1+2", x + str(y)))
    return query, answers


@pytest.mark.timeout(90)
def test_its_anytime_answers_are_cut_without_a_word_so_the_hub_never_asks_for_them(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    query, answers = regex_pairs(zoo)
    response = raw(virtuoso_server, query, timeout="2000")  # Virtuoso's own parameter: stop at 2 s
    rows = response.text.count("<result>")
    assert response.status_code == 200 and rows < answers  # a part of the answer, as a 200
    if rows:  # when it found some rows in time, nothing says the list is cut
        assert "X-SQL-State" not in response.headers
    counted = raw(virtuoso_server, query.replace("SELECT ?x ?y", "SELECT (COUNT(*) AS ?n)"), timeout="2000")
    assert counted.headers["X-SQL-State"] == "S1TAT"  # only aggregates say so
    with pytest.raises(QueryTimeout, match="3 s"):
        store.snapshot().run_public_query(public_query(query, timeout=3))


@pytest.mark.timeout(120)
def test_a_query_over_its_own_time_limit_is_a_timeout_and_queries_the_hub_cuts_stop_there(tmp_path: Path) -> None:
    """MaxQueryExecutionTime below the hub's limit: Virtuoso's error (SR171) is a 503 timeout, not a failure;
    above it, the store's limit is what ends a query the hub has given up on."""
    server = virtuoso.start(tmp_path / "strict", max_seconds=2)
    try:
        store = remote_store(server, Hub(fresh_base()), tmp_path)
        zoo = build(store.hub)
        zoo.quads += big_graph(store.hub)
        publish(store, {g: zoo.graph(g) for g in zoo.graphs()})
        query, _ = regex_pairs(zoo)
        response = raw(server, query)
        assert response.status_code == 500 and "SR171" in response.text
        with pytest.raises(QueryTimeout, match="store's time limit"):
            store.snapshot().run_public_query(public_query(query, timeout=30))
        # A query the hub cuts first runs on in Virtuoso (it does not always see its client leave)
        # until this limit: MaxQueryExecutionTime is what bounds it (docs/deployment.md).
        shapes = [query, query + " ORDER BY DESC(?x)"]
        shapes.append(query.replace("SELECT ?x ?y WHERE", "CONSTRUCT { ?a <urn:paired> ?b } WHERE"))
        for shape in shapes:
            started = time.monotonic()
            with pytest.raises(QueryTimeout):
                store.snapshot().run_public_query(public_query(shape, timeout=1))
            time.sleep(max(0.0, started + 2 + 1.5 - time.monotonic()))  # past the store's 2 s, and a margin
            settled = _cpu_seconds(server.process.pid)
            time.sleep(2)  # a query still running would use these 2 s of a core
            assert _cpu_seconds(server.process.pid) - settled < 0.4, shape
        store.close()
    finally:
        server.stop()


def test_writes_need_the_authenticated_endpoint(virtuoso_server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    response = requests.post(
        virtuoso_server.query_url,
        data={"query": "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"},
        timeout=30,
    )
    assert response.status_code == 500 and "permission" in response.text
    store = remote_store(virtuoso_server, Hub(fresh_base()), tmp_path, update=virtuoso_server.query_url, user="")
    with pytest.raises(StoreError, match="refused an update .*permission"), store.writer():
        pass


def test_lexical_forms_of_typed_literals_are_its_own(virtuoso_server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    """A known difference the hub cannot undo: Virtuoso stores values, not lexical forms.

    Canonical forms ("1.5", "7", "true", "…Z") come back as written (see test_reading);
    other forms of the same value come back in Virtuoso's canonical form.
    """
    hub = Hub(fresh_base())
    store = remote_store(virtuoso_server, hub, tmp_path)
    node, graph = hub.node("initiative", "x", "1"), hub.graph("partner", "x")
    written = {"decimal": "1.50", "integer": "007", "double": "1.0E3", "boolean": "1"}
    read_back = {"decimal": "1.5", "integer": "7", "double": "1000.0", "boolean": "true"}
    publish(store, {graph: [ox.Triple(node, ox.NamedNode(f"urn:{k}"), typed(v, k)) for k, v in written.items()]})
    found = {q.predicate.value[4:]: q.object for q in store.snapshot().quads(node)}
    assert found == {k: typed(v, k) for k, v in read_back.items()}
    virtuoso_server.drop_graphs_under(hub.base)


def test_uploads_without_the_graph_store_protocol_keep_blank_nodes_whole(
    virtuoso_server: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    """INSERT DATA in chunks: a blank node cut across two requests would become two nodes."""
    hub = Hub(fresh_base())
    store = remote_store(virtuoso_server, hub, tmp_path, graph_store=None)
    graph = hub.graph("partner", "chain")
    nodes = [ox.BlankNode() for _ in range(INSERT_CHUNK)]  # one chain of 2 x 500 triples, longer than a chunk
    quads = [ox.Quad(a, ox.NamedNode(f"{SCHEMA}next"), b, graph) for a, b in zip(nodes, nodes[1:], strict=False)]
    quads += [ox.Quad(n, ox.NamedNode(f"{SCHEMA}position"), ox.Literal(str(i)), graph) for i, n in enumerate(nodes)]
    quads += [
        ox.Quad(hub.node("initiative", "x", str(i)), ox.NamedNode(f"{SCHEMA}name"), ox.Literal(str(i)), graph)
        for i in range(3000)
    ]
    quads.append(ox.Quad(hub.node("initiative", "x", "0"), ox.NamedNode(f"{SCHEMA}knows"), nodes[0], graph))
    publish(store, {graph: quads})
    assert canonical(store.snapshot().quads(graph=graph)) == canonical(quads)
    virtuoso_server.drop_graphs_under(hub.base)


def test_it_does_not_start_when_its_port_is_taken_so_tests_pick_free_ports(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(virtuoso.PortTaken, match=str(port)):
            virtuoso.start(tmp_path / "taken", http_port=port)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|^<urn:p>)* ?x . ?x (<urn:p>|^<urn:p>)* ?y }",  # TR…: unbound ends
        "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, '[')) }",
    ],
)
def test_what_virtuoso_cannot_run_is_a_400_without_its_internals(
    published: tuple[RemoteStore, Zoo], query: str
) -> None:
    store, _ = published
    with pytest.raises(QueryError) as refused:
        store.snapshot().run_public_query(public_query(query, timeout=10))
    said = str(refused.value)
    assert refused.value.status == 400
    assert not any(word in said for word in ("Virtuoso", "SQL", "define", "SPARQL query", "urn:p", "graph"))


def test_it_echoes_every_dataset_graph_as_a_header_so_the_hub_reads_answers_with_hundreds_of_headers(
    virtuoso_server: virtuoso.Virtuoso, published: tuple[RemoteStore, Zoo]
) -> None:
    store, zoo = published
    graphs = [zoo.hub.iri("graph", "partner", f"many-{n}") for n in range(150)]
    answer = raw(virtuoso_server, "ASK { ?s ?p ?o }", **{"default-graph-uri": graphs[0]})
    assert "X-SPARQL-default-graph" in answer.headers
    dataset = [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
    found = store.client.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", dataset)
    assert found.solutions == []  # 300 headers answered, and read
