"""The two store backends, for any test that should pass on both.

A ``Backend`` is one empty dataset on one kind of store, under a base URL of its own,
and makes as many ``Store`` objects on it as a test wants: each stands for another
process or machine (on Virtuoso, each has its own mirror folder, as a second machine
would, and they share one artifacts folder, as machines sharing ``ARTIFACTS_DIR``).
Several Virtuoso datasets share one server without seeing each other: the hub only
ever reads and writes under its own base URL.  ``web_settings`` are those of a web
machine serving the dataset with ``carrefour serve``: on Virtuoso, the query endpoint
only (no write credentials), as docs/deployment.md advises.
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
WEB_POLL_SECONDS = 0.2  # how often a test web server re-checks it (below the drain)

_numbers = itertools.count(1)


@dataclass
class Backend:
    name: str
    hub: Hub
    folder: Path
    _make: Callable[[Path], Store]
    web_settings: dict[str, str] = field(default_factory=dict)
    writer_settings: dict[str, str] = field(default_factory=dict)
    server: Virtuoso | None = None
    stores: list[Store] = field(default_factory=list)

    def store(self) -> Store:
        """A new Store object on this dataset (another process's view of it)."""
        opened = self._make(self.folder / f"process-{len(self.stores) + 1}")
        self.stores.append(opened)
        return opened

    @property
    def web_folder(self) -> Path:
        """STORE of a web machine serving the dataset: the embedded store's folder, or a folder of its own."""
        return self.folder / "web" if self.server is not None else self.folder

    @property
    def writer_folder(self) -> Path:
        """STORE of the machine that runs `carrefour init` and `harvest`: the store's folder, or one with the mirror."""
        return self.folder / "harvest" if self.server is not None else self.folder

    def command_line(self) -> list[str]:
        """The global options of a `carrefour` command writing to this dataset (the store, its base URL)."""
        store_url = ["--store-url", self.server.query_url] if self.server is not None else []
        return ["--store", str(self.writer_folder), *store_url, "--base-url", self.hub.base]

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


def remote_store(
    server: Virtuoso, hub: Hub, folder: Path, artifacts: Path | None = None, **changes: object
) -> RemoteStore:
    client = SparqlClient(endpoints(server, **changes))
    return RemoteStore(client, hub, folder / "mirror", POLL_SECONDS, DRAIN_SECONDS, artifacts)


def embedded_backend(folder: Path, base: str | None = None) -> Backend:
    hub = Hub(base or fresh_base())
    root = folder / "store"
    return Backend("embedded", hub, folder, lambda _: EmbeddedStore(root, hub.base))


def virtuoso_backend(server: Virtuoso, folder: Path, base: str | None = None) -> Backend:
    hub = Hub(base or fresh_base())
    shared = folder / "artifacts"
    web = {"STORE_URL": server.query_url, "STORE_POLL_SECONDS": str(WEB_POLL_SECONDS), "ARTIFACTS_DIR": str(shared)}
    # A swap waits for readers one poll plus the longest public query (SPARQL_TIMEOUT): short here.
    writer = {**server.settings(), "ARTIFACTS_DIR": str(shared), "STORE_POLL_SECONDS": "0.2", "SPARQL_TIMEOUT": "1"}
    del writer["STORE_URL"]  # given as --store-url, as an operator would

    def make(process: Path) -> Store:
        return remote_store(server, hub, process, shared)

    return Backend("virtuoso", hub, folder, make, web, writer, server)


def open_backend(name: str, folder: Path, server: Callable[[], Virtuoso], base: str | None = None) -> Backend:
    """The backend called ``name`` (under ``base``, or a fresh base URL); ``server`` gives the shared Virtuoso."""
    if name == "embedded":
        return embedded_backend(folder, base)
    return virtuoso_backend(server(), folder, base)


def close_backend(backend: Backend, server: Virtuoso | None) -> None:
    """Close its stores; on Virtuoso, drop everything it wrote (its graphs and records)."""
    backend.close()
    if backend.name == "virtuoso" and server is not None and server.process.poll() is None:
        server.drop_graphs_under(backend.hub.base)
