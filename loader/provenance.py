"""Who said what, and when: PROV-O for harvests, records and removals.

A partner's data graph holds only what its feed says, so that the same feed always
gives the same graph; time goes into the partner's provenance graph: the harvest
activity, and for each record when it was first published (dct:created), when its
content last changed (dct:modified) and the harvest that produced it.  Records a
partner no longer lists are recorded in graph/changes as cf:RecordRemoval, for the
change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, PROV, RDF, XSD, Hub

_DATETIME = ox.NamedNode(XSD + "dateTime")


def _time(moment: datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat().replace("+00:00", "Z"), datatype=_DATETIME)


@dataclass(frozen=True)
class HarvestCounts:
    read: int
    loaded: int
    rejected: int


def activity_iri(hub: Hub, partner_id: str, started: datetime) -> ox.NamedNode:
    return hub.node("harvest", partner_id, started.strftime("%Y%m%dT%H%M%SZ"))


def activity_triples(
    hub: Hub, partner_id: str, started: datetime, ended: datetime, source: str | None, counts: HarvestCounts
) -> list[ox.Triple]:
    activity = activity_iri(hub, partner_id, started)
    triples = [
        ox.Triple(activity, ox.NamedNode(RDF + "type"), hub.term("HarvestActivity")),
        ox.Triple(activity, hub.term("partner"), hub.partner(partner_id)),
        ox.Triple(activity, ox.NamedNode(PROV + "wasAssociatedWith"), hub.partner(partner_id)),
        ox.Triple(activity, ox.NamedNode(PROV + "startedAtTime"), _time(started)),
        ox.Triple(activity, ox.NamedNode(PROV + "endedAtTime"), _time(ended)),
        ox.Triple(activity, hub.term("recordsRead"), ox.Literal(counts.read)),
        ox.Triple(activity, hub.term("recordsLoaded"), ox.Literal(counts.loaded)),
        ox.Triple(activity, hub.term("recordsRejected"), ox.Literal(counts.rejected)),
        ox.Triple(hub.graph("partner", partner_id), ox.NamedNode(PROV + "wasGeneratedBy"), activity),
        ox.Triple(hub.graph("partner", partner_id), ox.NamedNode(PROV + "generatedAtTime"), _time(ended)),
    ]
    if source and source.startswith(("http://", "https://")):
        triples.append(ox.Triple(activity, ox.NamedNode(PROV + "used"), ox.NamedNode(source)))
    return triples


def previous_record_times(snapshot: Snapshot | None, hub: Hub, partner_id: str) -> dict[str, tuple[str, str]]:
    """(dct:created, dct:modified) lexical forms of each record in the published provenance graph."""
    if snapshot is None:
        return {}
    query = "SELECT ?s ?created ?modified ?g WHERE { GRAPH ?g { ?s ?createdBy ?created ; ?modifiedBy ?modified } }"
    query = query.replace("?createdBy", str(ox.NamedNode(DCT + "created")))
    query = query.replace("?modifiedBy", str(ox.NamedNode(DCT + "modified")))
    rows = snapshot.select(query, {"g": hub.graph("provenance", partner_id)})
    return {row["s"].value: (row["created"].value, row["modified"].value) for row in rows}


def record_provenance(
    hub: Hub,
    activity: ox.NamedNode,
    now: datetime,
    records: dict[str, str],  # record IRI -> its source (the partner's record URL), may be empty
    changed: set[str],
    previous_times: dict[str, tuple[str, str]],
    hashes: dict[str, str] | None = None,  # record IRI -> content hash (loader.record_memo)
) -> list[ox.Triple]:
    triples = []
    hashes = hashes or {}
    content_hash = hub.term("contentHash")
    stamp = _time(now)
    for iri in sorted(records):
        node = ox.NamedNode(iri)
        created, modified = previous_times.get(iri, (None, None))
        triples.append(ox.Triple(node, ox.NamedNode(PROV + "wasGeneratedBy"), activity))
        triples.append(
            ox.Triple(
                node, ox.NamedNode(DCT + "created"), ox.Literal(created, datatype=_DATETIME) if created else stamp
            )
        )
        fresh = iri in changed or modified is None
        triples.append(
            ox.Triple(
                node, ox.NamedNode(DCT + "modified"), stamp if fresh else ox.Literal(modified, datatype=_DATETIME)
            )
        )
        if iri in hashes:
            triples.append(ox.Triple(node, content_hash, ox.Literal(hashes[iri])))
    return triples


def removal_triples(hub: Hub, partner_id: str, now: datetime, removed: dict[str, str]) -> list[ox.Triple]:
    """One cf:RecordRemoval per record the partner no longer lists (IRI -> record key)."""
    triples = []
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for number, (iri, key) in enumerate(sorted(removed.items()), start=1):
        removal = hub.node("change", partner_id, f"{stamp}-{number}")
        triples += [
            ox.Triple(removal, ox.NamedNode(RDF + "type"), hub.term("RecordRemoval")),
            ox.Triple(removal, hub.term("removedResource"), ox.NamedNode(iri)),
            ox.Triple(removal, hub.term("partner"), hub.partner(partner_id)),
            ox.Triple(removal, hub.term("recordKey"), ox.Literal(key)),
            ox.Triple(removal, ox.NamedNode(PROV + "endedAtTime"), _time(now)),
        ]
    return triples
