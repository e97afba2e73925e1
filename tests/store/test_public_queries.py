"""Public queries give the same answers on both backends, in every format, under the same limits.

Expected answers come from pyoxigraph in memory over the same quads; both backends'
bodies are parsed back with rdflib (an independent reader) and compared as sets:
engines order rows differently (language-tagged names, tied aggregates).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

from carrefour.errors import QueryError, QueryTimeout
from carrefour.sparql_results import RESULT_FORMATS, serialize_select
from carrefour.store.base import PublicQuery, Snapshot
from tests.conftest import BACKEND_PARAMS
from tests.support.backends import Backend, close_backend, open_backend
from tests.support.queries import public_query
from tests.support.zoo import BIG, Zoo, big_graph, build, publish

PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
SELECTS = {
    "names": "SELECT ?s ?name WHERE { ?s schema:name ?name }",
    "typed": 'SELECT ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) != xsd:string) }',
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "optional": "SELECT ?s ?pos ?street WHERE { ?s schema:name ?n OPTIONAL { ?s schema:position ?pos } "
    "OPTIONAL { ?s schema:address/schema:streetAddress ?street } }",
    "hostile": "SELECT ?d WHERE { ?s schema:description ?d }",
    "blank": "SELECT ?c ?name WHERE { ?s schema:contactPoint ?c . ?c schema:name ?name }",
    "ordered": "SELECT ?s ?pos WHERE { ?s schema:position ?pos } ORDER BY DESC(?pos) LIMIT 7",
}
CONSTRUCTS = {
    "names": "CONSTRUCT { ?s schema:name ?name } WHERE { ?s schema:name ?name FILTER(!isBlank(?s)) }",
    "typed": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
    "FILTER(isLiteral(?o) && LANG(?o) = '' && DATATYPE(?o) != xsd:string) }",
}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Backend, Zoo]]:
    backend = open_backend(
        request.param, tmp_path_factory.mktemp("public"), lambda: request.getfixturevalue("virtuoso_server")
    )
    zoo = build(backend.hub)
    zoo.quads += big_graph(zoo.hub)
    publish(backend.store(), {g: zoo.graph(g) for g in zoo.graphs()})
    yield backend, zoo
    close_backend(backend, request.getfixturevalue("virtuoso_server") if backend.name == "virtuoso" else None)


@pytest.fixture(scope="module")
def snapshot(published: tuple[Backend, Zoo]) -> Snapshot:
    return published[0].store().snapshot()


@pytest.fixture(scope="module")
def oracle(published: tuple[Backend, Zoo]) -> ox.Store:
    store = ox.Store()
    store.extend(published[1].quads)
    return store


def rows_of(body: bytes, format_name: str) -> set[tuple[str, ...]]:
    """Rows as rdflib reads them; blank nodes are erased (their labels are the engine's own)."""
    result = Result.parse(io.BytesIO(body), format=format_name)
    return {
        tuple(
            "_:" if isinstance(row[v], rdflib.BNode) else (row[v].n3() if row[v] is not None else "")
            for v in result.vars
        )
        for row in result
    }


@pytest.mark.parametrize("name", SELECTS)
@pytest.mark.parametrize("format_name", [f.name for f in RESULT_FORMATS])
def test_select_answers_in_every_format(snapshot: Snapshot, oracle: ox.Store, name: str, format_name: str) -> None:
    text = PREFIXES + SELECTS[name]
    expected = oracle.query(text, use_default_graph_as_union=True)
    variables = [v.value for v in expected.variables]
    expected_rows = [{v: s[v] for v in variables if s[v] is not None} for s in expected]
    answer = snapshot.run_public_query(public_query(text, select_format=format_name))
    assert answer.form == "SELECT" and not answer.capped
    assert answer.count == len(expected_rows)
    assert answer.media_type == next(f.media_type for f in RESULT_FORMATS if f.name == format_name)
    assert rows_of(answer.body, format_name) == rows_of(
        serialize_select(variables, expected_rows, format_name), format_name
    )


@pytest.mark.parametrize("format_name", [f.name for f in RESULT_FORMATS])
def test_ask_answers(snapshot: Snapshot, format_name: str) -> None:
    ask = PREFIXES + "ASK { ?s schema:position %s }"
    yes = snapshot.run_public_query(public_query(ask % 7, select_format=format_name))
    no = snapshot.run_public_query(public_query(ask % 7000, select_format=format_name))
    assert yes.form == no.form == "ASK"
    if format_name in ("json", "xml"):
        assert Result.parse(io.BytesIO(yes.body), format=format_name).askAnswer is True
        assert Result.parse(io.BytesIO(no.body), format=format_name).askAnswer is False
    else:
        assert yes.body.split()[-1] == b"true" and no.body.split()[-1] == b"false"


@pytest.mark.parametrize("name", CONSTRUCTS)
@pytest.mark.parametrize("format_name", RDFLIB_FORMATS)
def test_construct_answers_in_every_format(snapshot: Snapshot, oracle: ox.Store, name: str, format_name: str) -> None:
    text = PREFIXES + CONSTRUCTS[name]
    expected = rdflib.Graph()
    expected.parse(
        data=ox.serialize(oracle.query(text, use_default_graph_as_union=True), format=ox.RdfFormat.N_TRIPLES),
        format="nt",
    )
    answer = snapshot.run_public_query(public_query(text, graph_format=format_name))
    assert answer.form == "CONSTRUCT" and not answer.capped and answer.count == len(expected)
    got = rdflib.Graph()
    got.parse(data=answer.body, format=RDFLIB_FORMATS[format_name])
    assert isomorphic(got, expected)


def test_the_dataset_of_a_query_is_respected(published: tuple[Backend, Zoo], snapshot: Snapshot) -> None:
    zoo = published[1]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(query: PublicQuery) -> int:
        return int(next(iter(rows_of(snapshot.run_public_query(query).body, "json")))[0].split('"')[1])

    assert n(public_query(count)) == len(zoo.quads)
    assert n(public_query(count, default_graphs=(zoo.alpha.value,))) == len(zoo.graph(zoo.alpha))
    assert n(public_query(f"SELECT (COUNT(*) AS ?n) FROM <{zoo.beta.value}> WHERE {{ ?s ?p ?o }}")) == len(
        zoo.graph(zoo.beta)
    )
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{zoo.alpha.value}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert n(public_query(named)) == len(zoo.graph(zoo.alpha))
    overridden = f"SELECT (COUNT(*) AS ?n) FROM <{zoo.beta.value}> WHERE {{ ?s ?p ?o }}"
    assert n(public_query(overridden, default_graphs=(zoo.alpha.value,))) == len(zoo.graph(zoo.alpha))  # protocol wins
    for system in ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#"):
        assert n(public_query(f"SELECT (COUNT(?s) AS ?n) FROM <{system}> WHERE {{ ?s ?p ?o }}")) == 0
        assert n(public_query("SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }", default_graphs=(system,))) == 0
        assert n(public_query("SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=(system,))) == 0


@pytest.mark.parametrize("cap", [10_000, 20_000])
def test_the_cap_is_flagged_and_the_hub_never_claims_a_cut_answer_is_whole(snapshot: Snapshot, cap: int) -> None:
    """Virtuoso cuts at its own ResultSetMaxRows without a word: the hub must still flag it."""
    select = snapshot.run_public_query(
        public_query("SELECT ?s ?id WHERE { ?s <http://schema.org/identifier> ?id }", cap=cap)
    )
    construct = snapshot.run_public_query(
        public_query(
            "CONSTRUCT { ?s <http://schema.org/identifier> ?id } WHERE { ?s <http://schema.org/identifier> ?id }",
            cap=cap,
        )
    )
    for answer in (select, construct):
        assert answer.count <= cap
        assert answer.capped == (answer.count < BIG)
    assert len(rows_of(select.body, "json")) == select.count
    assert select.capped and construct.capped if cap < BIG else True
    small = snapshot.run_public_query(public_query("SELECT ?s WHERE { ?s <http://schema.org/position> ?p }", cap=cap))
    assert small.count == 40 and not small.capped


def test_an_expensive_query_is_cut_at_its_time_limit(snapshot: Snapshot) -> None:
    expensive = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://schema.org/identifier> ?x . ?b <http://schema.org/identifier> ?y "
        'FILTER(CONCAT(?x, "-") = ?y) }'
    )
    with pytest.raises(QueryTimeout):
        snapshot.run_public_query(public_query(expensive, timeout=2))
    assert snapshot.run_public_query(public_query("ASK { ?s ?p ?o }", timeout=30)).count == 1  # and the next one runs


@pytest.mark.parametrize(
    "text",
    ["SELECT * WHERE { ?s ?p }", "SELECT ?x WHERE { ?x ?y ?z } ORDER BY", "CONSTRUCT WHERE { ?s ?p ?o ", "hello"],
)
def test_malformed_queries_are_query_errors(snapshot: Snapshot, text: str) -> None:
    with pytest.raises(QueryError):
        snapshot.run_public_query(public_query(text))


def test_an_unknown_graph_format_is_a_query_error(snapshot: Snapshot) -> None:
    with pytest.raises(QueryError, match="unsupported graph format"):
        snapshot.run_public_query(public_query("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="nq"))


@pytest.mark.parametrize(
    "text",
    [
        "DEFINE input:default-graph-uri <http://www.openlinksw.com/schemas/virtrdf#> SELECT * WHERE { ?s ?p ?o }",
        'define get:soft "replace" SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }',
        "SELECT (bif:now() AS ?t) WHERE { }",
        "PREFIX b: <bif:> SELECT (b:sys_stat('st_dbms_ver') AS ?v) WHERE { }",
        "SELECT * WHERE { ?s rdf:type ?o }",
    ],
)
def test_store_extensions_are_refused_as_on_a_standard_engine(snapshot: Snapshot, text: str) -> None:
    """Virtuoso's pragmas and SQL functions would change the dataset, fetch URLs or reach its SQL."""
    with pytest.raises(QueryError):
        snapshot.run_public_query(public_query(text))
