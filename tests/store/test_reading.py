"""Reading through the seam gives back exactly what was written, on both backends."""

from __future__ import annotations

import io
import itertools

import pyoxigraph as ox
import pytest

from carrefour.errors import QueryError
from carrefour.vocab import RDF_TYPE, SCHEMA
from tests.support.backends import Backend
from tests.support.zoo import HOSTILE, TYPED, Zoo, canonical, s

VIRTUOSO_SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#")


def as_set(quads: object) -> set[str]:
    """Quads as comparable text; blank nodes are the same node only within one answer, so they are erased."""
    return {
        " ".join(
            "_:" if isinstance(t, ox.BlankNode) else str(t) for t in (q.subject, q.predicate, q.object, q.graph_name)
        )
        for q in quads  # type: ignore[attr-defined]
    }


def test_graphs_and_counts(zoo_backend: Backend, zoo: Zoo) -> None:
    snapshot = zoo_backend.store().snapshot()
    assert snapshot.graphs() == [zoo.alpha, zoo.beta]
    assert snapshot.count(zoo.alpha) == len(zoo.graph(zoo.alpha))
    assert snapshot.count(zoo.beta) == len(zoo.graph(zoo.beta))
    assert snapshot.count() == len(zoo.quads)
    assert snapshot.count(zoo.hub.graph("nothing")) == 0


def test_describe_gives_the_resource_and_its_fragments(zoo_backend: Backend, zoo: Zoo) -> None:
    described = zoo_backend.store().snapshot().describe(zoo.one)
    prefix = zoo.one.value + "#"
    expected = [
        q
        for q in zoo.quads
        if q.subject == zoo.one or isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
    ]
    assert as_set(described) == as_set(expected)
    assert len(described) == len(expected)
    assert not any(q.subject.value.endswith("-other") for q in described if isinstance(q.subject, ox.NamedNode))


def test_lookup_gives_each_subjects_values_in_one_go(zoo_backend: Backend, zoo: Zoo) -> None:
    subjects = [zoo.hub.node("initiative", "beta", str(i)) for i in (7, 3)] + [zoo.one, zoo.hub.node("nothing")]
    predicates = [s("name"), RDF_TYPE]
    found = zoo_backend.store().snapshot().lookup(subjects, predicates)
    expected = [q for q in zoo.quads if q.subject in subjects and q.predicate in predicates]
    assert as_set(found) == as_set(expected) and len(found) == len(expected)
    assert [q.subject for q in found] == sorted((q.subject for q in found), key=subjects.index)  # subject by subject


@pytest.mark.parametrize("which", ["one", "referred"])
def test_a_neighbourhood_is_what_the_separate_reads_give(zoo_backend: Backend, zoo: Zoo, which: str) -> None:
    """The resource (fragments of fragments too), what points to it, and the names of all they link to."""
    snapshot = zoo_backend.store().snapshot()
    iri = zoo.one if which == "one" else zoo.hub.node("initiative", "beta", "0")
    naming = [s("name"), RDF_TYPE]
    around = snapshot.neighbourhood(iri, naming)
    assert as_set(around.own) == as_set(snapshot.describe(iri)) and len(around.own) == len(snapshot.describe(iri))
    assert around.referring is not None
    assert as_set(around.referring) == as_set(snapshot.quads(None, None, iri, None))
    assert as_set(snapshot.neighbourhood(iri, naming, referring=False).own) == as_set(around.own)
    assert snapshot.neighbourhood(iri, naming, referring=False).referring is None
    named = sorted(around.named, key=str)
    assert as_set(q for q in around.names if q.subject in around.named) == as_set(snapshot.lookup(named, naming))
    if zoo_backend.name == "virtuoso":  # in one round trip: every node linked to, the referrers' records
        linked = {q.object for q in around.own if q.subject == iri and isinstance(q.object, ox.NamedNode)}
        assert linked <= around.named
        assert which == "one" or zoo.one in around.named


def test_a_pages_reads_skip_graphs_outside_the_version(
    zoo_backend: Backend, zoo: Zoo, request: pytest.FixtureRequest
) -> None:
    """A page's reads name no dataset on Virtuoso (its plans are scans with one): rows of other graphs are dropped.

    The graph outside holds what a staging graph would: the resource's own statements, a link
    to it, a name of what it links to.
    """
    if zoo_backend.name != "virtuoso":
        pytest.skip("the embedded store holds the hub's graphs only")
    server = request.getfixturevalue("virtuoso_server")
    snapshot = zoo_backend.store().snapshot()
    iri, naming = zoo.one, [s("name"), RDF_TYPE]
    before = snapshot.neighbourhood(iri, naming)
    linked = sorted(before.named, key=str)
    described, looked_up = snapshot.describe(iri), snapshot.lookup(linked, naming)
    outside = zoo.hub.node("store", "staging", "outside")
    fragment = ox.NamedNode(iri.value + "#outside")
    server.update(
        f'INSERT DATA {{ GRAPH {outside} {{ {iri} {s("name")} "outside" ; {s("address")} {fragment} . '
        f'{fragment} {s("name")} "outside" . {zoo.hub.node("initiative", "outside")} {s("about")} {iri} . '
        f'{linked[0]} {s("name")} "outside" }} }}'
    )
    try:
        after = snapshot.neighbourhood(iri, naming)
        assert [as_set(part) for part in (after.own, after.referring, after.names)] == [
            as_set(part) for part in (before.own, before.referring, before.names)
        ]
        assert after.named == before.named
        assert as_set(snapshot.describe(iri)) == as_set(described)
        assert as_set(snapshot.lookup(linked, naming)) == as_set(looked_up)
    finally:
        server.update(f"DROP SILENT GRAPH {outside}")


@pytest.mark.parametrize("bound", [c for n in range(5) for c in itertools.combinations("spog", n)])
def test_quad_patterns(zoo_backend: Backend, zoo: Zoo, bound: tuple[str, ...]) -> None:
    """Every combination of bound positions, with terms taken from one hostile quad."""
    sample = next(q for q in zoo.quads if q.object == ox.Literal(HOSTILE[2]))
    terms = {"s": sample.subject, "p": sample.predicate, "o": sample.object, "g": sample.graph_name}
    pattern = {"subject": None, "predicate": None, "object": None, "graph": None}
    for position, name in zip("spog", pattern, strict=True):
        if position in bound:
            pattern[name] = terms[position]
    found = list(zoo_backend.store().snapshot().quads(**pattern))  # type: ignore[arg-type]
    expected = [
        q
        for q in zoo.quads
        if all(
            getattr(q, attr) == terms[p]
            for p, attr in zip("spog", ("subject", "predicate", "object", "graph_name"), strict=True)
            if p in bound
        )
    ]
    assert as_set(found) == as_set(expected)
    assert len(found) == len(expected)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_literals_bound_as_terms_never_inject(zoo_backend: Backend, zoo: Zoo, text: str) -> None:
    snapshot = zoo_backend.store().snapshot()
    rows = snapshot.select(
        "SELECT ?s ?text WHERE { ?s <http://schema.org/description> ?text }", {"text": ox.Literal(text)}
    )
    assert [row["s"] for row in rows] == [zoo.one]
    assert rows[0]["text"] == ox.Literal(text)
    assert snapshot.ask("ASK { ?s ?p ?text }", {"text": ox.Literal(text)})
    assert not snapshot.ask("ASK { ?s ?p ?text }", {"text": ox.Literal(text + " ")})
    assert snapshot.count() == len(zoo.quads)  # nothing was written by the text


def test_select_binds_iris_and_language_tags(zoo_backend: Backend, zoo: Zoo) -> None:
    snapshot = zoo_backend.store().snapshot()
    query = "SELECT ?name ?s WHERE { ?s <http://schema.org/name> ?name }"
    assert {r["name"] for r in snapshot.select(query, {"s": zoo.one})} == {
        ox.Literal("Un café", language="fr"),
        ox.Literal("A café", language="en-gb"),
    }
    rows = snapshot.select(query, {"name": ox.Literal("Initiative 007", language="fr")})
    assert [r["s"] for r in rows] == [zoo.hub.node("initiative", "beta", "7")]


def test_aggregates_with_bindings(zoo_backend: Backend, zoo: Zoo) -> None:
    rows = (
        zoo_backend.store()
        .snapshot()
        .select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
            {"class": zoo.hub.term("Initiative")},
        )
    )
    assert [int(r["n"].value) for r in rows] == [41]  # 40 in beta, and one in both graphs


def test_typed_literals_come_back_as_written(zoo_backend: Backend, zoo: Zoo) -> None:
    snapshot = zoo_backend.store().snapshot()
    by_predicate = {q.predicate: q.object for q in snapshot.quads(zoo.one, None, None, zoo.alpha)}
    for name, literal in TYPED.items():
        assert by_predicate[s(name)] == literal, name
    rows = snapshot.select(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) != xsd:string) }",
        {"s": zoo.one},
    )
    assert {r["p"]: r["o"] for r in rows if r["p"].value.startswith(SCHEMA) and r["p"] != s("name")} == {
        s(n): lit for n, lit in TYPED.items()
    }


def test_malformed_queries_are_query_errors(zoo_backend: Backend) -> None:
    snapshot = zoo_backend.store().snapshot()
    with pytest.raises(QueryError):
        snapshot.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryError):
        snapshot.ask("ASK { ?s ?p ?o ")


@pytest.mark.parametrize("format", [ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG])
def test_dataset_dumps_round_trip(zoo_backend: Backend, zoo: Zoo, format: ox.RdfFormat) -> None:
    output = io.BytesIO()
    zoo_backend.store().snapshot().dump(output, format)
    assert canonical(ox.parse(output.getvalue(), format=format)) == canonical(zoo.quads)


@pytest.mark.parametrize("format", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML])
def test_graph_dumps_round_trip(zoo_backend: Backend, zoo: Zoo, format: ox.RdfFormat) -> None:
    snapshot = zoo_backend.store().snapshot()
    for graph in zoo.graphs():
        output = io.BytesIO()
        snapshot.dump(output, format, graph)
        read = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(output.getvalue(), format=format)]
        assert canonical(read) == canonical(zoo.graph(graph)), graph


def test_the_stores_system_graphs_are_never_visible(zoo_backend: Backend, zoo: Zoo) -> None:
    snapshot = zoo_backend.store().snapshot()
    graphs = {g.value for g in snapshot.graphs()}
    every_graph = {row["g"].value for row in snapshot.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == every_graph == {zoo.alpha.value, zoo.beta.value}
    assert snapshot.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value == str(
        len(zoo.quads)
    )
    for system in VIRTUOSO_SYSTEM_GRAPHS:
        graph = ox.NamedNode(system)
        assert list(snapshot.quads(graph=graph)) == []
        assert snapshot.count(graph) == 0
        output = io.BytesIO()
        snapshot.dump(output, ox.RdfFormat.N_TRIPLES, graph)
        assert output.getvalue() == b""
    assert not any(
        q.graph_name.value.startswith(VIRTUOSO_SYSTEM_GRAPHS)
        for q in snapshot.quads(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None)
    )  # type: ignore[union-attr]
