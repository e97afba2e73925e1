"""Which versions a write session adds to the history: one per record that changed.

A harvest already knows which records it loaded, updated and removed (it compares
record hashes with the published graph); other sessions (``carrefour init``'s
curated data, synthetic data) compare a graph's records before and after.  A source
the history does not follow yet (the first session after the history began, or a
new partner) gets a creation for every record it publishes, so that the streams
always add up to what the hub holds.
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.history.append import RecordChange, append_versions, known_sources
from carrefour.history.terms import CURATED
from carrefour.store.base import Writer
from carrefour.vocab import Graphs, Hub
from loader.records import RecordDiff, diff_records, group_by_record, record_hash


def diff_changes(diff: RecordDiff, records: dict[str, list[ox.Triple]], followed: bool) -> list[RecordChange]:
    """The versions of a diff; everything published is created when the history did not follow the source."""
    if not followed:
        return [RecordChange(iri, "Create", tuple(triples)) for iri, triples in records.items()]
    changes = [RecordChange(iri, "Create", tuple(records[iri])) for iri in diff.loaded]
    changes += [RecordChange(iri, "Update", tuple(records[iri])) for iri in diff.updated]
    changes += [RecordChange(iri, "Delete") for iri in diff.removed]
    return changes


def graph_changes(writer: Writer, graph: ox.NamedNode, followed: bool) -> list[RecordChange]:
    """The versions of the records ``graph`` holds now, against what the published version held."""
    current = group_by_record(writer.written(graph) or writer.quads(graph=graph))
    previous = group_by_record(writer.previous.quads(graph=graph)) if followed and writer.previous else {}
    diff = diff_records(
        {iri: record_hash(triples) for iri, triples in previous.items()},
        {iri: record_hash(triples) for iri, triples in current.items()},
    )
    return diff_changes(diff, current, True)


def publish_versions(writer: Writer, hub: Hub, graphs: list[ox.NamedNode]) -> int:
    """Add the versions of the records of ``graphs`` (partner data graphs, the curated graph) that changed.

    :returns: how many versions were added.
    """
    partner_prefix = hub.iri("graph", "partner") + "/"
    followed = known_sources(writer, hub)
    changes = {}
    for graph in graphs:
        if graph == Graphs(hub).curated:
            source = CURATED
        elif graph.value.startswith(partner_prefix):
            source = graph.value[len(partner_prefix) :]
        else:
            continue
        changes[source] = graph_changes(writer, graph, source in followed)
    return append_versions(writer, hub, changes)
