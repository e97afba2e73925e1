"""The helper process: what it finds on a checkpoint is what the session's own process finds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from carrefour.artifacts import build_artifacts
from carrefour.artifacts.facets import FACETS_FILE
from carrefour.artifacts.search import SEARCH_FILE
from carrefour.store.base import Store, Writer
from carrefour.store.helper import Helper
from carrefour.vocab import Hub
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


def helped_work(writer: Writer, hub: Hub, processes: int) -> tuple[list[Link], dict, list[tuple[str, ...]]]:
    """Identity links, facets and search entries, with a helper process (1) or without (0)."""
    with Helper(writer, processes=processes) as helper:
        assert helper.parallel == bool(processes)
        links = helper.submit(find_links, hub).result()
        seconds = build_artifacts(writer, hub, helper)
    assert {"search", "facets", "stats", "dumps", "artifacts"} <= set(seconds)
    assert not (writer.artifacts.parent / "checkpoints").exists(), "the checkpoints go with the helper"
    facets = json.loads((writer.artifacts / FACETS_FILE).read_text(encoding="utf-8"))
    return links, facets, search_entries(writer.artifacts / SEARCH_FILE)


def test_the_helper_process_finds_what_the_session_finds(bundled_store: Store, hub: Hub) -> None:
    version = bundled_store.snapshot().info.version
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        there = helped_work(writer, hub, processes=1)
        here = helped_work(writer, hub, processes=0)
        raise Abandoned
    links, facets, entries = here
    assert links and facets["partner"] and len(entries) > 100, "the bundled partners give links, facets, entries"
    assert there == here
    assert bundled_store.snapshot().info.version == version, "the abandoned session published nothing"


def test_work_that_fails_in_the_helper_fails_the_caller(bundled_store: Store, hub: Hub) -> None:
    with pytest.raises(Abandoned), bundled_store.writer() as writer:
        with Helper(writer, processes=1) as helper:
            future = helper.submit(find_links, "not a hub")
            with pytest.raises(AttributeError):
                future.result()
        raise Abandoned
