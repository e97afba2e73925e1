"""The parsed form of a SPARQL 1.1 query: what the gate decides on and what it writes out again.

Prefixed names and relative IRIs are resolved while parsing, so every IRI here is
absolute; literals keep their lexical form as written (``"01"^^xsd:integer`` stays
``01``); brackets leave no node (they only group).  Chains of the same precedence
(``a + b - c``, ``a || b || c``) are flat, so that a long one costs no recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import pyoxigraph as ox


@dataclass(frozen=True, slots=True)
class BlankLabel:
    """A blank node written ``_:name``."""

    name: str


@dataclass(frozen=True, slots=True)
class AnonNode:
    """A blank node written ``[]``, ``[ … ]`` or made by a collection, numbered in reading order."""

    number: int


Term: TypeAlias = ox.NamedNode | ox.Literal | ox.Variable | BlankLabel | AnonNode


@dataclass(frozen=True, slots=True)
class PathAlternative:
    options: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class PathSequence:
    steps: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class PathInverse:
    path: Path


@dataclass(frozen=True, slots=True)
class PathModified:
    path: Path
    modifier: str  # ?, * or +


@dataclass(frozen=True, slots=True)
class PathNegated:
    """``!(a|^b)``: each IRI with whether it is inverted."""

    members: tuple[tuple[ox.NamedNode, bool], ...]


Path: TypeAlias = ox.NamedNode | PathAlternative | PathSequence | PathInverse | PathModified | PathNegated


@dataclass(frozen=True, slots=True)
class TriplePattern:
    subject: Term
    predicate: Term | Path
    object: Term


@dataclass(frozen=True, slots=True)
class Chain:
    """Operands joined by operators of one precedence level (``||``, ``&&``, ``+ -``, ``* /``)."""

    operators: tuple[str, ...]
    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: str  # = != < > <= >=
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class InList:
    expression: Expression
    items: tuple[Expression, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Unary:
    operator: str  # ! - +
    operand: Expression


@dataclass(frozen=True, slots=True)
class BuiltinCall:
    name: str  # upper case: STR, REGEX, BOUND…
    arguments: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Exists:
    pattern: GroupLike
    negated: bool


@dataclass(frozen=True, slots=True)
class Aggregate:
    name: str  # COUNT, SUM, MIN, MAX, AVG, SAMPLE, GROUP_CONCAT
    distinct: bool
    expression: Expression | None  # None: COUNT(*)
    separator: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionCall:
    iri: ox.NamedNode
    arguments: tuple[Expression, ...]
    distinct: bool = False


Expression: TypeAlias = Term | Chain | Comparison | InList | Unary | BuiltinCall | Exists | Aggregate | FunctionCall


@dataclass(frozen=True, slots=True)
class TriplesBlock:
    triples: tuple[TriplePattern, ...]


@dataclass(frozen=True, slots=True)
class OptionalPattern:
    pattern: GroupLike


@dataclass(frozen=True, slots=True)
class MinusPattern:
    pattern: GroupLike


@dataclass(frozen=True, slots=True)
class UnionPattern:
    patterns: tuple[GroupLike, ...]  # two or more


@dataclass(frozen=True, slots=True)
class GraphPattern:
    name: ox.NamedNode | ox.Variable
    pattern: GroupLike


@dataclass(frozen=True, slots=True)
class ServicePattern:
    endpoint: ox.NamedNode | ox.Variable
    silent: bool
    pattern: GroupLike


@dataclass(frozen=True, slots=True)
class Filter:
    expression: Expression


@dataclass(frozen=True, slots=True)
class Bind:
    expression: Expression
    variable: ox.Variable


@dataclass(frozen=True, slots=True)
class Values:
    variables: tuple[ox.Variable, ...]
    rows: tuple[tuple[Term | None, ...], ...]  # None: UNDEF


@dataclass(frozen=True, slots=True)
class Group:
    """``{ … }``: its elements in order."""

    elements: tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class Projection:
    variable: ox.Variable
    expression: Expression | None = None  # (expression AS ?variable)


@dataclass(frozen=True, slots=True)
class GroupCondition:
    expression: Expression
    variable: ox.Variable | None = None


@dataclass(frozen=True, slots=True)
class OrderCondition:
    expression: Expression
    direction: str | None = None  # ASC, DESC or None


@dataclass(frozen=True, slots=True)
class DatasetClause:
    iri: ox.NamedNode
    named: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A query or a subquery (``form`` SELECT, no dataset)."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE, ASK
    where: GroupLike | None
    modifier: str | None = None  # DISTINCT or REDUCED
    projection: tuple[Projection, ...] | None = None  # None: SELECT *
    template: tuple[TriplePattern, ...] = ()  # CONSTRUCT
    short_construct: bool = False  # CONSTRUCT WHERE { template }
    describe: tuple[ox.NamedNode | ox.Variable, ...] | None = None  # None: DESCRIBE *
    dataset: tuple[DatasetClause, ...] = ()
    group_by: tuple[GroupCondition, ...] = ()
    having: tuple[Expression, ...] = ()
    order_by: tuple[OrderCondition, ...] = ()
    limit: int | None = None
    offset: int | None = None
    values: Values | None = None


GroupLike: TypeAlias = Group | Query  # a group, or a subquery in braces
Element: TypeAlias = (
    TriplesBlock
    | Group
    | Query
    | OptionalPattern
    | MinusPattern
    | UnionPattern
    | GraphPattern
    | ServicePattern
    | Filter
    | Bind
    | Values
)
