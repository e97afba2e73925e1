"""A machine that finds no artifacts for the published version rebuilds them from the store alone.

The rebuild reads one published version, with no write session behind it: no previous
version to adjust from, no list of changed statements.  What it builds must be what the
publication built.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from carrefour.artifacts.build import HELPED_FILES, REBUILDABLE
from carrefour.artifacts.stats import STATS_FILE, stats_in
from carrefour.store.embedded import EmbeddedStore
from carrefour.store.remote_artifacts import COMPLETE, RebuildView, VersionArtifacts
from carrefour.vocab import Hub
from tests.support.sqlite_tables import tables


def _wait_for_rebuilds(timeout: float = 120) -> None:
    for thread in [t for t in threading.enumerate() if t.name.startswith("artifacts-")]:
        thread.join(timeout)
        assert not thread.is_alive(), f"{thread.name} still running after {timeout} s"


def _content(path: Path) -> object:
    """What a file says: a database's rows (its header counts the writes), else its bytes."""
    return tables(path) if path.suffix == ".sqlite" else path.read_bytes()


def test_a_rebuild_makes_the_artifacts_the_publication_made(
    published_store: EmbeddedStore, hub: Hub, tmp_path: Path
) -> None:
    snapshot = published_store.snapshot()
    assert snapshot.info.artifacts is not None
    mirror = EmbeddedStore(tmp_path / "mirror", hub.base)  # holds no version: the rebuild is the only way
    try:
        versions = VersionArtifacts(tmp_path / "shared", mirror)
        assert versions.find(snapshot.info.version) is None
        versions.rebuild(snapshot, hub, still_current=lambda: True)
        _wait_for_rebuilds()
        rebuilt = versions.find(snapshot.info.version)
    finally:
        mirror.close()
    assert rebuilt is not None, "the rebuild left no complete folder (its failure is in the log)"
    assert (rebuilt / COMPLETE).is_file()
    assert stats_in(rebuilt) == stats_in(snapshot.info.artifacts)
    for builder in REBUILDABLE:
        for name in HELPED_FILES.get(builder, ()):
            assert _content(rebuilt / name) == _content(snapshot.info.artifacts / name), name
    assert (rebuilt / STATS_FILE).stat().st_size > 0


@pytest.mark.parametrize("attribute", ["previous", "delta"])
def test_the_rebuild_view_has_no_session_behind_it(
    published_store: EmbeddedStore, tmp_path: Path, attribute: str
) -> None:
    view = RebuildView(published_store.snapshot(), tmp_path)
    assert getattr(view, attribute) is None
