"""`carrefour check` finds what the store should not publish, and `--repair` removes it in one new version."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.artifacts.build import build_artifacts
from carrefour.artifacts.dumps import DUMPS_DIR
from carrefour.config import load_config
from carrefour.store import store_for
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Graphs, Hub
from loader.harvest import harvest
from loader.partners import load_partners, partners_dir
from loader.validation import Validator
from tests.harvest.conftest import FAST, carrefour

SERVED = "http://127.0.0.1:8090/"
DEFAULT = "http://127.0.0.1:8080/"


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store under SERVED: the curated data and maplabbzh, as `PORT=8090 ./dev.sh serve` then a harvest leave it."""
    store = tmp_path_factory.mktemp("check") / "var"
    assert carrefour("--store", str(store), "init", env={"BASE_URL": SERVED}).returncode == 0
    harvested = carrefour("--store", str(store), "harvest", "maplabbzh")
    assert harvested.returncode == 0, harvested.stdout + harvested.stderr
    return store


@pytest.fixture
def store_dir(healthy: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "var"
    shutil.copytree(healthy, copy)
    return copy


def opened(store_dir: Path) -> EmbeddedStore:
    store = store_for(load_config(overrides={"STORE": str(store_dir), "BASE_URL": SERVED, **FAST}, environ={}))
    assert isinstance(store, EmbeddedStore)
    return store


def stats(store_dir: Path) -> dict:
    return json.loads(carrefour("--store", str(store_dir), "stats", "--json").stdout)


def harvest_under_the_default_base(store_dir: Path) -> None:
    """What `carrefour harvest maplabbzh` did before the store's base was kept: write it under the default base."""
    config = load_config(overrides={"STORE": str(store_dir), "BASE_URL": SERVED, **FAST}, environ={})
    wrong = Hub(DEFAULT)
    specs = load_partners(partners_dir(""))
    maplab = [spec for spec in specs if spec.id == "maplabbzh"]
    _, version = harvest(store_for(config), wrong, config, maplab, specs, Validator(wrong))
    assert version is not None


def test_check_finds_a_copy_under_another_base_and_repair_removes_it(store_dir: Path, tmp_path: Path) -> None:
    before = stats(store_dir)
    assert carrefour("--store", str(store_dir), "check").returncode == 0
    harvest_under_the_default_base(store_dir)
    corrupted = stats(store_dir)
    assert corrupted["quads"] > before["quads"] + 2000  # the 2,555 quads, give or take

    found = carrefour("--store", str(store_dir), "check")
    assert found.returncode == 1, found.stdout + found.stderr
    lines = found.stdout.splitlines()
    foreign = [line for line in lines if line.startswith("unclaimed-graph") and f"under {DEFAULT}" in line]
    assert {line.split()[1].rstrip(":") for line in foreign} >= {
        f"{DEFAULT}graph/partner/maplabbzh",
        f"{DEFAULT}graph/territories",
    }
    assert any(line.startswith("dumps") for line in lines), "the dumps were written for the wrong base"

    repaired = carrefour("--store", str(store_dir), "check", "--repair")
    assert repaired.returncode == 1 and "repaired" in repaired.stdout, repaired.stdout + repaired.stderr
    after = stats(store_dir)
    assert after["version"] != corrupted["version"]
    assert after["graphs"] == before["graphs"] and after["quads"] == before["quads"]
    assert carrefour("--store", str(store_dir), "check").returncode == 0
    assert carrefour("--store", str(store_dir), "dump", "--out", str(tmp_path / "dumps")).returncode == 0
    assert DEFAULT not in gzip.decompress((tmp_path / "dumps" / "carrefour.nq.gz").read_bytes()).decode()


def test_check_finds_stray_statements_unclaimed_graphs_altered_dumps_and_leftovers(store_dir: Path) -> None:
    store = opened(store_dir)
    hub = Hub(SERVED)
    curated = Graphs(hub).curated
    # a term minted under another base, as hubs minted their vocabulary before it had a namespace of its own
    minted_elsewhere = ox.NamedNode(DEFAULT + "ontology#carriedBy")
    stray = ox.Quad(hub.node("initiative", "x"), minted_elsewhere, hub.node("actor", "x"), curated)
    gone = hub.graph("partner", "no-longer-configured")
    with store.writer() as writer:
        writer.replace_graph(curated, [*writer.quads(graph=curated), stray])
        writer.replace_graph(gone, [ox.Triple(hub.node("initiative", "gone"), hub.term("recordKey"), ox.Literal("1"))])
        build_artifacts(writer, hub)
    curated_size = store.snapshot().count(curated)
    dumps = store.snapshot().info.artifacts / DUMPS_DIR  # type: ignore[operator]
    altered = dumps / "partner-maplabbzh.ttl.gz"
    body = bytearray(altered.read_bytes())
    body[-9] ^= 0xFF  # same size, another SHA-256
    altered.write_bytes(bytes(body))
    dead = store.generations_dir / "00000099"
    (dead / "checkpoints" / "0000").mkdir(parents=True)  # a write session killed while its helper worked
    store.close()

    found = carrefour("--store", str(store_dir), "check")
    assert found.returncode == 1
    kinds = {(line.split()[0], line.split()[1].rstrip(":")) for line in found.stdout.splitlines()[:-1]}
    assert kinds == {
        ("foreign-iris", curated.value),
        ("unclaimed-graph", gone.value),
        ("dumps", str(altered)),
        ("leftover", str(dead)),
    }, found.stdout
    assert "1 statements" in found.stdout

    repaired = carrefour("--store", str(store_dir), "check", "--repair")
    assert repaired.returncode == 1, repaired.stdout + repaired.stderr
    assert carrefour("--store", str(store_dir), "check").returncode == 0
    snapshot = opened(store_dir).snapshot()
    assert gone not in snapshot.graphs()
    assert snapshot.count(curated) == curated_size - 1
    assert not dead.exists()


def test_repair_of_leftovers_alone_publishes_nothing(store_dir: Path) -> None:
    version = stats(store_dir)["version"]
    dead = opened(store_dir).generations_dir / "00000099"
    (dead / "store").mkdir(parents=True)
    assert carrefour("--store", str(store_dir), "check").returncode == 1
    repaired = carrefour("--store", str(store_dir), "check", "--repair")
    assert "published version is unchanged" in repaired.stdout
    assert not dead.exists() and stats(store_dir)["version"] == version
