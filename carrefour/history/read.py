"""Read the history: a record's versions, one version, a stream's counters and pages.

Each read is one query with bound parameters, so that the embedded store answers
from its indexes and a remote store in one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from carrefour.history.content import decode, fragments, rewrite
from carrefour.history.terms import (
    AS,
    ATTRIBUTED_TO,
    CREATED,
    GENERATED_AT,
    HAS_PART,
    IS_VERSION_OF,
    MEMBER,
    MODIFIED,
    PAGE_SIZE,
    TOTAL,
    TYPE,
    Names,
    literal_time,
    time_literal,
)
from carrefour.store.base import Snapshot, Solution


@dataclass(frozen=True)
class Version:
    """One version of a record, as the history keeps it."""

    iri: ox.NamedNode
    record: str
    kind: str  # Create, Update or Delete
    time: datetime
    partner: ox.NamedNode | None
    content: str | None  # None for a deletion, or when not read

    @property
    def deleted(self) -> bool:
        return self.kind == "Delete"


@dataclass(frozen=True)
class StreamHead:
    count: int
    last: datetime | None

    @property
    def pages(self) -> int:
        return -(-self.count // PAGE_SIZE)


_STATEMENTS = "SELECT ?g ?v ?p ?o WHERE { GRAPH ?g { ?v ?p ?o } }"
_OF_RECORD = (
    f"SELECT ?g ?r ?content ?v ?p ?o WHERE {{ GRAPH ?g {{ ?v {IS_VERSION_OF} ?r . ?v ?p ?o FILTER(?p != ?content) }} }}"
)
_OF_PAGE = f"SELECT ?g ?page ?v ?p ?o WHERE {{ GRAPH ?g {{ ?page {MEMBER} ?v . ?v ?p ?o }} }}"


def _versions(rows: list[Solution], names: Names) -> list[Version]:
    """Versions from (?v ?p ?o) rows, in the order of their times then IRIs."""
    by_version: dict[ox.NamedNode, dict[ox.NamedNode, ox.NamedNode | ox.Literal]] = {}
    for row in rows:
        by_version.setdefault(row["v"], {})[row["p"]] = row["o"]  # type: ignore[index]
    found = []
    for iri, values in by_version.items():
        kind, record, moment = values.get(TYPE), values.get(IS_VERSION_OF), values.get(GENERATED_AT)
        if kind is None or record is None or moment is None or not kind.value.startswith(AS):
            continue
        partner = values.get(ATTRIBUTED_TO)
        content = values.get(names.content)
        found.append(
            Version(
                iri,
                record.value,
                kind.value[len(AS) :],
                literal_time(moment),  # type: ignore[arg-type]
                partner if isinstance(partner, ox.NamedNode) else None,
                content.value if content is not None else None,
            )
        )
    return sorted(found, key=lambda v: (v.time, v.iri.value))


def versions_of(view: Snapshot, names: Names, record: str) -> list[Version]:
    """Every version of ``record``, oldest first, without their content."""
    rows = view.select(_OF_RECORD, {"g": names.graph, "r": ox.NamedNode(record), "content": names.content})
    return _versions(rows, names)


def version(view: Snapshot, names: Names, iri: ox.NamedNode) -> Version | None:
    """The version ``iri`` names, with its content (None: no such version)."""
    rows = view.select(_STATEMENTS, {"g": names.graph, "v": iri})
    found = _versions(rows, names)
    return found[0] if found else None


def page_members(view: Snapshot, names: Names, scope: str, number: int) -> list[Version]:
    """The members of a stream's page, with their content, in the stream's order."""
    rows = view.select(_OF_PAGE, {"g": names.graph, "page": names.page(scope, number)})
    return _versions(rows, names)


def head(view: Snapshot, names: Names, scope: str) -> StreamHead:
    count, last = 0, None
    for quad in view.quads(names.stream(scope), None, None, names.graph):
        if quad.predicate == TOTAL:
            count = int(quad.object.value)
        elif quad.predicate == MODIFIED:
            last = literal_time(quad.object)  # type: ignore[arg-type]
    return StreamHead(count, last)


def page_times(view: Snapshot, names: Names, scope: str, numbers: range) -> dict[int, tuple[datetime, datetime]]:
    """(first, last) time of the members of each page in ``numbers`` that exists."""
    times: dict[int, tuple[datetime, datetime]] = {}
    for number in numbers:
        page = names.page(scope, number)
        values = {q.predicate: q.object for q in view.quads(page, None, None, names.graph) if q.predicate != MEMBER}
        if CREATED in values and MODIFIED in values:
            times[number] = (literal_time(values[CREATED]), literal_time(values[MODIFIED]))  # type: ignore[arg-type]
    return times


def version_triples(found: Version, base: str) -> list[ox.Triple]:
    """What a version says: its record's triples under the version's IRI, and when, of what, by whom.

    ``dct:hasPart`` links the version to its fragment nodes, so that a client taking a
    member's bounded description (ldes-client, with the stream's shape) gets them too.
    """
    triples = [
        ox.Triple(found.iri, TYPE, ox.NamedNode(AS + found.kind)),
        ox.Triple(found.iri, IS_VERSION_OF, ox.NamedNode(found.record)),
        ox.Triple(found.iri, GENERATED_AT, time_literal(found.time)),
    ]
    if found.partner is not None:
        triples.append(ox.Triple(found.iri, ATTRIBUTED_TO, found.partner))
    if found.content:
        content = rewrite(decode(found.content, base), found.record, found.iri.value)
        triples += [ox.Triple(found.iri, HAS_PART, part) for part in fragments(content, found.iri.value)]
        triples += content
    return triples
