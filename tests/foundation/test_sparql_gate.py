"""The gate decides on its own reading of a public query, and hands stores a text no reader can take otherwise.

Each class of disagreement a security review found between the old scanner and the
engines' parsers (comment ends, codepoint escapes, quotes and ``>`` in IRIs and
strings) has cases here; the differential fuzzer (tests/reliability/test_gate_fuzz.py)
generates many more.
"""

from __future__ import annotations

import pickle

import pytest

from carrefour.errors import QueryError, QueryRefused
from carrefour.sparql.gate import GatePolicy, gate
from carrefour.sparql.lexer import tokenize

POLICY = GatePolicy.of("http://hub.example/", ["partner.example.org"], {"cf": "http://hub.example/ontology#"})
EVIL = "http://evil.example/sparql"


def _canonical_has_nothing_to_misread(text: str) -> None:
    tokens = tokenize(text)[:-1]
    assert " ".join(t.text for t in tokens) == text  # every character in a token: no comment, one space apart
    for token in tokens:
        assert token.kind not in ("PNAME", "STRING1", "STRING_LONG1", "STRING_LONG2"), token
        assert "\\u" not in token.text or token.kind == "STRING2", token


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a> <b> <c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://evil.example/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://127.0.0.1:8080/graph/curated>",
        "PREFIX x: <http://x/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "COPY DEFAULT TO <http://g>",
        "SELECT * {} ; INSERT DATA { <a> <b> <c> }",
    ],
)
def test_updates_are_refused_with_403(update: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        gate(update, POLICY)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{EVIL}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        f"SELECT * {{ service#comment\n<{EVIL}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ #comment\r SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",  # a carriage return ends a comment
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <http://partner.example.org.evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <ftp://partner.example.org/sparql> { ?s ?p ?o } }",
        f"SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{EVIL}> {{ }} }} }}",
        f"SELECT * {{ {{ SELECT * {{ SERVICE <{EVIL}> {{ }} }} }} }}",
        f"ASK {{ OPTIONAL {{ GRAPH ?g {{ SERVICE <{EVIL}> {{ }} }} }} }}",
    ],
)
def test_service_to_hosts_outside_the_allow_list_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        gate(query, POLICY)


def test_service_to_an_allowed_host_passes_and_is_not_cached() -> None:
    gated = gate("SELECT * { SERVICE <http://partner.example.org/sparql> { ?s ?p ?o } }", POLICY)
    assert gated.services == ("http://partner.example.org/sparql",)
    assert not gated.cacheable


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        # Comment ends some readers see and others do not.
        (f"SELECT * {{ #\u2028 SERVICE <{EVIL}> {{}} }}", "line break"),
        (f"SELECT * {{ #\u0085 SERVICE <{EVIL}> {{}} }}", "line break"),
        (f"SELECT * {{ #\x0c SERVICE <{EVIL}> {{}} }}", "line break"),
        (f"SELECT * {{ #\x0b SERVICE <{EVIL}> {{}} }}", "line break"),
        (f"SELECT * {{ # \\u000A SERVICE <{EVIL}> {{}} }}", "escaped line break"),
        # Codepoint escapes applied before parsing by one reader, inside strings only by another.
        (f"SELECT * {{ SERVI\\u0043E <{EVIL}> {{}} }}", "only accepted inside strings and IRIs"),
        (f'SELECT * {{ ?s ?p "\\u0022 }} SERVICE <{EVIL}> {{}} #" }}', "gives a quote"),
        (f'SELECT * {{ ?s ?p "\\\\u0022 }} SERVICE <{EVIL}> {{}} #" }}', None),  # an escaped backslash: one string
        (f"SELECT * {{ ?s ?p <http://a/\\u003E }} SERVICE <{EVIL}> {{}} #> }}", "only accepted inside strings"),
        ("SELECT * { ?s ?p <http://a/\\u003E> }", "an IRI cannot hold"),
        ("SELECT * { ?s ?p '\\u000A' }", "line break"),
        ("\\u0049NSERT DATA { <a> <b> <c> }", "only accepted inside strings and IRIs"),
        # Quotes and > inside IRIs and strings.
        (f'SELECT * {{ ?s ?p <http://a/"> SERVICE <{EVIL}> {{}} <"> }}', "expected"),
        (f"SELECT * {{ ?s ?p '''a'' SERVICE <{EVIL}> {{}} ''' }}", None),  # one long string: no SERVICE
        (f'SELECT * {{ ?s ?p "a" . FILTER(?x<?a&&?b>?y) SERVICE <{EVIL}> {{}} }}', "expected"),
        # Escapes in prefixed local names.
        (f"PREFIX e: <http://e/> SELECT * {{ ?s e:a\\#b ?o SERVICE <{EVIL}> {{}} }}", "SERVICE"),
        ("PREFIX e: <http://e/> SELECT * { ?s e:a\\u0023b ?o }", "only accepted inside strings and IRIs"),
    ],
)
def test_texts_readers_disagree_on_are_refused_or_read_one_way(query: str, reason: str | None) -> None:
    if reason is None:
        gated = gate(query, POLICY)
        assert gated.services == ()
        assert "SERVICE" not in gated.text.split('"')[0::2][0]
        return
    with pytest.raises(QueryError, match=reason):
        gate(query, POLICY)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT (<bif:http_get>('http://127.0.0.1:9/') AS ?x) {}", "not a function of this endpoint"),
        ("PREFIX b: <bif:> SELECT (b:sys_stat('st_dbms_ver') AS ?v) {}", "not a function of this endpoint"),
        ("SELECT * { ?s <bif:contains> 'x' }", "internal function"),
        ("SELECT * { ?s ?p ?o FILTER(?o = <SQL:x>) }", "internal function"),
        ("SELECT (<http://example.org/f>(1) AS ?x) {}", "not a function of this endpoint"),
        ("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:integer(1, 2) AS ?x) {}", "not a function"),
        ("DEFINE input:default-graph-uri <http://x/> SELECT * { ?s ?p ?o }", "expected"),
        ("SELECT (bif:now() AS ?t) {}", "prefix bif: is not declared"),
        ("SELECT * WHERE { ?s ?p }", "expected"),
        ("hello", "expected SELECT"),
        ("", "expected SELECT"),
        ("SELECT * " + "{" * 60 + "}" * 60, "nested more than"),
    ],
)
def test_what_is_not_sparql_11_is_refused_with_400_and_says_why(query: str, reason: str) -> None:
    with pytest.raises(QueryError, match=reason) as refused:
        gate(query, POLICY)
    assert refused.value.status == 400


def test_xsd_casts_and_builtins_pass() -> None:
    gated = gate(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        'SELECT (xsd:integer("7") + STRLEN(?n) AS ?x) WHERE { ?s cf:name ?n FILTER(REGEX(?n, "^a", "i")) }',
        POLICY,
    )
    assert gated.form == "SELECT"
    assert "<http://www.w3.org/2001/XMLSchema#integer>(" in gated.text
    assert gated.cacheable


@pytest.mark.parametrize("function", ["RAND()", "NOW()", "UUID()", "STRUUID()", "BNODE()"])
def test_queries_whose_answer_changes_at_each_run_are_not_cacheable(function: str) -> None:
    assert not gate(f"SELECT ({function} AS ?x) {{}}", POLICY).cacheable


def test_two_spellings_of_one_query_have_one_canonical_text() -> None:
    one = gate("PREFIX ex: <http://e/> select ?s where { ?s ex:p 'x' . } # comment", POLICY)
    two = gate('SELECT ?s {\n  ?s <http://e/p> "x"\n}', POLICY)
    assert one.text == two.text == 'SELECT ?s WHERE { ?s <http://e/p> "x" . }'


def test_the_canonical_text_has_no_prefix_comment_or_escape() -> None:
    gated = gate(
        "PREFIX e: <http://e/> BASE <http://b/> SELECT * { # comment\n"
        "?s e:a\\.b <rel> ; e:c \"tab\\there\", 'q\"uote', '''long\nline''' . ?s e:d \"\\u00e9\\u0001\" }",
        POLICY,
    )
    _canonical_has_nothing_to_misread(gated.text)
    assert "<http://e/a.b> <http://b/rel>" in gated.text
    assert '"tab\\there"' in gated.text and '"q\\"uote"' in gated.text and '"long\\nline"' in gated.text
    assert '"é\\u0001"' in gated.text


def test_the_hubs_prefixes_are_known_without_declaring_them() -> None:
    assert "<http://hub.example/ontology#Initiative>" in gate("SELECT * { ?s a cf:Initiative }", POLICY).text


def test_dataset_clauses_are_read_and_can_be_rendered_otherwise() -> None:
    gated = gate(
        "PREFIX g: <http://hub.example/graph/> SELECT * FROM g:curated FROM NAMED <http://other/x> "
        'WHERE { GRAPH ?g { ?s ?p "FROM <http://not/a/graph>" } } LIMIT 500',
        POLICY,
    )
    assert gated.from_graphs == ["http://hub.example/graph/curated"]
    assert gated.from_named_graphs == ["http://other/x"]
    rendered = gated.render(dataset=(), limit=26)
    assert "FROM" not in rendered.split('"')[0] and rendered.endswith("LIMIT 26")
    assert gated.render(limit=1000).endswith("LIMIT 500")


def test_a_gated_query_crosses_a_process_boundary_without_its_parsed_form() -> None:
    gated = gate("ASK { ?s ?p ?o }", POLICY)
    sent = pickle.loads(pickle.dumps(gated))
    assert (sent.text, sent.form, sent.services) == (gated.text, "ASK", ())
    assert len(pickle.dumps(gate("SELECT * {" + " ?s ?p ?o ." * 500 + "}", POLICY))) < 20_000
