"""The embedded store publishes whole versions atomically and survives killed writers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.processes import descendants, survivors
from carrefour.errors import StoreBusy, StoreError
from carrefour.store.embedded import TRASH, EmbeddedStore
from carrefour.store.helper import Helper
from tests.support.lingering import linger

G = ox.NamedNode("http://127.0.0.1:8080/graph/partner/test")


def triples(n: int, label: str) -> list[ox.Triple]:
    return [
        ox.Triple(
            ox.NamedNode(f"http://127.0.0.1:8080/initiative/test/{i}"),
            ox.NamedNode("http://schema.org/name"),
            ox.Literal(f"{label} {i}"),
        )
        for i in range(n)
    ]


def publish(store: EmbeddedStore, n: int, label: str) -> str:
    with store.writer() as writer:
        writer.replace_graph(G, triples(n, label))
        return writer.info.version


def test_nothing_published_is_a_clear_error(store: EmbeddedStore) -> None:
    with pytest.raises(StoreError, match="run `carrefour init`"):
        store.snapshot()


def test_a_reader_sees_a_new_version_without_reopening(store: EmbeddedStore) -> None:
    first = publish(store, 3, "old")
    reader = EmbeddedStore(store.root, store.base_url)  # another process's view, opened once
    assert reader.snapshot().info.version == first
    assert reader.snapshot().count(G) == 3
    second = publish(store, 5, "new")
    assert second != first
    snapshot = reader.snapshot()
    assert snapshot.info.version == second
    assert snapshot.count(G) == 5
    assert {q.object.value for q in snapshot.quads(graph=G)} == {f"new {i}" for i in range(5)}


def test_a_snapshot_keeps_its_version_while_a_new_one_is_published(store: EmbeddedStore) -> None:
    publish(store, 3, "old")
    snapshot = store.snapshot()
    publish(store, 7, "new")
    assert snapshot.count(G) == 3  # a request in flight keeps a consistent view
    assert store.snapshot().count(G) == 7


def test_a_failed_session_publishes_nothing_and_leaves_no_generation(store: EmbeddedStore) -> None:
    version = publish(store, 3, "kept")
    with pytest.raises(RuntimeError), store.writer() as writer:
        writer.replace_graph(G, triples(1, "half"))
        raise RuntimeError("crash in the middle of a harvest")
    assert store.snapshot().info.version == version
    assert store.snapshot().count(G) == 3
    assert sorted(p.name for p in store.generations_dir.iterdir() if p.is_dir()) == ["00000001"]


def test_one_writer_at_a_time(store: EmbeddedStore) -> None:
    publish(store, 1, "x")
    other = EmbeddedStore(store.root, store.base_url)
    with store.writer(), pytest.raises(StoreBusy), other.writer():
        pass


def _write_forever(root: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    store = EmbeddedStore(Path(root), "http://127.0.0.1:8080/")
    with store.writer() as writer, Helper(writer, processes=1) as helper:  # as a harvest: with its helper at work
        writer.replace_graph(G, triples(2000, "never published"))
        helper.submit(linger, 60)
        ready.set()
        time.sleep(60)


def test_a_writer_killed_with_sigkill_loses_nothing_and_the_next_one_succeeds(store: EmbeddedStore) -> None:
    version = publish(store, 4, "published")
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=_write_forever, args=(str(store.root), ready))
    process.start()
    assert ready.wait(30)
    children = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert children and survivors(children, within=5) == [], "the helper ends with the session"
    fresh = EmbeddedStore(store.root, store.base_url)
    assert fresh.snapshot().info.version == version
    assert fresh.snapshot().count(G) == 4
    assert publish(fresh, 6, "next") != version  # the lock died with the writer
    assert fresh.snapshot().count(G) == 6
    leftovers = [p for p in fresh.generations_dir.iterdir() if p.is_dir() and not (p / "COMMITTED").exists()]
    assert leftovers == []  # the killed writer's half generation was removed


def test_old_generations_are_collected(store: EmbeddedStore) -> None:
    for n in range(6):
        publish(store, n + 1, "v")
    names = sorted(p.name for p in store.generations_dir.iterdir() if p.is_dir())
    assert len(names) == store.keep_generations
    assert store.snapshot().count(G) == 6


def test_old_generations_are_deleted_beside_the_session_and_a_deletion_left_unfinished_is_finished(
    store: EmbeddedStore,
) -> None:
    for n in range(store.keep_generations):
        publish(store, n + 1, "v")
    stopped = store.generations_dir / f"{TRASH}00000001-0a1b2c3d"  # a process stopped while deleting it
    (stopped / "artifacts").mkdir(parents=True)
    (stopped / "artifacts" / "catalogue.sqlite").write_bytes(b"x" * 1000)
    assert stopped in store.leftovers()
    oldest = min(p.name for p in store.generations_dir.iterdir() if p.name.isdigit())
    with store.writer() as writer:
        assert not (store.generations_dir / oldest).exists()  # moved aside as the session begins
        writer.replace_graph(G, triples(2, "w"))
    names = sorted(p.name for p in store.generations_dir.iterdir() if p.is_dir())
    assert len(names) == store.keep_generations and not any(name.startswith(TRASH) for name in names)
    assert store.leftovers() == [] and store.snapshot().count(G) == 2
