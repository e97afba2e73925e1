"""Fixtures shared by every test: a hub, stores on disk, the partner feeds.

Each area of the suite (foundation, harvest, validation, publish) has its own
folder and, where it needs more, its own conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from carrefour import paths
from carrefour.config import Config, load_config
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator
from tests.support import virtuoso
from tests.support.backends import BACKENDS, Backend, close_backend, open_backend

DEFAULT_BASE = "http://127.0.0.1:8080/"


@pytest.fixture(scope="session")
def hub() -> Hub:
    return Hub(DEFAULT_BASE)


@pytest.fixture(scope="session")
def validator(hub: Hub) -> Validator:
    return Validator(hub)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Settings pointing at an empty store folder of this test."""
    return load_config(overrides={"STORE": str(tmp_path / "var"), "BASE_URL": DEFAULT_BASE}, environ={})


@pytest.fixture
def store(config: Config) -> Iterator[EmbeddedStore]:
    """An empty embedded store on disk."""
    opened = EmbeddedStore(config.store_path / "store", config.base_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def published_store(
    tmp_path_factory: pytest.TempPathFactory, hub: Hub, validator: Validator
) -> Iterator[EmbeddedStore]:
    """A store where `carrefour init` has run once (vocabulary, references, curated data); read it, do not write."""
    root = tmp_path_factory.mktemp("published") / "store"
    opened = EmbeddedStore(root, hub.base)
    initialise(opened, hub, validator)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def shared_feeds() -> Path:
    """The full partner feeds in ../shared/data/partners; tests using them skip when it is absent."""
    if not paths.SHARED_PARTNER_FEEDS.is_dir():
        pytest.skip(
            f"full partner feeds not found at {paths.SHARED_PARTNER_FEEDS} (only the bundled samples are tested)"
        )
    return paths.SHARED_PARTNER_FEEDS


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso.Virtuoso]:
    """One Virtuoso for the whole run (fresh database, free ports); skipped when it is not installed."""
    if not virtuoso.available():
        pytest.skip(virtuoso.NOT_INSTALLED)
    server = virtuoso.start(tmp_path_factory.mktemp("virtuoso"))
    _STARTS.append(server.started_in)
    yield server
    server.stop()


_STARTS: list[float] = []
BACKEND_PARAMS = [pytest.param(name, marks=[pytest.mark.virtuoso] if name == "virtuoso" else []) for name in BACKENDS]


@pytest.fixture(params=BACKEND_PARAMS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty dataset on each backend in turn: make Store objects on it with ``store_backend.store()``."""
    backend = open_backend(request.param, tmp_path, lambda: request.getfixturevalue("virtuoso_server"))
    yield backend
    close_backend(backend, request.getfixturevalue("virtuoso_server") if backend.name == "virtuoso" else None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for seconds in _STARTS:
        terminalreporter.write_line(f"virtuoso started in {seconds:.1f} s")
