"""The shapes compiled into SPARQL queries, each turning its solutions into findings.

For every shape with targets: one query for all its value-node constraints (per
property shape, and one for the node itself), one for its counts (sh:minCount,
sh:maxCount), one for sh:uniqueLang, and one per SHACL-SPARQL constraint.  Each
query joins the shape's focus nodes first: the nodes its targets select (classes
through rdf:type/rdfs:subClassOf*, over records and context, as pySHACL does) that
the records describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.vocab import RDF, RDFS
from loader.validation.checks import Check, Leaf, value_checks
from loader.validation.report import Finding, record_of
from loader.validation.shapes import Messages, Shape, UnsupportedShapes
from loader.validation.sparql_constraints import rewrite

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Rule:
    """What every finding of one shape says besides its focus node and value."""

    shape: str
    path: str | None
    severity: str  # local name: Violation, Warning, Info

    def finding(self, focus: str, component: str, value: str | None, messages: dict[str, str]) -> Finding:
        return Finding(
            record=record_of(focus),
            focus=focus,
            path=self.path,
            severity=self.severity,
            shape=self.shape,
            component=component,
            value=value,
            message_fr=messages.get("fr", ""),
            message_en=messages.get("en", ""),
        )


def _rule(shape: Shape) -> Rule:
    return Rule(shape.name, shape.path.text() if shape.path else None, shape.severity.rsplit("#", 1)[-1])


def _shape_messages(messages: Messages) -> dict[str, str]:
    return {language: text for language in LANGUAGES if (text := messages.get(language)) is not None}


def focus_pattern(shape: Shape) -> str:
    """A group pattern binding ``?this`` to each focus node of a shape with targets."""
    branches = []
    for kind, value in shape.targets:
        if kind == "class":
            branches.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {value} .")
        elif kind == "subjectsOf":
            branches.append(f"?this {value} ?_object .")
        elif kind == "objectsOf":
            branches.append(f"?_subject {value} ?this .")
        else:
            branches.append(f"VALUES ?this {{ {value} }}")
    union = " UNION ".join(f"{{ {branch} }}" for branch in branches)
    return f"{union} FILTER(isIRI(?this)) FILTER EXISTS {{ GRAPH ?_graph {{ ?this ?_p ?_o }} }}"


class ValueQuery:
    """Every value-node constraint of a shape, tested in one pass over its values."""

    def __init__(self, shape: Shape, focus: str, checks: list[Check], rule: Rule) -> None:
        self.rule = rule
        self.checks = checks
        self.messages = _shape_messages(shape.messages)
        self.variables: dict[int, str] = {}
        binds: list[str] = []
        for leaf in _leaves(checks):
            name = self.variables[id(leaf)] = f"s{len(self.variables)}"
            binds.append(f"BIND(COALESCE({leaf.suspect}, true) AS ?{name})")
        values = f"?this {shape.path.sparql()} ?value ." if shape.path else "BIND(?this AS ?value)"
        suspect = " || ".join(f"!{self._ok(check)}" for check in checks)
        self.sparql = (
            f"SELECT DISTINCT ?this ?value {' '.join('?' + n for n in self.variables.values())} WHERE {{ "
            f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} {values} {' '.join(binds)} FILTER({suspect}) }}"
        )

    def _ok(self, check: Check) -> str:
        """A SPARQL expression, true when pySHACL surely accepts the value for this check."""
        if isinstance(check, Leaf):
            return f"!?{self.variables[id(check)]}"
        members = [" && ".join(self._ok(c) for c in member) or "true" for member in check.members]
        return "(" + (" || ".join(f"({m})" for m in members) or "false") + ")"

    def _fails(self, check: Check, flags: dict[str, bool], value: ox.NamedNode | ox.BlankNode | ox.Literal) -> bool:
        if isinstance(check, Leaf):
            return flags[self.variables[id(check)]] and (check.fails is None or check.fails(value))
        return all(any(self._fails(c, flags, value) for c in member) for member in check.members)

    def findings(self, solutions: Iterable[ox.QuerySolution]) -> Iterator[Finding]:
        for solution in solutions:
            value = solution["value"]
            flags = {name: solution[name].value == "true" for name in self.variables.values()}
            for check in self.checks:
                if self._fails(check, flags, value):
                    yield self.rule.finding(solution["this"].value, check.component, value.value, self.messages)


def _leaves(checks: Iterable[Check]) -> Iterator[Leaf]:
    for check in checks:
        if isinstance(check, Leaf):
            yield check
        else:
            for member in check.members:
                yield from _leaves(member)


class CountQuery:
    """sh:minCount and sh:maxCount: the focus nodes with too few or too many values."""

    def __init__(self, shape: Shape, focus: str, rule: Rule) -> None:
        assert shape.path is not None
        self.rule = rule
        self.messages = _shape_messages(shape.messages)
        least, most = shape.single("minCount"), shape.single("maxCount")
        self.minimum = int(least.value) if least is not None else 0
        self.maximum = int(most.value) if most is not None else None
        tests = [f"?n < {self.minimum}"] if self.minimum > 0 else []
        tests += [f"?n > {self.maximum}"] if self.maximum is not None else []
        self.sparql = (
            f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ "
            f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} OPTIONAL {{ ?this {shape.path.sparql()} ?value }} "
            f"}} GROUP BY ?this }} FILTER({' || '.join(tests)}) }}"
        )

    @staticmethod
    def applies(shape: Shape) -> bool:
        least = shape.single("minCount")
        return shape.single("maxCount") is not None or (least is not None and int(least.value) > 0)

    def findings(self, solutions: Iterable[ox.QuerySolution]) -> Iterator[Finding]:
        for solution in solutions:
            count = int(solution["n"].value)
            focus = solution["this"].value
            if count < self.minimum:
                yield self.rule.finding(focus, "MinCountConstraintComponent", None, self.messages)
            if self.maximum is not None and count > self.maximum:
                yield self.rule.finding(focus, "MaxCountConstraintComponent", None, self.messages)


class UniqueLangQuery:
    """sh:uniqueLang: one finding per language tag that two values of a focus node share."""

    def __init__(self, shape: Shape, focus: str, rule: Rule) -> None:
        assert shape.path is not None
        self.rule = rule
        self.messages = _shape_messages(shape.messages)
        self.sparql = (
            f"SELECT ?this ?lang WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} "
            f"?this {shape.path.sparql()} ?value . FILTER(isLiteral(?value) && LANG(?value) != '') "
            f"BIND(LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )

    @staticmethod
    def applies(shape: Shape) -> bool:
        unique = shape.single("uniqueLang")
        return unique is not None and unique.value in ("true", "1")

    def findings(self, solutions: Iterable[ox.QuerySolution]) -> Iterator[Finding]:
        for solution in solutions:
            yield self.rule.finding(solution["this"].value, "UniqueLangConstraintComponent", None, self.messages)


class SparqlQuery:
    """A SHACL-SPARQL constraint: one finding per distinct solution, as pySHACL reports them."""

    def __init__(self, shape: Shape, constraint_index: int, focus: str, rule: Rule) -> None:
        constraint = shape.sparql[constraint_index]
        iri = shape.name if isinstance(shape.node, ox.NamedNode) else None
        rewritten = rewrite(constraint, shape.path, iri, focus, shape.name)
        self.sparql = rewritten.text
        self.projection = rewritten.projection
        self.rule = rule
        self.node_shape = shape.path is None
        self.templates = {
            language: text
            for language in LANGUAGES
            if (text := shape.messages.get(language) or constraint.messages.get(language)) is not None
        }

    def findings(self, solutions: ox.QuerySolutions) -> Iterator[Finding]:
        names = [v.value for v in solutions.variables]
        seen: set[tuple[object, ...]] = set()
        for solution in solutions:
            focus = solution["this"]
            bound = {name: solution[name] for name in names if solution[name] is not None}
            value = bound.pop("value", None)
            bound.pop("this", None)
            key = (focus, value, tuple(sorted((n, str(t)) for n, t in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            reported = value if value is not None else (focus if self.node_shape else None)
            variables = {name: term.value for name, term in bound.items()}
            if self.projection is None or "this" in self.projection:  # pySHACL fills {$this} only then
                variables["this"] = focus.value
            if reported is not None:
                variables["value"] = reported.value
            messages = {language: _substitute(text, variables) for language, text in self.templates.items()}
            yield self.rule.finding(
                focus.value, "SPARQLConstraintComponent", None if reported is None else reported.value, messages
            )


def _substitute(message: str, variables: dict[str, str]) -> str:
    """Fill ``{?var}`` and ``{$var}`` in a message, exactly as pySHACL does."""
    for name, value in variables.items():
        message = re.sub("{{[?$]{}}}".format(name), value, message)  # noqa: UP032 (pySHACL's own expression)
    return message


Query = ValueQuery | CountQuery | UniqueLangQuery | SparqlQuery


@dataclass(frozen=True)
class CompiledShape:
    """A shape with targets: the question whether it has focus nodes, then its queries."""

    name: str
    any_focus: str  # ASK query
    queries: tuple[Query, ...]


def compile_shape(shape: Shape) -> CompiledShape:
    """All queries of one shape with targets.

    :raises UnsupportedShapes: something in the shape cannot be compiled.
    """
    focus = focus_pattern(shape)
    queries: list[Query] = []
    for target in [shape, *shape.properties]:
        rule = _rule(target)
        checks = value_checks(target)
        if checks:
            queries.append(ValueQuery(target, focus, checks, rule))
        if target.path is not None and CountQuery.applies(target):
            queries.append(CountQuery(target, focus, rule))
        if target.path is not None and UniqueLangQuery.applies(target):
            queries.append(UniqueLangQuery(target, focus, rule))
        if target.path is None and any(target.single(p) for p in ("minCount", "maxCount", "uniqueLang")):
            raise UnsupportedShapes(f"{target.name}: sh:minCount, sh:maxCount and sh:uniqueLang need sh:path")
        queries += [SparqlQuery(target, index, focus, rule) for index in range(len(target.sparql))]
    return CompiledShape(shape.name, f"ASK {{ {focus} }}", tuple(queries))
