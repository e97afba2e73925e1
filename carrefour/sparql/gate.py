"""The one gate every public query passes: read once, decided on, written out canonically.

A public query used to be judged by a scanner of the hub's own while the store read
the original text with another parser; wherever the two read characters differently
(comments, escapes, quotes inside IRIs) code could hide from the check and still run.
Now the query is parsed once (:mod:`carrefour.sparql.parser`), every decision is taken
on the parsed form (each SERVICE target, each dataset clause, each function), and the
store is only ever sent the canonical text written from that form
(:mod:`carrefour.sparql.render`), which reads back to the same form (checked here).
The gate's answer, a :class:`GatedQuery`, is what the answer cache, the result cap and
the stores use: the query is analysed once, not once per consumer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox

from carrefour.errors import QueryError, QueryRefused
from carrefour.sparql import syntax as s
from carrefour.sparql.parser import XSD, parse_query
from carrefour.sparql.render import render
from carrefour.sparql.scope import check_scope, walk

log = logging.getLogger(__name__)

# SPARQL 1.1 section 17.5 (XPath constructor functions), with the date, time and duration types both stores cast to.
CASTS = frozenset(
    XSD + name
    for name in ("boolean", "double", "float", "decimal", "integer", "dateTime", "string", "date", "time",
                 "duration", "dayTimeDuration", "yearMonthDuration")
)  # fmt: skip
VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})  # a new answer at each run
STORE_SCHEMES = frozenset({"bif", "sql"})  # Virtuoso's bridges to its SQL functions, also as predicates
CACHED_TEXT_CHARS = 4096  # gate decisions on texts up to this long are kept (a partner's queries repeat)


@dataclass(frozen=True)
class GatePolicy:
    """What a public query may do on this hub."""

    base: str  # relative IRIs resolve against the hub's base URL
    service_hosts: frozenset[str] = frozenset()  # hosts SERVICE may reach (lower case)
    prefixes: tuple[tuple[str, str], ...] = ()  # known without a PREFIX line

    @classmethod
    def of(cls, base: str, service_hosts: Sequence[str], prefixes: Mapping[str, str]) -> GatePolicy:
        return cls(base, frozenset(h.lower() for h in service_hosts), tuple(sorted(prefixes.items())))


@dataclass(frozen=True)
class GatedQuery:
    """A public query the gate let through."""

    text: str  # the canonical text: what runs
    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    services: tuple[str, ...]  # SERVICE endpoints, all allowed
    dataset: tuple[s.DatasetClause, ...]  # its FROM / FROM NAMED clauses
    volatile: bool  # calls RAND, NOW, UUID, STRUUID or BNODE
    syntax: s.Query = field(repr=False, compare=False)

    @property
    def from_graphs(self) -> list[str]:
        return [c.iri.value for c in self.dataset if not c.named]

    @property
    def from_named_graphs(self) -> list[str]:
        return [c.iri.value for c in self.dataset if c.named]

    @property
    def cacheable(self) -> bool:
        """Whether the answer only depends on the data of the version."""
        return not self.services and not self.volatile

    def __reduce__(self) -> tuple[object, ...]:
        """Sent to a query process without the parsed form, which only the gate's side renders from."""
        return _unpickled, (self.text, self.form, self.services, self.dataset, self.volatile)

    def render(self, *, dataset: Sequence[s.DatasetClause] | None = None, limit: int | None = None) -> str:
        """The canonical text with other dataset clauses, or a lower LIMIT (for a store that needs them)."""
        return render(self.syntax, dataset=dataset, limit=limit)


def _unpickled(*fields: object) -> GatedQuery:
    return GatedQuery(*fields, syntax=None)  # type: ignore[arg-type]


def gate(text: str, policy: GatePolicy) -> GatedQuery:
    """Decide on a public query.

    :raises QueryRefused: an update, or SERVICE to a host not allowed (403).
    :raises QueryError: not a SPARQL 1.1 query, or a function the endpoint does not run (400).
    """
    if len(text) <= CACHED_TEXT_CHARS:
        return _cached_gate(text, policy)
    return _gate(text, policy)


@functools.lru_cache(maxsize=512)
def _cached_gate(text: str, policy: GatePolicy) -> GatedQuery:
    return _gate(text, policy)


def _gate(text: str, policy: GatePolicy) -> GatedQuery:
    try:
        syntax = parse_query(text, base=policy.base, prefixes=dict(policy.prefixes))
        check_scope(syntax)
    except QueryRefused:
        raise
    except QueryError as exc:
        raise QueryError(f"malformed query: {exc}") from None
    nodes = list(walk(syntax))
    services = _services(nodes, policy)
    _check_functions(nodes)
    _check_store_iris(nodes)
    canonical = render(syntax)
    if render(parse_query(canonical)) != canonical:  # a writer's mistake must not change what runs
        log.error("canonical text does not read back the same: %r", canonical[:2000])
        raise QueryError("this query could not be written out unambiguously; please simplify it")
    volatile = any(isinstance(n, s.BuiltinCall) and n.name in VOLATILE for n in nodes)
    return GatedQuery(canonical, syntax.form, services, syntax.dataset, volatile, syntax)


def _services(nodes: list[object], policy: GatePolicy) -> tuple[str, ...]:
    found = []
    for node in nodes:
        if not isinstance(node, s.ServicePattern):
            continue
        if isinstance(node.endpoint, ox.Variable):
            raise QueryRefused("SERVICE with a variable endpoint is refused: name an allowed host")
        target = node.endpoint.value
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in policy.service_hosts:
            raise QueryRefused(f"SERVICE <{target}> is refused: {host or 'this endpoint'} is not an allowed host")
        found.append(target)
    return tuple(found)


def _check_functions(nodes: list[object]) -> None:
    for node in nodes:
        if isinstance(node, s.FunctionCall) and (
            node.iri.value not in CASTS or len(node.arguments) != 1 or node.distinct
        ):
            raise QueryError(
                f"<{node.iri.value}> is not a function of this endpoint: "
                "SPARQL 1.1 built-in functions and XSD casts (xsd:integer(?x)…) only"
            )


def _check_store_iris(nodes: list[object]) -> None:
    for iri in _iris(nodes):
        if iri.value.split(":", 1)[0].lower() in STORE_SCHEMES:
            raise QueryError(f"<{iri.value}> names a store's internal function: not SPARQL 1.1")


def _iris(nodes: list[object]) -> Iterator[ox.NamedNode]:
    """Every IRI a query names, wherever it stands."""
    for node in nodes:
        terms: list[object] = []
        if isinstance(node, s.TriplesBlock):
            for triple in node.triples:
                terms += [triple.subject, triple.object, *_path_iris(triple.predicate)]
        elif isinstance(node, s.Values):
            terms += [value for row in node.rows for value in row]
        elif isinstance(node, s.Query):
            terms += [c.iri for c in node.dataset] + list(node.describe or ())
            terms += [t for triple in node.template for t in (triple.subject, triple.predicate, triple.object)]
        elif isinstance(node, s.GraphPattern | s.ServicePattern):
            terms.append(node.name if isinstance(node, s.GraphPattern) else node.endpoint)
        elif isinstance(node, s.FunctionCall):
            terms.append(node.iri)
        else:
            terms.append(node)
        for term in terms:
            if isinstance(term, ox.NamedNode):
                yield term
            elif isinstance(term, ox.Literal):
                yield term.datatype


def _path_iris(path: object) -> list[object]:
    if isinstance(path, s.PathAlternative):
        return [i for option in path.options for i in _path_iris(option)]
    if isinstance(path, s.PathSequence):
        return [i for step in path.steps for i in _path_iris(step)]
    if isinstance(path, s.PathInverse | s.PathModified):
        return _path_iris(path.path)
    if isinstance(path, s.PathNegated):
        return [member for member, _ in path.members]
    return [path]
