"""One base URL per store: commands take the store's, refuse another, and `carrefour rebase` moves it.

The scene of the issue: `PORT=8090 ./dev.sh serve` initialised the store under
http://127.0.0.1:8090/, then `carrefour harvest maplabbzh` was run beside it without
BASE_URL and published a second copy of the partner under the default base.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from carrefour.errors import BaseMismatch
from carrefour.store.embedded import EmbeddedStore
from tests.harvest.conftest import carrefour
from tests.support.served import free_port, stop_server

SERVED = "http://127.0.0.1:8090/"  # the base `PORT=8090 ./dev.sh serve` gives the store
DEFAULT = "http://127.0.0.1:8080/"  # the default BASE_URL
MOVED = "https://carrefour.example.org/"


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STORE after `PORT=8090 ./dev.sh serve` published the curated data (it exports CARREFOUR_BASE_URL)."""
    store = tmp_path_factory.mktemp("one-base") / "var"
    init = carrefour("--store", str(store), "init", env={"BASE_URL": SERVED})
    assert init.returncode == 0, init.stderr
    return store


@pytest.fixture
def store(served_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "var"
    shutil.copytree(served_store, copy)
    return copy


def stats(store: Path, *options: str, env: dict[str, str] | None = None) -> dict:
    result = carrefour("--store", str(store), *options, "stats", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_commands_beside_the_served_store_use_its_base(store: Path, tmp_path: Path) -> None:
    harvested = carrefour("--store", str(store), "harvest", "maplabbzh")
    assert harvested.returncode == 0, harvested.stdout + harvested.stderr
    published = stats(store)
    assert published["quads"] > 5000 and published["classes"]["initiative"] > 0, "not the empty store of the issue"
    assert all(graph.startswith(SERVED) for graph in published["graphs"])
    assert f"{SERVED}graph/partner/maplabbzh" in published["graphs"]
    dumped = carrefour("--store", str(store), "dump", "--out", str(tmp_path / "dumps"))
    assert dumped.returncode == 0, dumped.stderr
    nquads = gzip.decompress((tmp_path / "dumps" / "carrefour.nq.gz").read_bytes()).decode()
    assert SERVED in nquads and DEFAULT not in nquads
    assert carrefour("--store", str(store), "check").returncode == 0


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_command_given_another_base_refuses_and_names_both(store: Path, how: str) -> None:
    before = stats(store)
    options, env = (["--base-url", DEFAULT], None) if how == "option" else ([], {"BASE_URL": DEFAULT})
    refused = carrefour("--store", str(store), *options, "harvest", "maplabbzh", env=env)
    assert refused.returncode == 2
    message = refused.stderr.strip()
    assert len(message.splitlines()) == 1 and SERVED in message and DEFAULT in message, message
    assert stats(store) == before, "nothing was written"
    assert carrefour("--store", str(store), *options, "stats", env=env).returncode == 2


def test_a_writer_under_another_base_refuses_to_write(store: Path) -> None:
    with pytest.raises(BaseMismatch, match=SERVED), EmbeddedStore(store / "store", DEFAULT).writer():
        pass


def test_rebase_moves_every_iri_in_one_new_version(store: Path, tmp_path: Path) -> None:
    before = stats(store)
    moved = carrefour("--store", str(store), "rebase", MOVED)
    assert moved.returncode == 0, moved.stderr
    after = stats(store)
    assert after["version"] != before["version"] and after["quads"] == before["quads"]
    assert after["graphs"] == {graph.replace(SERVED, MOVED): count for graph, count in before["graphs"].items()}
    assert after["classes"] == before["classes"]
    assert carrefour("--store", str(store), "dump", "--out", str(tmp_path / "dumps")).returncode == 0
    manifest = json.loads((tmp_path / "dumps" / "dumps.json").read_text(encoding="utf-8"))
    assert manifest["version"] == after["version"]
    nquads = gzip.decompress((tmp_path / "dumps" / "carrefour.nq.gz").read_bytes()).decode()
    assert MOVED in nquads and SERVED not in nquads
    assert carrefour("--store", str(store), "check").returncode == 0
    assert carrefour("--store", str(store), "--base-url", SERVED, "stats").returncode == 2
    again = carrefour("--store", str(store), "rebase", MOVED)
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_serve_without_base_url_serves_the_store_under_its_base(store: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "carrefour", "--store", str(store), "serve", "--port", str(port), "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}  # no BASE_URL
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                void = requests.get(f"http://127.0.0.1:{port}/.well-known/void", headers={"Accept": "text/turtle"})
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert void.status_code == 200 and f'"{SERVED}"' in void.text and DEFAULT not in void.text
    finally:
        stop_server(process)  # type: ignore[arg-type]
