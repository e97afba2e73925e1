"""Append versions to the history, inside a write session.

Every version a session adds carries the session's time, later than any version
before it (by a millisecond if the clock says otherwise), so that the order of the
streams is the order of publication and a page, once full, never changes.  Only the
new statements and a few counters are written (``Writer.amend_graph``): the history
grows with every session and is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from carrefour.history.content import encode
from carrefour.history.terms import (
    ATTRIBUTED_TO,
    CREATED,
    CURATED,
    GENERATED_AT,
    HUB,
    IS_VERSION_OF,
    KINDS,
    MEMBER,
    MODIFIED,
    PAGE_SIZE,
    TOTAL,
    TYPE,
    Names,
    literal_time,
    scope_of,
    time_literal,
)
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Hub


@dataclass(frozen=True)
class RecordChange:
    """One record's new version: created or updated with its triples, or deleted."""

    record: str
    kind: str  # Create, Update or Delete
    triples: tuple[ox.Triple, ...] = ()


@dataclass
class _Head:
    """A stream's counters (how many members, when the last one was published) and the pages a session adds to."""

    scope: str
    count: int = 0
    last: ox.Literal | None = None
    members: list[ox.Triple] = field(default_factory=list)
    pages: dict[int, bool] = field(default_factory=dict)  # page number -> it held members before the session

    def place(self, page: ox.NamedNode, member: ox.NamedNode) -> None:
        """Put ``member`` at the end of the stream."""
        number, position = divmod(self.count, PAGE_SIZE)
        self.pages.setdefault(number, position > 0)
        self.members.append(ox.Triple(page, MEMBER, member))
        self.count += 1


def _head(view: Snapshot, names: Names, scope: str) -> _Head:
    head = _Head(scope)
    stream = names.stream(scope)
    for quad in view.quads(stream, None, None, names.graph):
        if quad.predicate == TOTAL:
            head.count = int(quad.object.value)
        elif quad.predicate == MODIFIED:
            head.last = quad.object  # type: ignore[assignment]
    return head


def known_sources(view: Snapshot, hub: Hub) -> set[str]:
    """The sources (``curated``, partner ids) whose records the history already follows."""
    names = Names(hub)
    prefix = names.hub.iri("stream", "partner") + "/"
    found = set()
    for quad in view.quads(None, TOTAL, None, names.graph):
        iri = quad.subject.value
        if iri.startswith(prefix):
            found.add(iri[len(prefix) :])
        elif iri == names.stream(CURATED).value:
            found.add(CURATED)
    return found


def session_time(view: Snapshot, hub: Hub, now: datetime | None = None) -> datetime:
    """The time of the versions this session adds: now, or a millisecond after the latest version."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    last = _head(view, Names(hub), HUB).last
    if last is not None and literal_time(last) >= now:
        return literal_time(last) + timedelta(milliseconds=1)
    return now


def _head_changes(
    view: Snapshot, names: Names, head: _Head, stamp: ox.Literal
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """What to add and remove for the members a session put in ``head``'s stream."""
    stream = names.stream(head.scope)
    add = [*head.members, ox.Triple(stream, TOTAL, ox.Literal(head.count)), ox.Triple(stream, MODIFIED, stamp)]
    remove = [ox.Triple(q.subject, q.predicate, q.object) for q in view.quads(stream, None, None, names.graph)]
    for number, existed in head.pages.items():
        page = names.page(head.scope, number)
        if existed:
            remove += [ox.Triple(page, MODIFIED, q.object) for q in view.quads(page, MODIFIED, None, names.graph)]
        else:
            add.append(ox.Triple(page, CREATED, stamp))
        add.append(ox.Triple(page, MODIFIED, stamp))
    return add, remove


def _version_triples(hub: Hub, names: Names, source: str, change: RecordChange, moment: datetime) -> list[ox.Triple]:
    version = names.version(change.record, moment)
    triples = [
        ox.Triple(version, TYPE, KINDS[change.kind]),
        ox.Triple(version, IS_VERSION_OF, ox.NamedNode(change.record)),
        ox.Triple(version, GENERATED_AT, time_literal(moment)),
    ]
    if source != CURATED:
        triples.append(ox.Triple(version, ATTRIBUTED_TO, hub.partner(source)))
    if change.kind != "Delete":
        triples.append(ox.Triple(version, names.content, ox.Literal(encode(change.triples, hub.base))))
    return triples


def append_versions(
    writer: Writer, hub: Hub, changes: dict[str, Iterable[RecordChange]], now: datetime | None = None
) -> int:
    """Add one version per change (by source: ``curated`` or a partner id) to the history and its streams.

    :returns: how many versions were added.
    """
    names = Names(hub)
    ordered = {source: sorted(found, key=lambda c: c.record) for source, found in changes.items()}
    if not any(ordered.values()):
        return 0
    moment = session_time(writer, hub, now)
    stamp = time_literal(moment)
    hub_head = _head(writer, names, HUB)
    heads = [hub_head]
    added: list[ox.Triple] = []
    for source, found in sorted(ordered.items()):
        if not found:
            continue
        head = _head(writer, names, scope_of(source))
        heads.append(head)
        for change in found:
            triples = _version_triples(hub, names, source, change, moment)
            added += triples
            version = triples[0].subject
            hub_head.place(names.page(HUB, hub_head.count // PAGE_SIZE), version)  # type: ignore[arg-type]
            head.place(names.page(head.scope, head.count // PAGE_SIZE), version)  # type: ignore[arg-type]
    removed: list[ox.Triple] = []
    for head in heads:
        more, fewer = _head_changes(writer, names, head, stamp)
        added += more
        removed += fewer
    writer.amend_graph(names.graph, added, removed)
    return sum(len(found) for found in ordered.values())
