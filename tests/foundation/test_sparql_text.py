"""The scanner that keeps the public endpoint read-only cannot be fooled by syntax."""

from __future__ import annotations

import pytest

from carrefour.errors import QueryError, QueryRefused
from carrefour.sparql_text import analyse, check_public_query, non_standard, replace_dataset, split_prologue

ALLOWED = ["partner.example.org"]


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("prefix ex: <http://e/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
        ("BASE <http://e/> DESCRIBE <x>", "DESCRIBE"),
        ("# a comment with SELECT\nASK { ?s ?p ?o }", "ASK"),
        ('ASK { ?s ?p "SELECT" }', "ASK"),
    ],
)
def test_query_form(query: str, form: str) -> None:
    assert analyse(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a> <b> <c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://evil.example/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://127.0.0.1:8080/graph/curated>",
        "PREFIX x: <http://x/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "\\u0049NSERT DATA { <a> <b> <c> }",  # a codepoint escape hides nothing
        "COPY DEFAULT TO <http://g>",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        check_public_query(update, ALLOWED)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE SILENT <http://evil.example/sparql> { ?s ?p ?o } }",
        "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * { SERVI\\u0043E <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { service#comment\n<http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://partner.example.org.evil.example/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_to_hosts_outside_the_allow_list_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_public_query(query, ALLOWED)


def test_service_to_an_allowed_host_passes() -> None:
    shape = check_public_query("SELECT * { SERVICE <http://partner.example.org/sparql> { ?s ?p ?o } }", ALLOWED)
    assert shape.services == ["http://partner.example.org/sparql"]


def test_the_word_service_in_strings_comments_and_names_is_not_a_service() -> None:
    shape = check_public_query(
        'PREFIX ex: <http://e/> SELECT ?SERVICE { ?s ex:SERVICE "SERVICE <http://evil/>" } # SERVICE <http://evil/>',
        [],
    )
    assert shape.services == []


def test_text_without_a_query_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        analyse("this is not sparql")


def test_the_dataset_a_query_names_is_read_with_its_prefixes() -> None:
    shape = analyse(
        "PREFIX g: <http://127.0.0.1:8080/graph/>\n"
        "SELECT * FROM g:curated FROM <http://127.0.0.1:8080/graph/concepts> FROM NAMED g:ontology "
        'WHERE { GRAPH ?g { ?s ?p "FROM <http://not/a/graph>" } }'
    )
    assert shape.has_dataset
    assert shape.from_graphs == ["http://127.0.0.1:8080/graph/curated", "http://127.0.0.1:8080/graph/concepts"]
    assert shape.from_named_graphs == ["http://127.0.0.1:8080/graph/ontology"]
    assert analyse("SELECT * WHERE { ?s ?p ?o }").from_graphs == []


def test_the_prologue_is_split_from_the_query_it_declares_prefixes_for() -> None:
    prologue, rest = split_prologue('PREFIX select: <http://e/select#>\nSELECT ?s WHERE { ?s select:x "SELECT" }')
    assert prologue == "PREFIX select: <http://e/select#>\n"
    assert rest == 'SELECT ?s WHERE { ?s select:x "SELECT" }'


def test_graphs_named_in_from_clauses_can_be_replaced() -> None:
    query = (
        "PREFIX g: <http://hub/graph/> SELECT * FROM g:a FROM <http://other/x> "
        'FROM NAMED <http://other/\\u0079> WHERE { ?s ?p "FROM <http://other/x>" }'
    )
    replaced = replace_dataset(query, lambda iri: iri.startswith("http://hub/"), "http://hub/empty")
    assert replaced == (
        "PREFIX g: <http://hub/graph/> SELECT * FROM g:a FROM <http://hub/empty> "
        'FROM NAMED <http://hub/empty> WHERE { ?s ?p "FROM <http://other/x>" }'
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p ?o }", None),
        ("PREFIX : <http://e/> SELECT * WHERE { ?s :p 'define' }", None),
        ("define sql:log-enable 3 SELECT * WHERE { }", "DEFINE"),
        ("SELECT (bif:now() AS ?t) WHERE { }", "prefix bif:"),
        ("PREFIX b: <BIF:> SELECT (b:now() AS ?t) WHERE { }", "internal function"),
        ("SELECT * WHERE { ?s <sql:x> ?o }", "internal function"),
    ],
)
def test_store_extensions_are_found(query: str, found: str | None) -> None:
    result = non_standard(query)
    assert result is None if found is None else found in (result or "")
