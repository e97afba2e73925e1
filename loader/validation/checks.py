"""Value-node constraints as a SPARQL suspicion plus pySHACL's own verdict.

Each constraint on a value node becomes a ``Leaf``: a SPARQL expression over
``?value`` that is true for every value pySHACL would reject (and perhaps a few
more), and, when the expression is not exact, a Python function that gives pySHACL's
verdict on those suspects: datatype well-formedness as rdflib reads it, comparisons
as pySHACL makes them, patterns as Python's ``re`` matches them.  The store does the
sifting over every value; Python only looks at the rare suspects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib.term import XSDToPython

from carrefour.vocab import RDF, RDFS, SH, XSD
from loader.validation import marks, regex
from loader.validation.shapes import Shape, UnsupportedShapes
from loader.validation.terms import Term, ill_typed_literals_expected, to_rdflib

Verdict = Callable[[Term], bool]  # True: the value breaks the constraint


@dataclass(frozen=True)
class Leaf:
    component: str  # e.g. "DatatypeConstraintComponent"
    suspect: str  # SPARQL expression over ?value; errors count as true
    fails: Verdict | None = None  # pySHACL's verdict on a suspect; None: the suspicion is the verdict
    marks: tuple[str, ...] = ()  # CONSTRUCT queries of the marks the expression looks up


@dataclass(frozen=True)
class AnyOf:
    """``sh:or``: the value must conform to one of the member shapes (each a list of checks)."""

    members: tuple[tuple[Check, ...], ...]
    component: str = "OrConstraintComponent"


Check = Leaf | AnyOf

# Lexical forms (in the store's canonical form) that rdflib surely reads as well-formed, per datatype
# it converts; values of these datatypes outside them go to rdflib for a verdict.
_SURELY_WELL_FORMED = {
    XSD + "decimal": r"^-?[0-9]+(\.[0-9]+)?$",
    XSD + "integer": r"^-?[0-9]+$",
    XSD + "boolean": r"^(true|false)$",
    XSD + "date": r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}$",
}
_NODE_KINDS = {
    SH + "IRI": "!isIRI(?value)",
    SH + "BlankNode": "!isBlank(?value)",
    SH + "Literal": "!isLiteral(?value)",
    SH + "BlankNodeOrIRI": "isLiteral(?value)",
    SH + "BlankNodeOrLiteral": "isIRI(?value)",
    SH + "IRIOrLiteral": "isBlank(?value)",
}
_RANGES = {  # parameter: (SPARQL test that passes, pySHACL's test on the comparison)
    "minInclusive": (">=", lambda c: c >= 0),
    "minExclusive": (">", lambda c: c > 0),
    "maxInclusive": ("<=", lambda c: c <= 0),
    "maxExclusive": ("<", lambda c: c < 0),
}


def value_checks(shape: Shape) -> list[Check]:
    """The checks of one shape on each of its value nodes, in a stable order."""
    checks: list[Check] = []
    for cls in shape.parameters.get("class", []):
        suspect = marks.is_not_instance("?value", cls.value)
        checks.append(Leaf("ClassConstraintComponent", suspect, marks=(marks.instance_marks(cls.value),)))
    datatype = shape.single("datatype")
    if datatype is not None:
        checks.append(datatype_check(datatype.value))
    kind = shape.single("nodeKind")
    if kind is not None:
        if kind.value not in _NODE_KINDS:
            raise UnsupportedShapes(f"{shape.name}: unknown sh:nodeKind {kind.value}")
        checks.append(Leaf("NodeKindConstraintComponent", _NODE_KINDS[kind.value]))
    flags = shape.single("flags")
    for pattern in shape.parameters.get("pattern", []):
        checks.append(pattern_check(pattern.value, flags.value if flags is not None else "", shape.name))
    minimum = shape.single("minLength")
    if minimum is not None and int(minimum.value) > 0:
        checks.append(Leaf("MinLengthConstraintComponent", f"isBlank(?value) || STRLEN(STR(?value)) < {minimum.value}"))
    maximum = shape.single("maxLength")
    if maximum is not None:
        checks.append(Leaf("MaxLengthConstraintComponent", f"isBlank(?value) || STRLEN(STR(?value)) > {maximum.value}"))
    for parameter, (operator, passes) in _RANGES.items():
        for bound in shape.parameters.get(parameter, []):
            checks.append(range_check(parameter, operator, passes, bound, shape.name))
    for allowed in shape.allowed:
        checks.append(in_check(allowed))
    for members in shape.members.get("or", []):
        checks.append(AnyOf(tuple(tuple(value_checks(member)) for member in members)))
    return checks


def datatype_check(datatype: str) -> Leaf:
    """``sh:datatype``: the store tests the datatype; rdflib judges lexical forms it might refuse."""
    if datatype == RDFS + "Literal":  # pySHACL: every literal
        return Leaf("DatatypeConstraintComponent", "!isLiteral(?value)")
    if datatype == RDFS + "Datatype":  # pySHACL: every literal rdflib gives a datatype (not plain, not tagged)
        return Leaf(
            "DatatypeConstraintComponent",
            f"!isLiteral(?value) || LANG(?value) != '' || datatype(?value) = <{XSD}string>",
        )
    other_datatype = f"datatype(?value) != <{datatype}>"
    if datatype in (XSD + "string", RDF + "langString") or not _rdflib_converts(datatype):
        return Leaf("DatatypeConstraintComponent", other_datatype)  # pySHACL accepts any lexical form here
    well_formed = _SURELY_WELL_FORMED.get(datatype)
    if well_formed is None:
        suspect = "true"
    else:
        suspect = (
            f"{other_datatype} || !sameTerm(?value, <{datatype}>(STR(?value)))"
            f" || !REGEX(STR(?value), {ox.Literal(well_formed)})"
        )
    return Leaf("DatatypeConstraintComponent", suspect, lambda value: not _datatype_matches(value, datatype))


def _rdflib_converts(datatype: str) -> bool:
    """rdflib knows this datatype's lexical space: it marks literals outside it ill-typed, pySHACL rejects them."""
    return rdflib.URIRef(datatype) in XSDToPython


def _datatype_matches(value: Term, datatype: str) -> bool:
    """pySHACL's DatatypeConstraintComponent, value by value."""
    if not isinstance(value, ox.Literal):
        return False
    with ill_typed_literals_expected():
        literal = to_rdflib(value)
    assert isinstance(literal, rdflib.Literal)
    rule = rdflib.URIRef(datatype)
    if literal.datatype == rule:
        return literal.ill_typed is not True and _holds_python_value(literal, datatype)
    if datatype == RDFS + "Literal" or (datatype == RDFS + "Datatype" and literal.datatype):
        return True
    if literal.datatype is None and literal.language is None and datatype == XSD + "string":
        return True
    return datatype == RDF + "langString" and bool(literal.language)


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    XSD + "string": (str, bytes),
    RDF + "langString": (str, bytes),
    XSD + "integer": int,
    XSD + "float": float,
    XSD + "decimal": Decimal,
    XSD + "boolean": bool,
    XSD + "date": date,
    XSD + "time": time,
    XSD + "dateTime": datetime,
}


def _holds_python_value(literal: rdflib.Literal, datatype: str) -> bool:
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(literal.value, expected)


def pattern_check(pattern: str, flags: str, where: str) -> Leaf:
    """``sh:pattern``: Rust sifts, Python's ``re.search`` (what pySHACL runs) decides."""
    honoured = regex.honoured_flags(flags, pattern_constraint=True)
    try:
        matcher = regex.compiled(pattern, regex.python_flags(honoured))
    except re.error as exc:
        raise UnsupportedShapes(f"{where}: sh:pattern {pattern!r} is not a valid regular expression: {exc}") from exc

    def fails(value: Term) -> bool:
        return isinstance(value, ox.BlankNode) or not matcher.search(value.value)

    if not regex.same_on_ascii(pattern):
        return Leaf("PatternConstraintComponent", "true", fails)
    arguments = f"{ox.Literal(pattern)}, {ox.Literal(honoured)}"
    suspect = (
        f"isBlank(?value) || !REGEX(STR(?value), {arguments})"
        f" || REGEX(STR(?value), {ox.Literal(regex.OUTSIDE_PRINTABLE_ASCII)})"
    )
    return Leaf("PatternConstraintComponent", suspect, fails)


def in_check(allowed: list[Term]) -> Leaf:
    """``sh:in``: the value is one of the listed terms, the very same term (as pySHACL's set lookup)."""
    same = " || ".join(f"sameTerm(?value, {term})" for term in allowed) or "false"
    return Leaf("InConstraintComponent", f"!({same})")


def range_check(parameter: str, operator: str, passes: Callable[[int], bool], bound: Term, where: str) -> Leaf:
    """``sh:minInclusive`` and kin: SPARQL compares, pySHACL's comparison decides the rest."""
    if not isinstance(bound, ox.Literal):
        raise UnsupportedShapes(f"{where}: sh:{parameter} must be a literal")
    limit = to_rdflib(bound)
    assert isinstance(limit, rdflib.Literal)
    limit_is_string = isinstance(limit.value, str)

    def fails(value: Term) -> bool:
        if not isinstance(value, ox.Literal):
            return True
        with ill_typed_literals_expected():
            literal = to_rdflib(value)
        assert isinstance(literal, rdflib.Literal)
        if isinstance(literal.value, str) != limit_is_string:
            return True
        # imported when SPARQL leaves a value undecided (rarely): importing pySHACL takes a quarter of a second
        from pyshacl.rdfutil.compare import compare_literal

        try:
            return not passes(compare_literal(literal, limit))
        except (TypeError, NotImplementedError):
            return True  # incomparable, as pySHACL decides
        except ArithmeticError:
            return True  # e.g. "NaN"^^xsd:decimal, on which pySHACL itself would stop

    component = parameter[0].upper() + parameter[1:] + "ConstraintComponent"
    return Leaf(component, f"!(?value {operator} {bound})", fails)
