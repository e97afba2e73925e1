"""Write sessions publish whole versions or nothing, one at a time, on both backends."""

from __future__ import annotations

import threading
import time
import weakref
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.artifacts.stats import adjusted_stats, build_stats, compute_stats, read_stats
from carrefour.errors import StoreBusy, StoreError, StoreUnavailable
from carrefour.memory import collection_paused
from carrefour.store.base import Store
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import RDF, Graphs, Hub
from loader.initialise import initialise
from loader.validation import Validator
from tests.support.backends import DRAIN_SECONDS, Backend
from tests.support.zoo import build, canonical, publish, publish_zoo, s

COUNTS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def triples(hub: Hub, graph: str, n: int, label: str) -> list[ox.Triple]:
    return [
        ox.Triple(hub.node("initiative", graph, str(i)), s("name"), ox.Literal(f"{label} {i}", language="fr"))
        for i in range(n)
    ]


def in_graph(triple: ox.Triple, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object, graph)


def counts(store: Store) -> dict[str, int]:
    """Triples per graph, read in one query: one consistent view on every backend."""
    return {row["g"].value: int(row["n"].value) for row in store.snapshot().select(COUNTS_QUERY)}


def wait_for_version(store: Store, version: str) -> None:
    """Readers of a remote store re-check the version every few tenths of a second in tests."""
    deadline = time.monotonic() + 10
    while store.snapshot().info.version != version:
        assert time.monotonic() < deadline, f"version {version} never seen"
        time.sleep(0.05)


def test_init_publishes_and_a_snapshot_sees_it(store_backend: Backend) -> None:
    store = store_backend.store()
    hub = store_backend.hub
    result = initialise(store, hub, Validator(hub))
    snapshot = store.snapshot()
    assert snapshot.info.version == result.version
    published = {graph: count for graph, count in result.graphs.items() if count}
    assert {g.value for g in snapshot.graphs()} == set(published)
    assert {g.value: snapshot.count(g) for g in snapshot.graphs()} == published
    graphs = Graphs(hub)
    assert snapshot.ask("ASK { ?scheme a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }")
    assert snapshot.count(graphs.ontology) > 100
    stats = read_stats(snapshot)  # artifacts are built in the session and found next to the version
    assert stats is not None and stats["version"] == result.version
    other = store_backend.store()  # another process
    assert other.snapshot().info.version == result.version
    assert other.snapshot().count() == snapshot.count()


def test_a_write_is_published_atomically_to_readers(store_backend: Backend, tmp_path: Path) -> None:
    """replace_graph, load_graph and drop_graph in one session: a reader sees all of it or none of it.

    A remote store may say it is publishing (StoreUnavailable) for the moment of the swap.
    """
    hub = store_backend.hub
    writer_store, reader_store = store_backend.store(), store_backend.store()
    a, b, c, d = (hub.graph("partner", name) for name in "abcd")
    publish(
        writer_store,
        {a: triples(hub, "a", 3000, "old"), b: triples(hub, "b", 3000, "old"), c: triples(hub, "c", 2000, "old")},
    )
    old = {a.value: 3000, b.value: 3000, c.value: 2000}
    new = {a.value: 1000, b.value: 5000, d.value: 2500}
    assert counts(reader_store) == old
    loaded = tmp_path / "b.nt"
    loaded.write_bytes(ox.serialize(triples(hub, "b", 5000, "new"), format=ox.RdfFormat.N_TRIPLES))

    seen: list[dict[str, int]] = []
    done = threading.Event()
    failures: list[BaseException] = []
    unavailable: list[float] = []

    def read() -> None:
        try:
            while not done.is_set():
                try:
                    seen.append(counts(reader_store))
                except StoreUnavailable as exc:
                    assert "being published" in str(exc)
                    unavailable.append(time.monotonic())
        except BaseException as exc:  # reported below: a reader fails in no other way
            failures.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    while not seen and thread.is_alive():  # the reader has seen the old version before the write starts
        time.sleep(0.01)
    try:
        with writer_store.writer() as writer:
            writer.replace_graph(a, triples(hub, "a", 1000, "new"))
            writer.load_graph(b, loaded, ox.RdfFormat.N_TRIPLES)
            writer.drop_graph(c)
            writer.replace_graph(d, triples(hub, "d", 2500, "new"))
            version = writer.info.version
        wait_for_version(reader_store, version)
        seen_before = len(seen)
        while len(seen) < seen_before + 3 and thread.is_alive():
            time.sleep(0.01)
    finally:
        done.set()
        thread.join()
    assert failures == []
    assert seen and all(view in (old, new) for view in seen), [v for v in seen if v not in (old, new)][:3]
    assert seen[0] == old and seen[-1] == new
    assert unavailable == [] or store_backend.name == "virtuoso"
    assert counts(reader_store) == new
    assert {q.object.value for q in reader_store.snapshot().quads(graph=b)} == {f"new {i}" for i in range(5000)}


HOLD_SECONDS = 2 * DRAIN_SECONDS  # a reader's time between its look at the version and its query


def round_graphs(hub: Hub, number: int) -> dict[ox.NamedNode, list[ox.Triple]]:
    """Publication ``number``: graphs a and b with new sizes, and a graph of its own (the previous one goes)."""
    return {
        hub.graph("partner", "a"): triples(hub, "a", 100 + number, "a"),
        hub.graph("partner", "b"): triples(hub, "b", 200 + number, "b"),
        hub.graph("partner", f"round-{number}"): triples(hub, f"round-{number}", 50, "r"),
    }


def test_slow_readers_never_see_half_a_publication(store_backend: Backend) -> None:
    """Readers slower than the swap's drain (a loaded machine) see whole versions, or are told to try again.

    Each reader looks at the published version, then queries it twice the drain later: on a
    remote store its query may run while the graphs are being swapped, or after, on a snapshot
    naming graphs that are gone.  Four readers out of step, over four publications.
    """
    hub = store_backend.hub
    writer_store = store_backend.store()
    readers = [store_backend.store() for _ in range(4)]
    states = [{g.value: len(t) for g, t in round_graphs(hub, number).items()} for number in range(5)]
    publish(writer_store, round_graphs(hub, 0))
    seen: list[dict[str, int]] = []
    unavailable: list[str] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read(reader: Store, offset: float) -> None:
        time.sleep(offset)
        try:
            while not done.is_set():
                try:
                    snapshot = reader.snapshot()
                    time.sleep(HOLD_SECONDS)
                    seen.append({row["g"].value: int(row["n"].value) for row in snapshot.select(COUNTS_QUERY)})
                except StoreUnavailable as exc:  # the 503 a web client gets: it tries again a moment later
                    unavailable.append(str(exc))
                    time.sleep(0.05)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=read, args=(reader, n * HOLD_SECONDS / len(readers)))
        for n, reader in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    try:
        for number in range(1, 5):
            time.sleep(HOLD_SECONDS)
            with writer_store.writer() as writer:
                writer.drop_graph(hub.graph("partner", f"round-{number - 1}"))
                for graph, content in round_graphs(hub, number).items():
                    writer.replace_graph(graph, content)
        time.sleep(2 * HOLD_SECONDS)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(seen) >= len(readers)
    assert [view for view in seen if view not in states] == []
    assert states[-1] in seen
    assert all("being published" in message for message in unavailable)
    assert unavailable == [] or store_backend.name == "virtuoso"


def test_a_writer_that_raises_leaves_the_published_version_untouched(store_backend: Backend) -> None:
    store = store_backend.store()
    zoo = build(store_backend.hub)
    version = publish_zoo(store, zoo)
    with pytest.raises(RuntimeError, match="crash"), store.writer() as writer:
        writer.replace_graph(zoo.alpha, [])
        writer.drop_graph(zoo.beta)
        writer.replace_graph(store_backend.hub.graph("partner", "new"), triples(store_backend.hub, "n", 10, "x"))
        raise RuntimeError("crash in the middle of a harvest")
    for reader in (store, store_backend.store()):
        snapshot = reader.snapshot()
        assert snapshot.info.version == version
        assert snapshot.graphs() == [zoo.alpha, zoo.beta]
        assert canonical(snapshot.quads()) == canonical(zoo.quads)
    assert publish(store, {zoo.beta: []}) != version  # the next session works
    assert store.snapshot().graphs() == [zoo.alpha]


def test_two_writers_at_once_are_refused(store_backend: Backend) -> None:
    first, second = store_backend.store(), store_backend.store()
    publish(first, {store_backend.hub.graph("partner", "x"): triples(store_backend.hub, "x", 3, "x")})
    with first.writer():
        with pytest.raises(StoreBusy), second.writer():
            pass
        with pytest.raises(StoreBusy), first.writer():
            pass
    assert publish(second, {store_backend.hub.graph("partner", "x"): []})  # free again once the first ended


def test_a_second_store_sees_a_newer_version_without_restart(store_backend: Backend) -> None:
    writer_store, reader_store = store_backend.store(), store_backend.store()
    graph = store_backend.hub.graph("partner", "x")
    first = publish(writer_store, {graph: triples(store_backend.hub, "x", 3, "old")})
    assert reader_store.snapshot().info.version == first
    held = reader_store.snapshot()
    second = publish(writer_store, {graph: triples(store_backend.hub, "x", 5, "new")})
    assert second != first
    wait_for_version(reader_store, second)
    assert reader_store.snapshot().count(graph) == 5
    assert {q.object.value for q in reader_store.snapshot().quads(graph=graph)} == {f"new {i}" for i in range(5)}
    assert held.info.version == first  # a snapshot in hand keeps naming its version


@pytest.mark.parametrize("format", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML])
def test_load_graph_reads_rdf_files_with_a_base(store_backend: Backend, tmp_path: Path, format: ox.RdfFormat) -> None:
    hub = store_backend.hub
    zoo = build(hub)
    path = tmp_path / f"alpha.{format.file_extension}"
    path.write_bytes(
        ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in zoo.graph(zoo.alpha)], format=format)
    )
    store = store_backend.store()
    with store.writer() as writer:
        writer.load_graph(zoo.alpha, path, format, base_iri=hub.base)
    assert canonical(store.snapshot().quads(graph=zoo.alpha)) == canonical(zoo.graph(zoo.alpha))


def test_a_malformed_file_is_a_clear_error_and_publishes_nothing(store_backend: Backend, tmp_path: Path) -> None:
    store = store_backend.store()
    graph = store_backend.hub.graph("partner", "x")
    version = publish(store, {graph: triples(store_backend.hub, "x", 3, "kept")})
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot load"), store.writer() as writer:
        writer.load_graph(graph, broken, ox.RdfFormat.TURTLE)
    assert store.snapshot().info.version == version
    assert store.snapshot().count(graph) == 3


def test_nothing_published_is_a_clear_error(store_backend: Backend) -> None:
    with pytest.raises(StoreError, match="run `carrefour init`"):
        store_backend.store().snapshot()


def test_replacing_a_graph_with_overlapping_content_leaves_exactly_the_new_content(store_backend: Backend) -> None:
    """Only the difference is written: what stays, what went and what came must all come out right."""
    store = store_backend.store()
    hub = store_backend.hub
    graph, untouched = hub.graph("partner", "overlap"), hub.graph("partner", "still")
    old, kept = triples(hub, "o", 300, "old"), triples(hub, "k", 200, "kept")
    publish(store, {graph: old + kept, untouched: kept})
    came = triples(hub, "c", 100, "came")
    with store.writer() as writer:
        writer.replace_graph(graph, [*kept, *came, *came[:10]])  # duplicates count once
        writer.replace_graph(untouched, list(kept))
        # both backends write through an embedded writer (the remote store's mirror uploads only these)
        assert writer.changed == {graph}, "an unchanged graph is not rewritten"
    snapshot = store.snapshot()
    assert canonical(snapshot.quads(graph=graph)) == canonical(in_graph(t, graph) for t in kept + came)
    assert canonical(snapshot.quads(graph=untouched)) == canonical(in_graph(t, untouched) for t in kept)
    with store.writer() as writer:
        writer.replace_graph(graph, came[:5])  # nothing in common with a part of it
    assert canonical(store.snapshot().quads(graph=graph)) == canonical(in_graph(t, graph) for t in came[:5])


def test_statistics_adjusted_by_a_small_session_are_those_counted_from_scratch(tmp_path: Path) -> None:
    """Union, graphs, predicates, classes and examples, through statements shared by two graphs, no-ops, a
    predicate gone and a type added."""
    hub = Hub("http://127.0.0.1:8080/")
    store = EmbeddedStore(tmp_path / "store", hub.base)
    alpha, beta = hub.graph("partner", "alpha"), hub.graph("partner", "beta")
    shared, own = triples(hub, "s", 50, "shared"), triples(hub, "a", 50, "own")
    gone = ox.NamedNode("http://example.org/gone")
    typed = [ox.Triple(t.subject, ox.NamedNode(RDF + "type"), hub.term("Initiative")) for t in own[:5]]
    extra = [ox.Triple(own[0].subject, gone, ox.Literal("x"))]
    with store.writer() as writer:
        writer.replace_graph(alpha, [*shared, *own, *typed, *extra])
        writer.replace_graph(beta, [*shared, *triples(hub, "b", 20, "beta")])
        writer.replace_graph(hub.graph("partner", "gamma"), [*shared[:3], *triples(hub, "g", 5, "gamma")])
        # a graph the second session leaves alone: beside the store, its list of statements is short
        writer.replace_graph(hub.graph("partner", "still"), triples(hub, "x", 1500, "still"))
        build_stats(writer, hub)
    with store.writer() as writer:
        added = [*shared[:5], *triples(hub, "n", 10, "new"), own[1]]  # in beta already, new, in alpha already
        added.append(ox.Triple(own[9].subject, ox.NamedNode(RDF + "type"), hub.term("Actor")))
        removed = [*shared[10:20], *own[20:25], *extra, triples(hub, "z", 1, "never")[0]]  # still in beta, …
        writer.amend_graph(alpha, added, removed)
        writer.amend_graph(beta, [own[30]], shared[40:45])
        writer.drop_graph(hub.graph("partner", "gamma"))  # a small graph gone, a new one come
        writer.replace_graph(hub.graph("partner", "delta"), [*own[:2], *triples(hub, "d", 3, "delta")])
        assert adjusted_stats(writer, hub) is not None  # the session kept its list of statements, a short one
        build_stats(writer, hub)
        counted = compute_stats(writer, hub)
    assert read_stats(store.snapshot()) == counted
    assert gone.value not in counted["predicates"]


def test_statistics_after_a_session_long_beside_the_store_are_counted_again(tmp_path: Path) -> None:
    """Looking up each of 500 statements in a store of 50 costs more than counting the store: it is counted."""
    hub = Hub("http://127.0.0.1:8080/")
    store = EmbeddedStore(tmp_path / "store", hub.base)
    with store.writer() as writer:
        writer.replace_graph(hub.graph("partner", "alpha"), triples(hub, "a", 50, "alpha"))
        build_stats(writer, hub)
    with store.writer() as writer:
        writer.replace_graph(hub.graph("partner", "beta"), triples(hub, "b", 500, "beta"))
        assert writer.delta is not None and adjusted_stats(writer, hub) is None
        build_stats(writer, hub)
        counted = compute_stats(writer, hub)
    assert read_stats(store.snapshot()) == counted and counted["graphs"][hub.graph("partner", "beta").value] == 500


def test_a_finished_session_is_freed_without_the_cyclic_collector(tmp_path: Path) -> None:
    """The session's lists (a million statements at 40,000 records) go with its last reference, even while the
    harvest pauses the collector: nothing it made (its delta's split between versions above all) points back to it."""
    hub = Hub("http://127.0.0.1:8080/")
    store = EmbeddedStore(tmp_path / "store", hub.base)
    with store.writer() as writer:
        writer.replace_graph(hub.graph("partner", "alpha"), triples(hub, "a", 50, "alpha"))
    with collection_paused():
        with store.writer() as writer:
            writer.amend_graph(hub.graph("partner", "alpha"), triples(hub, "a", 3, "changed"), [])
            assert writer.delta is not None and writer.previous is not None
            removed, added = writer.delta.removed_and_added(writer.previous, writer)
            assert len(added) == 3 and not removed
            build_stats(writer, hub)
            session = weakref.ref(writer)
            del writer
        assert session() is None
    assert counts(store)[hub.graph("partner", "alpha").value] == 53
