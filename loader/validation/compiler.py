"""The shapes compiled into SPARQL queries, each turning its solutions into findings.

For every shape with targets: one query for all the value-node constraints of each
of its property shapes (and of the node itself), one per sh:minCount and
sh:maxCount, one for sh:uniqueLang, and one per SHACL-SPARQL constraint.  The focus
nodes are the nodes the shape's targets select (classes through
rdf:type/rdfs:subClassOf*, over records and context, as pySHACL does) that the
records describe.

Most queries *scan* a property and keep the suspect values of every subject; the
engine then keeps the findings about focus nodes.  That is several times faster than
looking each focus node up in the store, and the suspects are few.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.vocab import RDF, RDFS
from loader.validation import marks
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
    described = f"GRAPH ?_graph {{ ?this ?_p ?_o }} FILTER(?_graph != {marks.MARKS})"
    return f"{union} FILTER(isIRI(?this)) FILTER EXISTS {{ {described} }}"


class ValueQuery:
    """Every value-node constraint of a shape, tested in one pass over its values."""

    def __init__(self, shape: Shape, marked: str, checks: list[Check], rule: Rule) -> None:
        self.rule = rule
        self.checks = checks
        self.messages = _shape_messages(shape.messages)
        self.variables: dict[int, str] = {}
        binds: list[str] = []
        for leaf in leaves(checks):
            name = self.variables[id(leaf)] = f"s{len(self.variables)}"
            binds.append(f"BIND(COALESCE({leaf.suspect}, true) AS ?{name})")
        suspect = " || ".join(f"!{self._ok(check)}" for check in checks)
        values = shape.path.pattern("?this", "?value") if shape.path else f"{marked} BIND(?this AS ?value)"
        self.scans = shape.path is not None
        projection = " ".join("?" + name for name in self.variables.values())
        self.sparql = (
            f"SELECT DISTINCT ?this ?value {projection} WHERE {{ {values} {' '.join(binds)} FILTER({suspect}) }}"
        )

    @property
    def components(self) -> list[str]:
        return [check.component for check in self.checks]

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


def leaves(checks: Iterable[Check]) -> Iterator[Leaf]:
    for check in checks:
        if isinstance(check, Leaf):
            yield check
        else:
            for member in check.members:
                yield from leaves(member)


class CountQuery:
    """sh:minCount or sh:maxCount: the focus nodes with too few, or too many, distinct values."""

    def __init__(self, shape: Shape, marked: str, rule: Rule, parameter: str) -> None:
        assert shape.path is not None
        bound = shape.single(parameter)
        assert bound is not None
        self.rule = rule
        self.messages = _shape_messages(shape.messages)
        self.component = parameter[0].upper() + parameter[1:] + "ConstraintComponent"
        limit, values = int(bound.value), shape.path.pattern("?this", "?value")
        self.scans = parameter == "maxCount"  # too few values: start from the focus nodes; too many: scan
        if parameter == "minCount" and limit == 1:  # the common case (MINUS: NOT EXISTS is slow on a chain)
            self.sparql = f"SELECT ?this WHERE {{ {marked} MINUS {{ {values} }} }}"
        elif parameter == "minCount":
            self.sparql = (
                f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {marked} "
                f"OPTIONAL {{ {values} }} }} GROUP BY ?this }} FILTER(?n < {limit}) }}"
            )
        elif limit == 0:
            self.sparql = f"SELECT DISTINCT ?this WHERE {{ {values} }}"
        else:
            self.sparql = f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {limit})"

    @property
    def components(self) -> list[str]:
        return [self.component]

    @staticmethod
    def parameters(shape: Shape) -> list[str]:
        least = shape.single("minCount")
        wanted = ["minCount"] if least is not None and int(least.value) > 0 else []
        return wanted + (["maxCount"] if shape.single("maxCount") is not None else [])

    def findings(self, solutions: Iterable[ox.QuerySolution]) -> Iterator[Finding]:
        for solution in solutions:
            yield self.rule.finding(solution["this"].value, self.component, None, self.messages)


class UniqueLangQuery:
    """sh:uniqueLang: one finding per language tag that two values of a focus node share."""

    scans = True
    components = ("UniqueLangConstraintComponent",)

    def __init__(self, shape: Shape, rule: Rule) -> None:
        assert shape.path is not None
        self.rule = rule
        self.messages = _shape_messages(shape.messages)
        self.sparql = (
            f"SELECT ?this ?lang WHERE {{ {shape.path.pattern('?this', '?value')} "
            f"FILTER(isLiteral(?value) && LANG(?value) != '') BIND(LCASE(LANG(?value)) AS ?lang) }} "
            f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
        )

    @staticmethod
    def applies(shape: Shape) -> bool:
        unique = shape.single("uniqueLang")
        return shape.path is not None and unique is not None and unique.value in ("true", "1")

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
        self.components = ("SPARQLConstraintComponent",)
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


CoreQuery = ValueQuery | CountQuery | UniqueLangQuery


@dataclass(frozen=True)
class CompiledShape:
    """A shape with targets, as queries.

    SHACL-SPARQL queries run first, before any mark exists, so that a query over
    arbitrary predicates never meets one; then the focus nodes of every shape are
    marked, then the instances of classes; then the core queries run, and the findings
    of those that ``scan`` are kept for focus nodes only.
    """

    name: str
    any_focus: str  # ASK query
    focus: str  # SELECT query of the focus nodes, once marked
    sparql: tuple[SparqlQuery, ...]
    focus_marks: str  # CONSTRUCT query of the marks of its focus nodes
    instance_marks: tuple[str, ...]  # CONSTRUCT queries of the class instances its checks look up
    core: tuple[CoreQuery, ...]


def compile_shape(shape: Shape, number: int) -> CompiledShape:
    """All queries of one shape with targets (``number`` tells its marks apart).

    :raises UnsupportedShapes: something in the shape cannot be compiled.
    """
    focus = focus_pattern(shape)
    marker = marks.shape_marker(number)
    marked = marks.is_focus(marker)
    needed: list[str] = []
    sparql: list[SparqlQuery] = []
    core: list[CoreQuery] = []
    for target in [shape, *shape.properties]:
        if target.path is None and any(target.single(p) for p in ("minCount", "maxCount", "uniqueLang")):
            raise UnsupportedShapes(f"{target.name}: sh:minCount, sh:maxCount and sh:uniqueLang need sh:path")
        rule = _rule(target)
        checks = value_checks(target)
        if checks:
            core.append(ValueQuery(target, marked, checks, rule))
            needed += [query for leaf in leaves(checks) for query in leaf.marks]
        core += [CountQuery(target, marked, rule, parameter) for parameter in CountQuery.parameters(target)]
        if UniqueLangQuery.applies(target):
            core.append(UniqueLangQuery(target, rule))
        sparql += [SparqlQuery(target, index, focus, rule) for index in range(len(target.sparql))]
    return CompiledShape(
        name=shape.name,
        any_focus=f"ASK {{ {focus} }}",
        focus=f"SELECT ?this WHERE {{ {marked} }}",
        sparql=tuple(sparql),
        focus_marks=marks.focus_marks(marker, focus),
        instance_marks=tuple(dict.fromkeys(needed)),
        core=tuple(core),
    )
