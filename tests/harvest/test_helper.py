"""The helper process: what it finds on a checkpoint is what the session's own process finds."""

from __future__ import annotations

import itertools
import json
import logging
import multiprocessing
import os
import shutil
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.artifacts import read_ahead
from carrefour.artifacts.build import HELPED, build_artifacts, builder_name, read_previous, run_claimed
from carrefour.artifacts.catalogue import CATALOGUE_FILE, ENTRIES_FILE
from carrefour.artifacts.dumps import DUMPS_DIR, intact_dumps
from carrefour.artifacts.facets import FACETS_FILE
from carrefour.artifacts.search import SEARCH_FILE
from carrefour.catalogue.entries import entry_lines
from carrefour.store.base import Snapshot, Store, Writer
from carrefour.store.helper import CheckpointView, Helper
from carrefour.vocab import RDF_TYPE, SCHEMA, Hub
from loader.linking import Link, find_links

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


class Abandoned(Exception):
    """Raised to end a write session without publishing it."""


def search_entries(path: Path) -> list[tuple[str, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM entries ORDER BY iri, kind").fetchall()
    finally:
        connection.close()


def catalogue_rows(path: Path) -> list[tuple[object, ...]]:
    """The catalogue's cards and the cards filed under each facet value."""
    connection = sqlite3.connect(path)
    try:
        cards = connection.execute("SELECT * FROM groups ORDER BY id").fetchall()
        return cards + connection.execute("SELECT facet, code, groups, covers FROM facet_values ORDER BY id").fetchall()
    finally:
        connection.close()


def rename_a_partner(writer: Writer, hub: Hub) -> None:
    """A change the builders read: without one, the session carries the previous version's files over."""
    partner = next(iter(writer.quads(None, RDF_TYPE, hub.term("Partner")))).subject
    name = ox.Quad(partner, ox.NamedNode(SCHEMA + "alternateName"), ox.Literal("Essai du partage"), hub.graph("test"))
    writer.amend_graph(hub.graph("test"), [name])


def pause(view: Snapshot, seconds: float) -> None:
    """Keep the helper busy."""
    time.sleep(seconds)


def helped_work(
    writer: Writer, hub: Hub, processes: int, busy: float = 0.0
) -> tuple[list[Link], dict, list[tuple[object, ...]]]:
    """Identity links, facets, search entries and the catalogue, with a helper process (1) or without (0);
    ``busy``: seconds the helper spends on other work first."""
    with Helper(writer, processes=processes) as helper:
        assert helper.parallel == bool(processes)
        links = helper.submit(find_links, hub).result()
        if busy:
            helper.submit(pause, busy)
        seconds = build_artifacts(writer, hub, helper)
    assert {"search", "facets", "catalogue", "stats", "dumps", "artifacts"} <= set(seconds)
    assert not (writer.artifacts.parent / "checkpoints").exists(), "the checkpoints go with the helper"
    return (links, *built_artifacts(writer.artifacts))


def built_artifacts(folder: Path) -> tuple[dict, list[tuple[object, ...]]]:
    """The facets, then the search entries and the catalogue's rows, written in ``folder``."""
    facets = json.loads((folder / FACETS_FILE).read_text(encoding="utf-8"))
    return facets, search_entries(folder / SEARCH_FILE) + catalogue_rows(folder / CATALOGUE_FILE)


def test_the_helper_process_finds_what_the_session_finds(bundled_store: Store, hub: Hub) -> None:
    version = bundled_store.snapshot().info.version
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        rename_a_partner(writer, hub)
        there = helped_work(writer, hub, processes=1)
        here = helped_work(writer, hub, processes=0)
        raise Abandoned
    links, facets, entries = here
    assert links and facets["partner"] and len(entries) > 100, "the bundled partners give links, facets, entries"
    assert any("Essai du partage" in str(row) for row in entries), "built again, not carried over"
    assert there == here
    assert bundled_store.snapshot().info.version == version, "the abandoned session published nothing"


def test_the_builders_a_busy_helper_has_not_begun_are_built_here(
    bundled_store: Store, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        rename_a_partner(writer, hub)
        here = helped_work(writer, hub, processes=0)
        with caplog.at_level(logging.DEBUG, logger="carrefour.artifacts"):
            shared = helped_work(writer, hub, processes=1, busy=20.0)
        raise Abandoned
    built = {r.getMessage().split()[0] for r in caplog.records if r.getMessage().endswith("the session's process")}
    # the helper, busy for 20 s, comes to the builders when this process has claimed them all
    assert built == {builder_name(b) for b in HELPED}
    assert shared == here


def test_a_builder_claimed_by_one_process_is_not_built_by_the_other(bundled_store: Store, hub: Hub) -> None:
    calls = HELPED[-1]
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        claims = writer.artifacts.parent / "claims-test"
        claims.mkdir()
        try:
            assert run_claimed(writer, (calls,), hub, claims).keys() == {"calls"}
            assert run_claimed(writer, (calls,), hub, claims) == {}, "claimed already"
        finally:
            shutil.rmtree(claims)
        raise Abandoned


def test_work_that_fails_in_the_helper_fails_the_caller(bundled_store: Store, hub: Hub) -> None:
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        with Helper(writer, processes=1) as helper:
            future = helper.submit(find_links, "not a hub")
            with pytest.raises(AttributeError):
                future.result()
        raise Abandoned


def links_unless_in_a_checkpoint(view: Snapshot, hub: Hub) -> list[Link]:
    """Identity links; in the helper process (a checkpoint view), the helper is killed instead."""
    if isinstance(view, CheckpointView):
        os.kill(os.getpid(), signal.SIGKILL)
    return find_links(view, hub)


def test_work_of_a_helper_killed_meanwhile_is_done_again_here(bundled_store: Store, hub: Hub) -> None:
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        expected = find_links(writer, hub)
        with Helper(writer, processes=1) as helper:
            killed = helper.submit(links_unless_in_a_checkpoint, hub)
            assert killed.result() == expected and expected
            after = helper.submit(find_links, hub)  # the session goes on without a helper
            assert not helper.parallel and after.result() == expected
        raise Abandoned


def kill_the_helper_once_it_claims(folder: Path, name: str) -> None:
    """SIGKILL the helper process as soon as a claim on ``name`` appears in a claims folder of ``folder``."""
    deadline = time.monotonic() + 60
    while not list(folder.glob(f"claims-*/{name}")) and time.monotonic() < deadline:
        time.sleep(0.001)
    for child in multiprocessing.active_children():
        os.kill(child.pid or 0, signal.SIGKILL)


def test_the_builder_of_a_helper_killed_while_building_is_built_here(
    bundled_store: Store, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        rename_a_partner(writer, hub)
        here = helped_work(writer, hub, processes=0)
        with Helper(writer, processes=1) as helper:
            helper.submit(pause, 0.0).result()  # started, so that its claim is the first
            killer = threading.Thread(target=kill_the_helper_once_it_claims,
                                      args=(writer.artifacts.parent, HELPED[0].__name__))  # fmt: skip
            killer.start()
            with caplog.at_level(logging.WARNING, logger="carrefour.store.helper"):
                seconds = build_artifacts(writer, hub, helper)
            killer.join()
        assert any("died" in r.getMessage() for r in caplog.records), "the helper was killed"
        assert {builder_name(b) for b in HELPED} <= set(seconds)
        assert built_artifacts(writer.artifacts) == here[1:]
        raise Abandoned


READINGS = itertools.count()  # in each process, the readings of :func:`numbered_reading`


def numbered_reading(path: Path) -> tuple[int, int]:
    """Which process read ``path``, and how many times it had read before."""
    return os.getpid(), next(READINGS)


def keep_a_reading(path: Path) -> int:
    """Read ``path`` ahead and keep it (in the helper process); that process's id."""
    read_ahead.keep(read_ahead.read(numbered_reading, path))
    return os.getpid()


def take_a_reading(view: Snapshot, path: Path) -> tuple[int, int]:
    return read_ahead.take(numbered_reading, path)


def test_what_the_helper_reads_ahead_is_there_for_its_later_work(bundled_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        with Helper(writer, processes=0) as alone:
            assert alone.prepare(keep_a_reading, path) is None, "no second process: nothing to read ahead on"
        with Helper(writer, processes=1) as helper:
            pending = helper.prepare(keep_a_reading, path)
            assert pending is not None
            helper_process = pending.result()
            assert helper_process != os.getpid()
            assert helper.submit(take_a_reading, path).result() == (helper_process, 0), "the reading kept there"
            assert helper.submit(take_a_reading, path).result() == (helper_process, 1), "taken once: read again"
        raise Abandoned


def test_the_previous_version_read_ahead_is_what_its_builders_read(bundled_store: Store, hub: Hub) -> None:
    if bundled_store.remote:
        pytest.skip("a remote store's artifacts are each process's own, made as they are asked for")
    previous = bundled_store.snapshot().info.artifacts
    assert previous is not None
    try:
        ahead = read_previous(previous, hub)
        lines = read_ahead.take(entry_lines, previous / ENTRIES_FILE, Hub(hub.base))
        assert lines is not None and len(lines) > 100, "the bundled records' entries"
        assert read_ahead.take(entry_lines, previous / ENTRIES_FILE, hub) is not lines, "taken once"
        intact = ahead[0]
        assert intact is not None and intact.value == intact_dumps(previous / DUMPS_DIR)
        assert any(name.endswith(".nq.gz") for name in intact.value), "the dumps are intact"
    finally:
        read_ahead.forget()


def mark_then_sleep(path: Path, seconds: float) -> None:
    path.touch()
    time.sleep(seconds)


def test_reading_ahead_is_not_waited_for_when_the_session_ends(bundled_store: Store, tmp_path: Path) -> None:
    """An unchanged re-harvest ends before the previous version is read: its end does not wait for it."""
    started = tmp_path / "started"
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        helper = Helper(writer, processes=1)
        assert helper.prepare(mark_then_sleep, started, 8.0) is not None
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started.exists(), "the helper began reading ahead"
        clock = time.monotonic()
        helper.close()
        assert time.monotonic() - clock < 4, "not waited for"
        raise Abandoned
