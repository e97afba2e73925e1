"""Harvest tests: real stores on disk, real partner files, partner servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.config import Config, load_config
from carrefour.store.base import Store
from carrefour.vocab import Hub
from loader.feeds import FetchSettings
from loader.harvest import PartnerHarvest, harvest
from loader.initialise import initialise
from loader.mapping.spec import PartnerSpec, read_partner
from loader.validation import Validator
from tests.conftest import BACKEND_PARAMS, DEFAULT_BASE
from tests.support.backends import Backend, close_backend, open_backend

FAST = {"HARVEST_DELAY": 0.01, "HARVEST_TIMEOUT": 2.0, "HARVEST_MAX_BYTES": 1 << 20, "HARVEST_MAX_PAGES": 30}
EXAMPLES = Path(__file__).resolve().parents[2] / "partners" / "examples"


def fast_config(store_dir: Path, **overrides: object) -> Config:
    """Settings for a store of this test, with limits small enough to hit quickly."""
    return load_config(overrides={"STORE": str(store_dir), "BASE_URL": DEFAULT_BASE, **FAST, **overrides}, environ={})


def fast_settings() -> FetchSettings:
    return FetchSettings("Carrefour-test (+http://127.0.0.1:8080/)", delay=0.01, timeout=2.0, max_bytes=1 << 20,
                         max_pages=30)  # fmt: skip


def partner(text: str) -> PartnerSpec:
    """A partner spec from the text of a partner file."""
    return read_partner(tomllib.loads(text), "test partner")


def example(name: str, **feed: object) -> PartnerSpec:
    """One of partners/examples/, its feed pointed at a test server on 127.0.0.1 (a private address, allowed)."""
    data = tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"))
    feed = {"allow_private_addresses": True, **feed}
    data["feed"] = {k: v for k, v in {**data["feed"], **feed}.items() if v is not None}
    return read_partner(data, name)


@dataclass
class HarvestHub:
    """A store where `carrefour init` ran, and the settings to harvest into it."""

    store: Store
    hub: Hub
    config: Config
    validator: Validator

    def harvest(self, *specs: PartnerSpec) -> tuple[list[PartnerHarvest], str | None]:
        return harvest(self.store, self.hub, self.config, list(specs), list(specs), self.validator)

    def graph(self, *parts: str) -> set[ox.Triple]:
        snapshot = self.store.snapshot()
        return {ox.Triple(q.subject, q.predicate, q.object) for q in snapshot.quads(graph=self.hub.graph(*parts))}


@pytest.fixture(params=BACKEND_PARAMS)
def fresh_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HarvestHub]:
    """A hub just initialised, on each backend."""
    backend = open_backend(request.param, tmp_path / "store", lambda: request.getfixturevalue("virtuoso_server"))
    hub = backend.hub
    validator = Validator(hub)
    store = backend.store()
    initialise(store, hub, validator)
    yield HarvestHub(store, hub, fast_config(tmp_path / "var", BASE_URL=hub.base), validator)
    close_backend(backend, backend.server)


def carrefour(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The `carrefour` command; ``env``: settings (``CARREFOUR_<NAME>``) of the machine it runs on."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    environment |= {f"CARREFOUR_{name}": value for name, value in (env or {}).items()}
    return subprocess.run(
        [sys.executable, "-m", "carrefour", *args], capture_output=True, text=True, timeout=3600, check=False,
        env=environment,
    )  # fmt: skip


def validate_published(store: Store, hub: Hub, folder: Path) -> subprocess.CompletedProcess[str]:
    """`carrefour validate` on the union of every graph the store publishes, validation reports aside."""
    reports = hub.iri("graph", "report") + "/"
    quads = [q for q in store.snapshot().quads() if not q.graph_name.value.startswith(reports)]
    path = folder / "published.nq"
    ox.serialize(quads, path, ox.RdfFormat.N_QUADS)
    return carrefour("--base-url", hub.base, "validate", str(path))


@dataclass
class CliHarvest:
    store_dir: Path  # STORE of the machine that harvested
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    backend: Backend


@pytest.fixture(scope="session", params=BACKEND_PARAMS)
def bundled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliHarvest]:
    """`carrefour init`, then `carrefour harvest` of every bundled partner, twice, as an operator runs them.

    On Virtuoso through ``--store-url``, from a machine whose STORE holds the mirror.
    """
    folder = tmp_path_factory.mktemp(f"bundled-{request.param}")
    backend = open_backend(request.param, folder, lambda: request.getfixturevalue("virtuoso_server"), DEFAULT_BASE)
    options, env = backend.command_line(), backend.writer_settings
    init = carrefour(*options, "init", env=env)
    assert init.returncode == 0, init.stderr
    first = carrefour(*options, "harvest", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    second = carrefour(*options, "harvest", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    yield CliHarvest(backend.writer_folder, first, second, backend)
    close_backend(backend, backend.server)


@pytest.fixture(scope="session")
def bundled_store(bundled: CliHarvest) -> Store:
    """The harvested store, opened by the tests (another process; on Virtuoso, another machine)."""
    return bundled.backend.store()
