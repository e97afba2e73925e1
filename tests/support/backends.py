"""The two store backends, for any test that should pass on both.

A ``Backend`` is one empty dataset on one kind of store, under a base URL of its own,
and makes as many ``Store`` objects on it as a test wants: each stands for another
process or machine (on Virtuoso, each has its own mirror folder, as a second machine
would).  Several Virtuoso datasets share one server without seeing each other: the
hub only ever reads and writes under its own base URL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from carrefour.store.base import Store
from carrefour.store.embedded import EmbeddedStore
from carrefour.store.remote import RemoteStore
from carrefour.store.sparql_client import Endpoints, SparqlClient
from carrefour.vocab import Hub
from tests.support.virtuoso import Virtuoso

BACKENDS = ("embedded", "virtuoso")
POLL_SECONDS = 0.1  # how often a remote Store re-checks the published version in tests
DRAIN_SECONDS = 0.5  # how long a remote swap waits for readers to stop (their queries are short here)

_numbers = itertools.count(1)


@dataclass
class Backend:
    name: str
    hub: Hub
    folder: Path
    _make: Callable[[Path], Store]
    stores: list[Store] = field(default_factory=list)

    def store(self) -> Store:
        """A new Store object on this dataset (another process's view of it)."""
        opened = self._make(self.folder / f"process-{len(self.stores) + 1}")
        self.stores.append(opened)
        return opened

    def close(self) -> None:
        for opened in self.stores:
            opened.close()


def fresh_base() -> str:
    """A base URL no other dataset of this test run uses."""
    return f"http://hub{next(_numbers)}.carrefour.test/"


def endpoints(server: Virtuoso, **changes: object) -> Endpoints:
    settings = {
        "query": server.query_url,
        "update": server.update_url,
        "graph_store": server.graph_store_url,
        "user": "dba",
        "password": "dba",
        "auth": "digest",
        "timeout": 30.0,
    }
    return Endpoints(**{**settings, **changes})  # type: ignore[arg-type]


def remote_store(server: Virtuoso, hub: Hub, folder: Path, **changes: object) -> RemoteStore:
    return RemoteStore(SparqlClient(endpoints(server, **changes)), hub, folder / "mirror", POLL_SECONDS, DRAIN_SECONDS)


def embedded_backend(folder: Path) -> Backend:
    hub = Hub(fresh_base())
    root = folder / "store"
    return Backend("embedded", hub, folder, lambda _: EmbeddedStore(root, hub.base))


def virtuoso_backend(server: Virtuoso, folder: Path) -> Backend:
    hub = Hub(fresh_base())
    return Backend("virtuoso", hub, folder, lambda process: remote_store(server, hub, process))


def open_backend(name: str, folder: Path, server: Callable[[], Virtuoso]) -> Backend:
    """The backend called ``name``; ``server`` gives the shared Virtuoso (started on first use)."""
    if name == "embedded":
        return embedded_backend(folder)
    return virtuoso_backend(server(), folder)


def close_backend(backend: Backend, server: Virtuoso | None) -> None:
    """Close its stores; on Virtuoso, drop everything it wrote (its graphs and records)."""
    backend.close()
    if backend.name == "virtuoso" and server is not None and server.process.poll() is None:
        server.drop_graphs_under(backend.hub.base)
