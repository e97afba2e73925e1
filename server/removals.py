"""What a removed record's IRI answers: 410 Gone, with when and by which harvest it was removed.

A record its partner no longer lists leaves the partner's graph, and the harvest
that found it missing records its removal in ``graph/changes`` (``change/{partner}/{stamp-n}``:
the record, the partner, the time).  Its IRI then answers ``410 Gone`` rather than
404: the hub did publish it, other sites may link to it, and a crawler should drop
it for good.  The answer is the removals themselves, each linked to the harvest that
made it while that harvest's provenance is published (the partner's latest harvest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, PROV, Graphs, Hub

if TYPE_CHECKING:
    from server.page_model import PageBuilder, Value

ENDED = ox.NamedNode(PROV + "endedAtTime")
PART_OF = ox.NamedNode(DCT + "isPartOf")


@dataclass
class RemovalView:
    """One removal as the 410 page tells it."""

    change: Value  # the removal's own page
    when: str
    partner: Value | None
    harvest: Value | None  # while the harvest's provenance is published


def removal_quads(snapshot: Snapshot, hub: Hub, iri: ox.NamedNode) -> list[ox.Quad]:
    """The removals of ``iri`` and, for each, the harvest it was part of; empty if it was never removed."""
    graphs = Graphs(hub)
    quads: list[ox.Quad] = []
    for removal in snapshot.quads(None, hub.term("removedResource"), iri, graphs.changes):
        if not isinstance(removal.subject, ox.NamedNode):
            continue
        own = snapshot.describe(removal.subject)
        quads += own
        quads += _harvest_of(snapshot, hub, removal.subject, own)
    return quads


def _harvest_of(snapshot: Snapshot, hub: Hub, removal: ox.NamedNode, own: list[ox.Quad]) -> list[ox.Quad]:
    """The harvest that ended when the removal was recorded: the removal is part of it."""
    partners = [q.object for q in own if q.predicate == hub.term("partner") and isinstance(q.object, ox.NamedNode)]
    ended = [q.object for q in own if q.predicate == ENDED and isinstance(q.object, ox.Literal)]
    if not partners or not ended:
        return []
    provenance = Graphs(hub).partner_provenance(partners[0].value.rsplit("/", 1)[-1])
    return [
        ox.Quad(removal, PART_OF, quad.subject)
        for quad in snapshot.quads(None, ENDED, ended[0], provenance)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject != removal
    ]


def removal_views(builder: PageBuilder, hub: Hub) -> list[RemovalView]:
    """The removals of a removed record's description, the latest first."""
    views = []
    for subject in {q.subject for q in builder.description.own if isinstance(q.subject, ox.NamedNode)}:
        values = {q.predicate: q.object for q in builder.quads_of(subject.value)}
        partner, harvest, when = values.get(hub.term("partner")), values.get(PART_OF), values.get(ENDED)
        views.append(
            RemovalView(
                change=builder.value(subject),
                when=when.value if when is not None else "",
                partner=builder.value(partner) if partner is not None else None,
                harvest=builder.value(harvest) if harvest is not None else None,
            )
        )
    return sorted(views, key=lambda view: view.when, reverse=True)
