"""The history is kept by the store, the same on each backend: versions, their streams, a record's past."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from bench.synthetic import publish_synthetic
from carrefour.history import read
from carrefour.history.content import canonical_hash, decode
from carrefour.history.terms import DATETIME, HUB, PAGE_SIZE, Names, literal_time
from carrefour.vocab import Graphs
from loader.history import publish_versions
from loader.initialise import initialise
from loader.records import group_by_record
from loader.validation import Validator
from tests.support.backends import Backend


def statements(quads: Iterable[ox.Quad]) -> set[tuple[str, str, object]]:
    """Statements compared by value: Virtuoso writes ``…24.340Z`` back as ``…24.34Z``."""
    return {
        (q.subject.value, q.predicate.value, literal_time(q.object) if getattr(q.object, "datatype", None) == DATETIME
         else str(q.object))
        for q in quads
    }  # fmt: skip


def test_versions_streams_and_a_records_past(store_backend: Backend) -> None:
    store, hub = store_backend.store(), store_backend.hub
    names = Names(hub)
    initialise(store, hub, Validator(hub))
    publish_synthetic(store, hub, 150, partners=2)
    snapshot = store.snapshot()
    graph = hub.graph("partner", "partner-00")
    records = group_by_record(snapshot.quads(graph=graph))
    curated = group_by_record(snapshot.quads(graph=Graphs(hub).curated))
    partner_head = read.head(snapshot, names, "partner/partner-00")
    assert partner_head.count == len(records)
    assert read.head(snapshot, names, HUB).count == len(curated) + sum(
        read.head(snapshot, names, f"partner/partner-0{n}").count for n in range(2)
    )

    first = read.page_members(snapshot, names, HUB, 0)
    assert len(first) == PAGE_SIZE and all(m.kind == "Create" and m.content for m in first)
    member = next(m for m in read.page_members(snapshot, names, "partner/partner-00", 0))
    version_triples = read.version_triples(member, hub.base)
    assert any(t.object == ox.NamedNode(member.record) for t in version_triples)

    gone, kept = sorted(records)[:1], sorted(records)[1:]
    changed = kept[0]
    with store.writer() as writer:
        content = [t for iri in kept for t in records[iri]]
        alternate = ox.NamedNode("http://schema.org/alternateName")
        content.append(ox.Triple(ox.NamedNode(changed), alternate, ox.Literal("x")))
        writer.replace_graph(graph, content)
        assert publish_versions(writer, hub, [graph]) == 2
    snapshot = store.snapshot()
    assert read.head(snapshot, names, "partner/partner-00").count == partner_head.count + 2
    past = read.versions_of(snapshot, names, changed)
    assert [v.kind for v in past] == ["Create", "Update"]
    assert past[0].time < past[1].time
    latest = read.version(snapshot, names, past[1].iri)
    assert latest is not None and latest.content is not None
    now = group_by_record(snapshot.quads(graph=graph))[changed]
    assert canonical_hash(decode(latest.content, hub.base)) == canonical_hash(now)
    assert [v.kind for v in read.versions_of(snapshot, names, gone[0])] == ["Create", "Delete"]


def test_a_remote_store_gets_what_a_session_added_to_the_history_not_the_whole_graph(store_backend: Backend) -> None:
    """The history grows with every session; a push's amendments too: the remote store gets the difference,
    and ends with exactly the mirror's graphs."""
    store, hub = store_backend.store(), store_backend.hub
    names = Names(hub)
    initialise(store, hub, Validator(hub))
    publish_synthetic(store, hub, 120, partners=2)
    graph = hub.graph("partner", "partner-01")
    snapshot = store.snapshot()
    records = group_by_record(snapshot.quads(graph=graph))
    first = sorted(records)[0]
    with store.writer() as writer:
        moved = [t for t in records[first] if t.predicate.value != "http://schema.org/name"]
        moved.append(ox.Triple(ox.NamedNode(first), ox.NamedNode("http://schema.org/name"), ox.Literal("Renommée")))
        writer.amend_graph(graph, moved, records[first])
        assert publish_versions(writer, hub, [graph]) == 1
        if store_backend.name != "embedded":
            assert writer.amendment(names.graph) is not None and writer.amendment(graph) is not None
    snapshot = store.snapshot()
    expected = {*(t for iri, triples in records.items() if iri != first for t in triples), *moved}
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in snapshot.quads(graph=graph)} == expected
    assert [v.kind for v in read.versions_of(snapshot, names, first)] == ["Create", "Update"]
    head = read.head(snapshot, names, "partner/partner-01")
    assert [
        q.object.value
        for q in snapshot.quads(names.stream("partner/partner-01"), None, None, names.graph)
        if q.predicate.value.endswith("totalItems")
    ] == [str(head.count)]  # one count, the new one
    mirror = getattr(store, "mirror", None)
    if mirror is not None:  # the remote store holds exactly what its mirror holds
        mirrored = mirror.snapshot()
        for name in (graph, names.graph):
            assert statements(snapshot.quads(graph=name)) == statements(mirrored.quads(graph=name))
