"""The shapes graph read into plain objects, for the fast engine to compile.

Only what the fast engine implements is accepted.  Any other SHACL term on a shape
(``sh:node``, ``sh:qualifiedValueShape``, ``sh:closed``, an alternative path, a custom
constraint component…) stops the reading with ``UnsupportedShapes``, naming the shape
and the term: a constraint is never skipped silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from carrefour.errors import CarrefourError
from carrefour.vocab import RDF, RDFS, SH

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal

TARGETS = {
    "targetClass": "class",
    "targetSubjectsOf": "subjectsOf",
    "targetObjectsOf": "objectsOf",
    "targetNode": "node",
}
# Constraint parameters whose value is tested value by value.
VALUE_PARAMETERS = frozenset(
    {
        "class",
        "datatype",
        "nodeKind",
        "pattern",
        "flags",
        "minLength",
        "maxLength",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "in",
        "or",
    }
)
# SHACL terms that describe a shape without constraining anything.
_DESCRIPTIVE = frozenset(
    {"name", "description", "order", "group", "defaultValue", "message", "severity", "deactivated"}
)
_NODE_PARAMETERS = VALUE_PARAMETERS | _DESCRIPTIVE | set(TARGETS) | {"property", "sparql"}
_PROPERTY_PARAMETERS = _NODE_PARAMETERS - {"property"} | {"path", "minCount", "maxCount", "uniqueLang"}
_MEMBER_PARAMETERS = VALUE_PARAMETERS | _DESCRIPTIVE  # shapes inside sh:or test one value node
_SPARQL_PARAMETERS = frozenset({"select", "message", "prefixes", "deactivated"})
_DECLARATIONS = frozenset({"declare", "prefix", "namespace"})  # prefix declarations for SHACL-SPARQL
_SINGLE = ("datatype", "nodeKind", "flags", "minLength", "maxLength", "minCount", "maxCount", "uniqueLang", "path")


class UnsupportedShapes(CarrefourError):
    """The shapes use a SHACL feature the fast engine does not implement (use engine="pyshacl")."""


@dataclass(frozen=True)
class Path:
    """A SHACL property path: an IRI, a sequence or an inverse path."""

    iri: str | None = None
    sequence: tuple[Path, ...] = ()
    inverse: Path | None = None

    def sparql(self) -> str:
        if self.iri is not None:
            return f"<{self.iri}>"
        if self.inverse is not None:
            return f"^({self.inverse.sparql()})"
        return "(" + " / ".join(part.sparql() for part in self.sequence) + ")"

    def pattern(self, subject: str, value: str, step: str = "?_step") -> str:
        """Triple patterns linking ``subject`` to ``value``: the store evaluates them much faster than a path."""
        if self.iri is not None:
            return f"{subject} <{self.iri}> {value} ."
        if self.inverse is not None:
            return self.inverse.pattern(value, subject, step + "i")
        nodes = [subject] + [f"{step}{n}" for n in range(1, len(self.sequence))] + [value]
        return " ".join(part.pattern(nodes[n], nodes[n + 1], f"{step}{n}_") for n, part in enumerate(self.sequence))

    def text(self) -> str:
        """How findings name the path: ``(a b)`` for a sequence, ``^p`` for an inverse."""
        if self.iri is not None:
            return self.iri
        if self.inverse is not None:
            return "^" + self.inverse.text()
        return "(" + " ".join(part.text() for part in self.sequence) + ")"


@dataclass(frozen=True)
class Messages:
    """A shape's or constraint's sh:message values, by language (untagged ones are not reported)."""

    by_language: tuple[tuple[str, str], ...] = ()

    def get(self, language: str) -> str | None:
        texts = sorted(text for lang, text in self.by_language if lang == language)
        return texts[0] if texts else None


@dataclass(frozen=True)
class SparqlConstraint:
    node: str
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: Messages


@dataclass
class Shape:
    """A node or property shape; ``parameters`` holds its constraint parameters by local name."""

    node: Node
    path: Path | None
    severity: str
    messages: Messages
    deactivated: bool = False
    parameters: dict[str, list[Term]] = field(default_factory=dict)
    members: dict[str, list[list[Shape]]] = field(default_factory=dict)  # sh:or lists of shapes
    allowed: list[list[Term]] = field(default_factory=list)  # sh:in lists
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    targets: list[tuple[str, Term]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.node.value

    def single(self, parameter: str) -> Term | None:
        values = self.parameters.get(parameter, [])
        return values[0] if values else None


class _Graph:
    """Subject → predicate → objects, over the shapes graph's triples."""

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple]) -> None:
        self.edges: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for quad in quads:
            self.edges[quad.subject][quad.predicate.value].append(quad.object)

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return self.edges.get(node, {}).get(predicate, [])

    def value(self, node: Term, predicate: str) -> Term | None:
        values = self.objects(node, predicate)
        return values[0] if values else None

    def items(self, head: Term, where: str) -> list[Term]:
        members: list[Term] = []
        while head != ox.NamedNode(RDF + "nil"):
            first = self.value(head, RDF + "first")
            if first is None:
                raise UnsupportedShapes(f"{where}: malformed RDF list")
            members.append(first)
            rest = self.value(head, RDF + "rest")
            if rest is None:
                raise UnsupportedShapes(f"{where}: malformed RDF list")
            head = rest
        return members

    def shacl_parameters(self, node: Term) -> dict[str, list[Term]]:
        return {p[len(SH) :]: values for p, values in self.edges.get(node, {}).items() if p.startswith(SH)}


def read_shapes(quads: Iterable[ox.Quad | ox.Triple]) -> list[Shape]:
    """The shapes that have targets (the roots a validation starts from), fully read.

    :raises UnsupportedShapes: a shape uses a SHACL term the fast engine does not implement.
    """
    graph = _Graph(quads)
    for component in _subjects_of_type(graph, SH + "ConstraintComponent"):
        raise UnsupportedShapes(f"{component.value}: custom constraint components are not supported")
    declared = set(_subjects_of_type(graph, SH + "NodeShape")) | set(_subjects_of_type(graph, SH + "PropertyShape"))
    roots = [
        node
        for node in graph.edges
        if any(graph.objects(node, SH + target) for target in TARGETS)
        or (node in declared and ox.NamedNode(RDFS + "Class") in graph.objects(node, RDF + "type"))
    ]
    reader = _Reader(graph)
    shapes = [
        reader.shape(node, _PROPERTY_PARAMETERS if _is_property(graph, node) else _NODE_PARAMETERS) for node in roots
    ]
    for node in declared - set(reader.seen):  # shapes nobody targets still have to be understood
        reader.shape(node, _PROPERTY_PARAMETERS if _is_property(graph, node) else _NODE_PARAMETERS)
    for node in list(graph.edges):  # so do nodes with SHACL terms that are no shape of ours (sh:target, sh:rule…)
        terms = set(graph.shacl_parameters(node))
        if terms and node not in reader.seen and node not in reader.parts and not terms <= _DECLARATIONS:
            reader.shape(node, _PROPERTY_PARAMETERS if _is_property(graph, node) else _NODE_PARAMETERS)
    return [shape for shape in shapes if not shape.deactivated]


def _subjects_of_type(graph: _Graph, cls: str) -> list[Term]:
    return [node for node in graph.edges if ox.NamedNode(cls) in graph.objects(node, RDF + "type")]


def _is_property(graph: _Graph, node: Term) -> bool:
    return bool(graph.objects(node, SH + "path"))


class _Reader:
    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        self.seen: dict[Term, Shape] = {}
        self.parts: set[Term] = set()  # nodes read as paths or SPARQL constraints

    def shape(self, node: Term, allowed: frozenset[str] | set[str]) -> Shape:
        if node in self.seen:
            return self.seen[node]
        if isinstance(node, ox.Literal):
            raise UnsupportedShapes(f"{node}: a literal cannot be a shape")
        graph = self.graph
        parameters = graph.shacl_parameters(node)
        where = node.value
        for name in parameters:
            if name not in allowed:
                raise UnsupportedShapes(
                    f"{where}: sh:{name} is not supported by the fast engine (use engine='pyshacl')"
                )
        for name in _SINGLE:
            if len(parameters.get(name, [])) > 1:
                raise UnsupportedShapes(f"{where}: sh:{name} has more than one value")
        severity = graph.value(node, SH + "severity")
        path_node = graph.value(node, SH + "path")
        shape = Shape(
            node=node,
            path=self.path(path_node, where) if path_node is not None else None,
            severity=severity.value if severity is not None else SH + "Violation",
            messages=_messages(graph.objects(node, SH + "message")),
            deactivated=_is_true(graph.value(node, SH + "deactivated")),
            parameters={
                n: v for n, v in parameters.items() if n in VALUE_PARAMETERS | {"minCount", "maxCount", "uniqueLang"}
            },
            targets=[(kind, value) for name, kind in TARGETS.items() for value in parameters.get(name, [])],
        )
        if ox.NamedNode(RDFS + "Class") in graph.objects(node, RDF + "type"):
            shape.targets.append(("class", node))
        self.seen[node] = shape
        _check_values(shape, where)
        for head in parameters.get("or", []):
            shape.members.setdefault("or", []).append(
                [self.shape(member, _MEMBER_PARAMETERS) for member in graph.items(head, where)]
            )
        for head in parameters.get("in", []):
            shape.allowed.append(graph.items(head, where))
        for child in parameters.get("property", []):
            prop = self.shape(child, _PROPERTY_PARAMETERS - set(TARGETS))
            if prop.path is None:
                raise UnsupportedShapes(f"{child.value}: a property shape needs sh:path")
            if not prop.deactivated:
                shape.properties.append(prop)
        for constraint in parameters.get("sparql", []):
            read = self.sparql(constraint, where)
            if read is not None:
                shape.sparql.append(read)
        return shape

    def path(self, node: Term, where: str) -> Path:
        graph = self.graph
        self.parts.add(node)
        if isinstance(node, ox.NamedNode):
            return Path(iri=node.value)
        if isinstance(node, ox.BlankNode):
            inverse = graph.value(node, SH + "inversePath")
            if inverse is not None:
                return Path(inverse=self.path(inverse, where))
            if graph.value(node, RDF + "first") is not None:
                return Path(sequence=tuple(self.path(part, where) for part in graph.items(node, where)))
        kinds = ", ".join(f"sh:{name}" for name in graph.shacl_parameters(node)) or str(node)
        raise UnsupportedShapes(f"{where}: path {kinds} is not supported (IRIs, sequences and inverse paths are)")

    def sparql(self, node: Term, where: str) -> SparqlConstraint | None:
        graph = self.graph
        self.parts.add(node)
        parameters = graph.shacl_parameters(node)
        for name in parameters:
            if name not in _SPARQL_PARAMETERS:
                raise UnsupportedShapes(f"{where}: sh:{name} in a SPARQL constraint is not supported")
        if _is_true(graph.value(node, SH + "deactivated")):
            return None
        selects = parameters.get("select", [])
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise UnsupportedShapes(f"{where}: a SPARQL constraint needs exactly one sh:select text")
        prefixes: dict[str, str] = {}
        for declarations in parameters.get("prefixes", []):
            for declaration in graph.objects(declarations, SH + "declare"):
                prefix, namespace = graph.value(declaration, SH + "prefix"), graph.value(declaration, SH + "namespace")
                if prefix is None or namespace is None:
                    raise UnsupportedShapes(f"{where}: a prefix declaration needs sh:prefix and sh:namespace")
                prefixes[prefix.value] = namespace.value
        return SparqlConstraint(
            node=node.value,
            select=selects[0].value,
            prefixes=tuple(sorted(prefixes.items())),
            messages=_messages(graph.objects(node, SH + "message")),
        )


def _is_true(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.value in ("true", "1")


def _messages(values: list[Term]) -> Messages:
    return Messages(tuple(sorted((v.language, v.value) for v in values if isinstance(v, ox.Literal) and v.language)))


def _check_values(shape: Shape, where: str) -> None:
    """Refuse parameter values pySHACL would refuse too, before any query is written."""
    for name in ("minLength", "maxLength", "minCount", "maxCount"):
        value = shape.single(name)
        if value is not None and not (isinstance(value, ox.Literal) and re.fullmatch(r"[0-9]+", value.value)):
            raise UnsupportedShapes(f"{where}: sh:{name} must be a non-negative integer")
    for name in ("class", "datatype", "nodeKind"):
        for value in shape.parameters.get(name, []):
            if not isinstance(value, ox.NamedNode):
                raise UnsupportedShapes(f"{where}: sh:{name} must be an IRI")
    for name in ("pattern", "flags"):
        for value in shape.parameters.get(name, []):
            if not isinstance(value, ox.Literal):
                raise UnsupportedShapes(f"{where}: sh:{name} must be a literal")
    unique = shape.single("uniqueLang")
    if unique is not None and not (isinstance(unique, ox.Literal) and unique.value in ("true", "false", "1", "0")):
        raise UnsupportedShapes(f"{where}: sh:uniqueLang must be a boolean")
