# ruff: noqa: E501  (each Turtle fixture reads best on one line)
"""SHACL features beyond what the project's shapes use today, and the ones the fast engine refuses.

Shapes change; the fast engine must either give pySHACL's findings for a feature or
refuse the shapes when it is built, naming what it does not implement.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from loader.validation import Finding, UnsupportedShapes
from loader.validation.dataset import ValidationDataset, default_graph_quads
from loader.validation.oxigraph_engine import CompiledShapes
from loader.validation.pyshacl_engine import validate_with_pyshacl

BASE = "http://example.org/"
PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def parse(text: str) -> list[ox.Quad]:
    return list(ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE, base_iri=BASE))


def both(shapes_text: str, data_text: str, context_text: str = "") -> list[Finding]:
    """Findings of both engines, after checking they are the same."""
    shapes, data = parse(shapes_text), parse(data_text)
    context = [default_graph_quads(parse(context_text))]
    fast = CompiledShapes(shapes).run(ValidationDataset(data, context))
    reference = validate_with_pyshacl(ValidationDataset(data, context), shapes)
    assert fast == reference
    return fast


def summary(findings: list[Finding]) -> set[tuple[str, str, str | None]]:
    return {(f.focus.removeprefix(BASE), f.component.removesuffix("ConstraintComponent"), f.value) for f in findings}


def test_in_compares_terms_exactly() -> None:
    shapes = 'ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:code ; sh:in ( "FR" "BE"@fr 1 ex:iri ) ] .'
    data = """
    ex:a a ex:T ; ex:code "FR" , "BE"@fr , 1 , ex:iri , "FR"^^xsd:string .
    ex:b a ex:T ; ex:code "FR"@fr , "BE" , 1.0 , "1" , ex:other .
    """
    findings = both(shapes, data)
    assert sorted(f.value for f in findings if f.focus.endswith("/b")) == [
        "1",
        "1",
        "BE",
        "FR",
        "http://example.org/other",
    ]
    assert [f for f in findings if f.focus.endswith("/a")] == []  # "FR"^^xsd:string is "FR"


def test_targets_of_every_kind() -> None:
    shapes = """
    ex:Nodes sh:targetNode ex:n1 , ex:absent ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    ex:Objects sh:targetObjectsOf ex:knows ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    ex:Implicit a sh:NodeShape , rdfs:Class ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    """
    data = """
    ex:Sub rdfs:subClassOf ex:Implicit .
    ex:i2 a ex:Implicit ; ex:name "i2" .
    ex:n1 ex:q 1 .
    ex:n2 ex:knows ex:friend .
    ex:friend ex:age 3 .
    ex:i1 a ex:Sub .
    """
    assert summary(both(shapes, data)) == {
        ("n1", "MinCount", None),
        ("friend", "MinCount", None),
        ("i1", "MinCount", None),
    }


def test_context_is_looked_up_not_judged() -> None:
    shapes = "ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:link ; sh:class ex:Known ] , [ sh:path ex:name ; sh:minCount 1 ] ."
    context = "ex:known a ex:Known . ex:alsoT a ex:T ."
    data = "ex:a a ex:T ; ex:name 'a' ; ex:link ex:known , ex:unknown ."
    assert summary(both(shapes, data, context)) == {("a", "Class", "http://example.org/unknown")}


def test_inverse_paths_and_counts() -> None:
    shapes = """
    ex:S sh:targetClass ex:Parent ;
        sh:property [ sh:path [ sh:inversePath ex:parent ] ; sh:minCount 2 ; sh:maxCount 3 ] ,
            [ sh:path ( ex:child ex:name ) ; sh:maxCount 1 ] .
    """
    data = """
    ex:p1 a ex:Parent . ex:c1 ex:parent ex:p1 .
    ex:p2 a ex:Parent . ex:c2 ex:parent ex:p2 . ex:c3 ex:parent ex:p2 .
    ex:p3 a ex:Parent . ex:c4 ex:parent ex:p3 . ex:c5 ex:parent ex:p3 . ex:c6 ex:parent ex:p3 . ex:c7 ex:parent ex:p3 .
    ex:p3 ex:child ex:c4 , ex:c5 . ex:c4 ex:name "x" . ex:c5 ex:name "x" , "y" .
    """
    findings = both(shapes, data)
    assert summary(findings) == {("p1", "MinCount", None), ("p3", "MaxCount", None)}
    assert {f.path for f in findings} == {
        "^http://example.org/parent",
        "(http://example.org/child http://example.org/name)",
    }


def test_exclusive_ranges_on_dates() -> None:
    shapes = 'ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:day ; sh:minExclusive "2020-01-01"^^xsd:date ; sh:maxExclusive "2021-01-01"^^xsd:date ] .'
    data = 'ex:a a ex:T ; ex:day "2020-01-01"^^xsd:date , "2020-06-01"^^xsd:date , "2021-01-01"^^xsd:date , "2020-06-01" , 5 .'
    assert summary(both(shapes, data)) == {
        ("a", "MinExclusive", "2020-01-01"),
        ("a", "MaxExclusive", "2021-01-01"),
        ("a", "MinExclusive", "2020-06-01"),  # a plain string is no date
        ("a", "MaxExclusive", "2020-06-01"),
        ("a", "MaxExclusive", "5"),  # pySHACL orders an integer after any date
    }


def test_patterns_flags_and_python_only_syntax() -> None:
    shapes = r"""
    ex:S sh:targetClass ex:T ;
        sh:property [ sh:path ex:code ; sh:pattern "^ab+c$" ; sh:flags "i" ] ,
            [ sh:path ex:word ; sh:pattern "^(?!test)\\w+$" ] ,
            [ sh:path ex:digits ; sh:pattern "^\\d{3}$" ] .
    """
    data = r"""
    ex:a a ex:T ; ex:code "ABBC" , "abc"@fr , "xabc" ; ex:word "hello" , "testing" , "héllo" ; ex:digits "123" , "١٢٣" , "12a" .
    ex:b a ex:T ; ex:code [ ex:z 1 ] .
    """
    findings = summary(both(shapes, data))
    assert ("a", "Pattern", "xabc") in findings and ("a", "Pattern", "testing") in findings
    assert ("a", "Pattern", "12a") in findings and ("a", "Pattern", "١٢٣") not in findings  # Python's \d is Unicode
    assert len([f for f in findings if f[0] == "b"]) == 1  # a blank node never matches a pattern


def test_nested_or_and_members_with_several_constraints() -> None:
    shapes = """
    ex:S sh:targetClass ex:T ;
        sh:property [ sh:path ex:v ; sh:or ( [ sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] [ sh:nodeKind sh:IRI ] ) ] ,
            [ sh:path ex:label ; sh:or ( [ sh:datatype xsd:string ; sh:minLength 3 ] [ sh:datatype rdf:langString ] ) ] .
    """
    data = (
        'ex:a a ex:T ; ex:v 1 , 2.5 , ex:iri , "x" , 1.0e0 , " 7"^^xsd:integer ; ex:label "abc" , "ab" , "ab"@fr , 12 .'
    )
    assert summary(both(shapes, data)) == {("a", "Or", "x"), ("a", "Or", "1"), ("a", "Or", "ab"), ("a", "Or", "12")}


def test_special_datatypes_and_lexical_forms() -> None:
    shapes = """
    ex:S sh:targetClass ex:T ;
        sh:property [ sh:path ex:any ; sh:datatype rdfs:Literal ] , [ sh:path ex:typed ; sh:datatype rdfs:Datatype ] ,
            [ sh:path ex:int ; sh:datatype xsd:integer ] , [ sh:path ex:when ; sh:datatype xsd:dateTime ] ,
            [ sh:path ex:flag ; sh:datatype xsd:boolean ] , [ sh:path ex:empty ; sh:minLength 0 ] .
    """
    data = """
    ex:a a ex:T ; ex:any "x" , "y"@en , 3 , ex:iri ; ex:typed 3 , "x" , "y"@en ;
        ex:int 1 , "01"^^xsd:integer , " 1"^^xsd:integer , "1.0"^^xsd:integer , "one"^^xsd:integer ;
        ex:when "2020-01-01T10:00:00Z"^^xsd:dateTime , "2020-01-01"^^xsd:dateTime ;
        ex:flag true , "1"^^xsd:boolean , "yes"^^xsd:boolean ; ex:empty "" , [ ex:z 1 ] .
    """
    found = summary(both(shapes, data))
    assert ("a", "Datatype", "http://example.org/iri") in found and ("a", "Datatype", "x") in found
    assert ("a", "Datatype", "one") in found and ("a", "Datatype", "1.0") in found and ("a", "Datatype", "yes") in found
    assert ("a", "Datatype", "2020-01-01") not in found  # Python's fromisoformat reads a date as a datetime
    assert not any(f[2] in ("", "1", " 1", "true", "3") for f in found)


def test_severities_deactivation_and_node_level_constraints() -> None:
    shapes = """
    ex:S sh:targetSubjectsOf ex:p ; sh:nodeKind sh:IRI ; sh:class ex:Known ; sh:severity sh:Info ;
        sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:severity ex:Minor ] ,
            [ sh:path ex:p ; sh:minCount 5 ; sh:deactivated true ] .
    ex:Off sh:targetSubjectsOf ex:p ; sh:deactivated true ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .
    """
    data = "ex:a ex:p 1 , 2 . ex:b a ex:Known ; ex:p 1 . _:c ex:p 1 ."
    findings = both(shapes, data)
    assert {(f.focus, f.severity, f.component) for f in findings} == {
        ("http://example.org/a", "Info", "ClassConstraintComponent"),
        ("http://example.org/a", "http://example.org/Minor", "MaxCountConstraintComponent"),  # no '#' to cut at
    }


def test_sparql_constraints_bindings_and_messages() -> None:
    shapes = """
    ex:S sh:targetClass ex:T ;
        sh:sparql [ sh:message "{$this} knows {?other} twice"@en ; sh:select \"\"\"
            SELECT $this ?other WHERE { $this ex:knows ?other . ?other ex:knows $this . FILTER(STR($this) < STR(?other)) }
        \"\"\" ; sh:prefixes ex:prefixes ] ;
        sh:property ex:Name .
    ex:Name sh:path ex:name ; sh:message "nom de {$this}"@fr , "bad name {?value}"@en ;
        sh:sparql [ sh:select \"\"\"SELECT * WHERE { $this $PATH ?value . FILTER(REGEX(?value, "^x", "i") || !REGEX(?value, ?pattern)) BIND("^[a-z]+$" AS ?pattern) }\"\"\" ] ,
            [ sh:select "SELECT ?value WHERE { $this $PATH ?value . FILTER(STRLEN(?value) > 6) }" ; sh:deactivated true ] ,
            [ sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this $PATH ?v } BIND($currentShape AS ?s) }" ] .
    ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
    """
    data = """
    ex:a a ex:T ; ex:knows ex:b ; ex:name "Xavier" , "anne" , "Anne" .
    ex:b a ex:T ; ex:knows ex:a ; ex:name "bob\\n" .
    ex:c a ex:T .
    """
    findings = both(shapes, data)
    messages = {(f.focus.removeprefix(BASE), f.value, f.message_fr, f.message_en) for f in findings}
    assert ("a", "http://example.org/a", "", "http://example.org/a knows http://example.org/b twice") in messages
    assert ("a", "Xavier", "nom de http://example.org/a", "bad name Xavier") in messages
    assert ("a", "Anne", "nom de http://example.org/a", "bad name Anne") in messages
    assert ("c", None, "nom de http://example.org/c", "bad name {?value}") in messages
    assert not any(f.value in ("anne", "bob\n") for f in findings)  # rdflib's REGEX: Python's $ before a final newline


@pytest.mark.parametrize(
    ("shapes", "refused"),
    [
        ("ex:S sh:targetClass ex:T ; sh:node ex:Other .", "sh:node"),
        ("ex:S sh:targetClass ex:T ; sh:closed true .", "sh:closed"),
        ("ex:S sh:targetClass ex:T ; sh:not [ sh:class ex:U ] .", "sh:not"),
        ("ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:hasValue 1 ] .", "sh:hasValue"),
        (
            "ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:U ] ; sh:qualifiedMinCount 1 ] .",
            "sh:qualified",
        ),
        ("ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:languageIn ( 'fr' ) ] .", "sh:languageIn"),
        ("ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .", "sh:equals"),
        (
            "ex:S sh:targetClass ex:T ; sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:minCount 1 ] .",
            "sh:alternativePath",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
            "sh:zeroOrMorePath",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:or ( [ sh:path ex:q ; sh:minCount 1 ] ) ] .",
            "sh:path",
        ),
        ("ex:S sh:target [ a ex:Custom ] .", "sh:target"),
        ("ex:S sh:targetClass ex:T ; sh:rule [ a sh:TripleRule ] .", "sh:rule"),
        ("ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:max ] .", "custom constraint components"),
        ("ex:S sh:targetClass ex:T ; sh:sparql [ sh:ask 'ASK { }' ] .", "sh:ask"),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { $this ?p ?o } GROUP BY $this HAVING (COUNT(?o) > 3)' ] .",
            "GROUP",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { $this ?p ?o MINUS { $this a ex:U } }' ] .",
            "MINUS",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }' ] .",
            "VALUES",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { { SELECT $this WHERE { $this ?p ?o } } }' ] .",
            "subqueries",
        ),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { GRAPH ?g { $this ?p ?o } }' ] .",
            "GRAPH",
        ),
        (
            'ex:S sh:targetClass ex:T ; sh:sparql [ sh:select \'SELECT $this WHERE { $this ?p ?o FILTER(REPLACE(?o, "a+", "") = "") }\' ] .',
            "REPLACE",
        ),
        ("ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this ?path WHERE { $this ?path ?o }' ] .", "?path"),
        (
            "ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { $this ?p $shapesGraph }' ] .",
            "$shapesGraph",
        ),
        ("ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { $this $PATH ?o }' ] .", "$PATH"),
        ("ex:S sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { BIND(1 AS $this) }' ] .", "pre-bound"),
        (
            "ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:pattern '(' ] .",
            "not a valid regular expression",
        ),
        ("ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:minCount -1 ] .", "non-negative"),
        ("ex:Unused a sh:NodeShape ; sh:xone ( [ sh:class ex:U ] ) .", "sh:xone"),
    ],
)
def test_unsupported_features_are_refused_when_compiling(shapes: str, refused: str) -> None:
    with pytest.raises(UnsupportedShapes, match=refused.replace("$", r"\$").replace("?", r"\?")):
        CompiledShapes(parse(shapes))
