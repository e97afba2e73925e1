"""The history is kept by the store, the same on each backend: versions, their streams, a record's past."""

from __future__ import annotations

import pyoxigraph as ox

from bench.synthetic import publish_synthetic
from carrefour.history import read
from carrefour.history.content import canonical_hash, decode
from carrefour.history.terms import HUB, PAGE_SIZE, Names
from carrefour.vocab import Graphs
from loader.history import publish_versions
from loader.initialise import initialise
from loader.records import group_by_record
from loader.validation import Validator
from tests.support.backends import Backend


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
