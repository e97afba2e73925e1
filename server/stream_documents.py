"""The documents of the event streams (LDES over TREE), as triples.

A stream ``stream/{scope}`` (``hub``, ``curated``, ``partner/{id}``) is an
``ldes:EventStream`` whose members are versions of records (``dct:isVersionOf``,
ordered by ``prov:generatedAtTime``; created, updated or deleted as an Activity
Streams type).  Its view ``…/view`` lists blocks of pages, a block ``…/block/{b}``
its pages, with ``tree:GreaterThanOrEqualToRelation`` and, once the time range is
closed, ``tree:LessThanOrEqualToRelation`` on the timestamp; a page ``…/page/{n}``
holds ``PAGE_SIZE`` members.  A full page never changes, nor does a block of full
pages: those are immutable.  The stream's shape links each member to its fragment
nodes (``dct:hasPart``), so a client extracting members by shape gets whole records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from carrefour.history import read
from carrefour.history.terms import (
    AS,
    BLOCK_SIZE,
    CREATED,
    GENERATED_AT,
    HAS_PART,
    IS_VERSION_OF,
    LDES,
    MEMBER,
    MODIFIED,
    PAGE_SIZE,
    SH,
    TOTAL,
    TREE,
    TYPE,
    Names,
    time_literal,
)
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, RDFS

PART_OF = ox.NamedNode(DCT + "isPartOf")
LABEL = ox.NamedNode(RDFS + "label")


def _ldes(local: str) -> ox.NamedNode:
    return ox.NamedNode(LDES + local)


def _tree(local: str) -> ox.NamedNode:
    return ox.NamedNode(TREE + local)


@dataclass(frozen=True)
class StreamDocument:
    """One document of a stream: its triples, and whether it will never change."""

    iri: ox.NamedNode
    triples: list[ox.Triple]
    immutable: bool
    modified: datetime | None  # when its content last changed (immutable documents: for good)


def _relations(
    source: ox.NamedNode, target: ox.NamedNode, name: str, first: datetime, last: datetime | None
) -> list[ox.Triple]:
    """Relations from ``source`` to ``target``, whose members are from ``first`` (to ``last``, when known)."""
    triples = []
    bounds = [("after", "GreaterThanOrEqualToRelation", first)]
    if last is not None:
        bounds.append(("until", "LessThanOrEqualToRelation", last))
    for label, kind, moment in bounds:
        relation = ox.NamedNode(f"{source.value}#{label}-{name}")
        triples += [
            ox.Triple(source, _tree("relation"), relation),
            ox.Triple(relation, TYPE, _tree(kind)),
            ox.Triple(relation, _tree("path"), GENERATED_AT),
            ox.Triple(relation, _tree("value"), time_literal(moment)),
            ox.Triple(relation, _tree("node"), target),
        ]
    return triples


def collection(view: Snapshot, names: Names, scope: str, title: str) -> StreamDocument | None:
    """The stream itself: what its members are, how they are ordered, its view, shape and retention."""
    head = read.head(view, names, scope)
    if head.count == 0 and scope != "hub":
        return None
    stream = names.stream(scope)
    shape, parts, part = (ox.NamedNode(f"{stream.value}#{name}") for name in ("shape", "parts", "part"))
    retention = ox.NamedNode(f"{stream.value}#retention")
    triples = [
        ox.Triple(stream, TYPE, _ldes("EventStream")),
        ox.Triple(stream, LABEL, ox.Literal(title)),
        ox.Triple(stream, _ldes("timestampPath"), GENERATED_AT),
        ox.Triple(stream, _ldes("versionOfPath"), IS_VERSION_OF),
        ox.Triple(stream, _ldes("versionCreateObject"), ox.NamedNode(AS + "Create")),
        ox.Triple(stream, _ldes("versionUpdateObject"), ox.NamedNode(AS + "Update")),
        ox.Triple(stream, _ldes("versionDeleteObject"), ox.NamedNode(AS + "Delete")),
        ox.Triple(stream, TOTAL, ox.Literal(head.count)),
        ox.Triple(stream, _tree("view"), names.view(scope)),
        ox.Triple(stream, _tree("shape"), shape),
        ox.Triple(shape, TYPE, ox.NamedNode(SH + "NodeShape")),
        ox.Triple(shape, ox.NamedNode(SH + "property"), parts),
        ox.Triple(parts, ox.NamedNode(SH + "path"), HAS_PART),
        ox.Triple(parts, ox.NamedNode(SH + "node"), part),
        ox.Triple(part, TYPE, ox.NamedNode(SH + "NodeShape")),
        # every version is kept, from the first one on
        ox.Triple(stream, _ldes("retentionPolicy"), retention),
        ox.Triple(retention, TYPE, _ldes("RetentionPolicy")),
    ]
    first = read.page_times(view, names, scope, range(1)).get(0)
    if first is not None:
        triples.append(ox.Triple(retention, _ldes("startingFrom"), time_literal(first[0])))
    return StreamDocument(stream, triples, False, head.last)


def root(view: Snapshot, names: Names, scope: str) -> StreamDocument | None:
    """The view: one relation per block of pages."""
    head = read.head(view, names, scope)
    if head.count == 0 and scope != "hub":
        return None
    node = names.view(scope)
    triples = [ox.Triple(names.stream(scope), _tree("view"), node), ox.Triple(node, TYPE, _tree("Node"))]
    blocks = -(-head.pages // BLOCK_SIZE)
    for number in range(blocks):
        pages = range(number * BLOCK_SIZE, min((number + 1) * BLOCK_SIZE, head.pages))
        times = read.page_times(view, names, scope, range(pages.start, pages.start + 1))
        times |= read.page_times(view, names, scope, range(pages.stop - 1, pages.stop))
        closed = _block_full(head, number)
        last = times[pages.stop - 1][1] if closed else None
        triples += _relations(node, names.block(scope, number), f"block-{number}", times[pages.start][0], last)
    return StreamDocument(node, triples, False, head.last)


def _block_full(head: read.StreamHead, number: int) -> bool:
    return head.count >= (number + 1) * BLOCK_SIZE * PAGE_SIZE


def block(view: Snapshot, names: Names, scope: str, number: int) -> StreamDocument | None:
    """A block: one relation per page; immutable once its last page is full."""
    head = read.head(view, names, scope)
    if number * BLOCK_SIZE >= head.pages:
        return None
    node = names.block(scope, number)
    triples = [ox.Triple(node, TYPE, _tree("Node")), ox.Triple(node, PART_OF, names.stream(scope))]
    pages = range(number * BLOCK_SIZE, min((number + 1) * BLOCK_SIZE, head.pages))
    times = read.page_times(view, names, scope, pages)
    for page in pages:
        first, last = times[page]
        full = head.count >= (page + 1) * PAGE_SIZE
        triples += _relations(node, names.page(scope, page), f"page-{page}", first, last if full else None)
    return StreamDocument(node, triples, _block_full(head, number), times[pages.stop - 1][1])


def page(view: Snapshot, names: Names, scope: str, number: int, base: str) -> StreamDocument | None:
    """A page: its members, whole; immutable once it holds ``PAGE_SIZE`` of them."""
    head = read.head(view, names, scope)
    if number >= head.pages:
        return None
    node, stream = names.page(scope, number), names.stream(scope)
    times = read.page_times(view, names, scope, range(number, number + 1))[number]
    triples = [
        ox.Triple(node, TYPE, _tree("Node")),
        ox.Triple(node, PART_OF, stream),
        ox.Triple(node, CREATED, time_literal(times[0])),
        ox.Triple(node, MODIFIED, time_literal(times[1])),
    ]
    for member in read.page_members(view, names, scope, number):
        triples.append(ox.Triple(stream, MEMBER, member.iri))
        triples += read.version_triples(member, base)
    return StreamDocument(node, triples, head.count >= (number + 1) * PAGE_SIZE, times[1])
