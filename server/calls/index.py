"""The calls of one version in a web worker: loaded whole for the brokerage pages, asked about for the others.

The listings and matching load ``calls.sqlite`` (``carrefour.artifacts.calls``, written at
publication) once per version and worker: a few hundred milliseconds for 10,000 calls,
where reading them from the store took seconds.  Every resource page asks whether it is a
call or publishes one, in the set of those IRIs (read once per version and worker), so that
a page without calls loads nothing more.  A machine that lacks the file (a remote store's
version not rebuilt yet, ``carrefour.store.remote_artifacts``) serves resource pages without
calls meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from carrefour.artifacts.calls import Item, calls_path
from carrefour.errors import StoreUnavailable
from carrefour.store.base import Snapshot
from server.calls.board import Board
from server.calls.labels import Labels
from server.calls.words import word
from server.site import Site


@dataclass(frozen=True)
class Boards:
    calls: Board
    offers: Board
    labels: Labels


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def load_boards(path: Path) -> Boards:
    """The calls, offers and names of the version whose ``calls.sqlite`` is ``path``."""
    found: dict[str, list[Item]] = {"calls": [], "offers": []}
    with _connect(path) as connection:
        for board, data in connection.execute("SELECT board, data FROM items ORDER BY rowid"):
            found[board].append(Item(**json.loads(data)))
        labels = json.loads(connection.execute("SELECT value FROM meta WHERE key = 'labels'").fetchone()[0])
    return Boards(Board(found["calls"]), Board(found["offers"]), Labels(labels["concepts"], labels["names"]))


def boards(site: Site, snapshot: Snapshot, lang: str = "fr") -> Boards:
    """The version's calls, offers and the names their pages show (loaded once per version).

    :raises StoreUnavailable: this machine does not have the version's calls yet (503).
    """
    path = calls_path(snapshot)
    if path is None:
        raise StoreUnavailable(word(lang, "calls_unavailable"))
    return site.memo.get(snapshot.info.state, ("calls", str(path)), lambda: load_boards(path))


def involved(site: Site, snapshot: Snapshot, iri: str) -> bool:
    """Whether ``iri`` is a call or publishes one (closed calls included): whether its page shows calls.

    The IRIs of the calls and of their publishers alone, read once per version and worker
    (not the calls): a set lookup per page, where opening the file took longer than the page's other reads.
    """
    path = calls_path(snapshot)
    if path is None:
        return False
    return iri in site.memo.get(snapshot.info.state, ("involved", str(path)), lambda: _involved(path))


def _involved(path: Path) -> frozenset[str]:
    with _connect(path) as connection:
        rows = connection.execute("SELECT iri FROM items WHERE board = 'calls' UNION SELECT publisher FROM publishers")
        return frozenset(iri for (iri,) in rows)
