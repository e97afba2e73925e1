"""Partners keeping in sync: a hub harvested from its bundled samples, served on 127.0.0.1, with its access log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from carrefour.history import read
from carrefour.history.terms import Names
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from tests.support.served import carrefour, free_port, start_server, stop_server

PARTNERS = ("hub-du-sud", "maplabbzh")
_REQUEST = re.compile(rb'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[0-9.]+" (?P<status>\d{3}) (?P<size>\d+|-)')


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    status: int
    size: int


@dataclass
class ServedHub:
    base: str
    store_dir: Path
    access_log: Path

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def run(self, *args: str) -> str:
        """A `carrefour` command on this hub's store, as its operator would run it."""
        return carrefour(self.store_dir, self.base, *args)

    def requests(self) -> list[Request]:
        """What the server answered so far, from its access log."""
        found = []
        for line in self.access_log.read_bytes().splitlines():
            match = _REQUEST.search(line)
            if match:
                size = match["size"]
                found.append(
                    Request(match["method"].decode(), match["path"].decode(), int(match["status"]),
                            0 if size == b"-" else int(size))
                )  # fmt: skip
        return found

    def store(self) -> EmbeddedStore:
        return EmbeddedStore(self.store_dir / "store", self.base)

    @property
    def hub(self) -> Hub:
        return Hub(self.base)

    def versions(self, record: str) -> list[read.Version]:
        """The record's versions in the published history."""
        store = self.store()
        try:
            return read.versions_of(store.snapshot(), Names(self.hub), record)
        finally:
            store.close()


@contextmanager
def serve_hub(folder: Path, settings: dict[str, str] | None = None) -> Iterator[ServedHub]:
    """`carrefour init`, then a harvest of two bundled partners, served by `carrefour serve` with ``settings``."""
    port = free_port()
    served = ServedHub(f"http://127.0.0.1:{port}/", folder / "var", folder / "access.log")
    served.run("init")
    served.run("harvest", *PARTNERS)
    process = start_server(served.store_dir, port, base=served.base, settings=settings, access_log=served.access_log)
    try:
        yield served
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedHub]:
    with serve_hub(tmp_path_factory.mktemp("served-hub")) as served:
        yield served
