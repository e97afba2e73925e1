"""Harvest tests: real stores on disk, real partner files, partner servers on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.config import Config, load_config
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.feeds import FetchSettings
from loader.harvest import PartnerHarvest, harvest
from loader.initialise import initialise
from loader.mapping.spec import PartnerSpec, read_partner
from loader.validation import Validator
from tests.conftest import DEFAULT_BASE

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
    """One of partners/examples/, its feed pointed at a test server."""
    data = tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8"))
    data["feed"] = {k: v for k, v in {**data["feed"], **feed}.items() if v is not None}
    return read_partner(data, name)


@dataclass
class HarvestHub:
    """A store on disk where `carrefour init` ran, and the settings to harvest into it."""

    store: EmbeddedStore
    hub: Hub
    config: Config
    validator: Validator

    def harvest(self, *specs: PartnerSpec) -> tuple[list[PartnerHarvest], str | None]:
        return harvest(self.store, self.hub, self.config, list(specs), list(specs), self.validator)

    def graph(self, *parts: str) -> set[ox.Triple]:
        snapshot = self.store.snapshot()
        return {ox.Triple(q.subject, q.predicate, q.object) for q in snapshot.quads(graph=self.hub.graph(*parts))}


@pytest.fixture
def fresh_hub(tmp_path: Path, hub: Hub, validator: Validator) -> Iterator[HarvestHub]:
    config = fast_config(tmp_path / "var")
    store = EmbeddedStore(config.store_path / "store", hub.base)
    initialise(store, hub, validator)
    yield HarvestHub(store, hub, config, validator)
    store.close()


def carrefour(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carrefour", *args], capture_output=True, text=True, timeout=3600, check=False
    )


@dataclass
class CliHarvest:
    store_dir: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> CliHarvest:
    """`carrefour init`, then `carrefour harvest` of every bundled partner, twice, as an operator runs them."""
    store_dir = tmp_path_factory.mktemp("bundled") / "var"
    init = carrefour("--store", str(store_dir), "init")
    assert init.returncode == 0, init.stderr
    first = carrefour("--store", str(store_dir), "harvest")
    assert first.returncode == 0, first.stdout + first.stderr
    second = carrefour("--store", str(store_dir), "harvest")
    assert second.returncode == 0, second.stdout + second.stderr
    return CliHarvest(store_dir, first, second)


@pytest.fixture(scope="session")
def bundled_store(bundled: CliHarvest, hub: Hub) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(bundled.store_dir / "store", hub.base)
    yield store
    store.close()
