"""A push's version carries the previous artifacts (hard links, marked stale); a refresh rebuilds them once."""

from __future__ import annotations

import gzip
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.refresh import carry_artifacts, refresh_artifacts
from carrefour.artifacts.stale import STALE_FILE, stale_of
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from server.artifact_refresh import Refresher
from tests.support.served import carrefour

BASE = "http://127.0.0.1:5081/"


def initialised(folder: Path) -> EmbeddedStore:
    carrefour(folder, BASE, "init")
    return EmbeddedStore(folder / "store", BASE)


def amend(store: EmbeddedStore, hub: Hub, name: str) -> str:
    """A write session that adds one statement and carries the artifacts, as a push does; its version."""
    with store.writer() as writer:
        thing = ox.NamedNode(hub.base + "initiative/test/" + name)
        writer.amend_graph(
            hub.graph("partner", "test"), [ox.Triple(thing, ox.NamedNode(hub.ns + "name"), ox.Literal(name))]
        )
        carry_artifacts(writer, hub)
        return writer.info.version


def test_carried_artifacts_are_links_to_the_previous_ones_until_a_refresh(tmp_path: Path) -> None:
    store, hub = initialised(tmp_path), Hub(BASE)
    try:
        first = store.snapshot().info
        assert stale_of(first.artifacts) is None
        pushed = amend(store, hub, "one")
        second = store.snapshot().info
        assert second.version == pushed and stale_of(second.artifacts) == first.version
        files = [p for p in first.artifacts.rglob("*") if p.is_file()]  # type: ignore[union-attr]
        assert files
        for path in files:
            carried = second.artifacts / path.relative_to(first.artifacts)  # type: ignore[operator, arg-type]
            assert carried.stat().st_ino == path.stat().st_ino
        amend(store, hub, "two")  # a second push still names the version the artifacts describe
        assert stale_of(store.snapshot().info.artifacts) == first.version

        refreshed = refresh_artifacts(store, hub)
        info = store.snapshot().info
        assert refreshed == info.version and stale_of(info.artifacts) is None
        dumped = gzip.decompress((info.artifacts / "dumps" / "carrefour.nq.gz").read_bytes()).decode()  # type: ignore[operator]
        assert '"one"' in dumped and '"two"' in dumped  # rebuilt, not copied from what was carried
        assert not (info.artifacts / STALE_FILE).exists()  # type: ignore[operator]
        assert refresh_artifacts(store, hub) is None and store.snapshot().info.version == refreshed
    finally:
        store.close()


def test_a_burst_of_pushes_is_followed_by_one_rebuild(tmp_path: Path) -> None:
    store, hub = initialised(tmp_path), Hub(BASE)
    lock = threading.Lock()
    refresher = Refresher(store, hub, lock, delay=0.5)
    try:
        numbers = []
        for name in ("a", "b", "c"):
            with lock:
                numbers.append(int(amend(store, hub, name).split("-")[0]))
            refresher.schedule()
        deadline = time.monotonic() + 120
        while stale_of(store.snapshot().info.artifacts) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        info = store.snapshot().info
        assert stale_of(info.artifacts) is None
        # every session takes the next generation number, published or not: none ran between the pushes, one after
        assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
        assert int(info.version.split("-")[0]) == numbers[0] + 3
    finally:
        store.close()
