"""The `carrefour` command on a remote store, as an operator runs it: real processes, a real Virtuoso."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from carrefour import paths
from tests.support import virtuoso
from tests.support.backends import fresh_base
from tests.support.served import free_port

pytestmark = pytest.mark.virtuoso


def carrefour(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carrefour", *args], capture_output=True, text=True, timeout=600, env=env
    )


def environment(server: virtuoso.Virtuoso | None = None, **settings: str) -> dict[str, str]:
    """The process environment with the store's settings; the secret only in CARREFOUR_STORE_PASSWORD."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    if server is not None:
        env |= {
            "CARREFOUR_STORE_UPDATE_URL": server.update_url,
            "CARREFOUR_STORE_GRAPH_STORE_URL": server.graph_store_url,
            "CARREFOUR_STORE_USER": "dba",
            "CARREFOUR_STORE_PASSWORD": "dba",
        }
    # Short limits: a swap waits for readers one poll plus the longest public query.
    env |= {"CARREFOUR_STORE_POLL_SECONDS": "0.2", "CARREFOUR_SPARQL_TIMEOUT": "1"}
    return env | {f"CARREFOUR_{k}": v for k, v in settings.items()}


@pytest.fixture(scope="module")
def initialised(virtuoso_server: virtuoso.Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    base = fresh_base()
    folder = tmp_path_factory.mktemp("cli-remote")
    result = carrefour(
        "--store", str(folder / "var"), "--store-url", virtuoso_server.query_url, "--base-url", base, "init",
        env=environment(virtuoso_server),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "published version" in result.stdout
    return base, folder


def test_init_then_stats_from_another_machine(
    virtuoso_server: virtuoso.Virtuoso, initialised: tuple[str, Path], tmp_path: Path
) -> None:
    base, folder = initialised
    remote = carrefour(
        "--store", str(tmp_path / "elsewhere"), "--store-url", virtuoso_server.query_url, "--base-url", base,
        "stats", "--json", env=environment(virtuoso_server),
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    stats = json.loads(remote.stdout)
    embedded = carrefour("--store", str(tmp_path / "embedded"), "--base-url", base, "init", env=environment())
    assert embedded.returncode == 0, embedded.stderr
    reference = json.loads(
        carrefour(
            "--store", str(tmp_path / "embedded"), "--base-url", base, "stats", "--json", env=environment()
        ).stdout
    )
    assert stats["graphs"] == reference["graphs"]
    assert stats["classes"] == reference["classes"] and stats["classes"]["theme"] == 22
    assert stats["quads"] == reference["quads"]


def test_a_second_init_keeps_working_and_publishes_a_new_version(
    virtuoso_server: virtuoso.Virtuoso, initialised: tuple[str, Path]
) -> None:
    base, folder = initialised
    env = environment(virtuoso_server)
    args = ("--store", str(folder / "var"), "--store-url", virtuoso_server.query_url, "--base-url", base)
    before = json.loads(carrefour(*args, "stats", "--json", env=env).stdout)["version"]
    again = carrefour(*args, "init", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(carrefour(*args, "stats", "--json", env=env).stdout)["version"] != before


def test_validate_needs_no_store(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/sparql"
    files = [paths.REFERENCE_DIR / "concepts.ttl", paths.REFERENCE_DIR / "territories.ttl"]
    result = carrefour("--store-url", down, "validate", *map(str, files), env=environment())
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix cf: <https://w3id.org/carrefour/ontology#> .\n<actor/test/x> a cf:Actor ; cf:siren "123456789" .\n',
        encoding="utf-8",
    )
    assert carrefour("--store-url", down, "validate", str(bad), env=environment()).returncode == 1


def test_a_store_that_is_down_is_one_clear_line(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/sparql"
    for command in ("stats", "init"):
        result = carrefour("--store", str(tmp_path), "--store-url", down, command, env=environment())
        assert result.returncode == 2
        assert "the store cannot be reached" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_wrong_password_is_one_clear_line(virtuoso_server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    env = environment(virtuoso_server, STORE_PASSWORD="not-the-password")
    result = carrefour(
        "--store", str(tmp_path), "--store-url", virtuoso_server.query_url, "--base-url", fresh_base(), "init", env=env
    )
    assert result.returncode == 2
    assert "refused an update (401)" in result.stderr and "Traceback" not in result.stderr


def test_the_password_is_refused_in_a_configuration_file(virtuoso_server: virtuoso.Virtuoso, tmp_path: Path) -> None:
    config = tmp_path / "carrefour.toml"
    config.write_text(f'store_url = "{virtuoso_server.query_url}"\nstore_password = "dba"\n', encoding="utf-8")
    result = carrefour("--config", str(config), "stats", env=environment())
    assert result.returncode == 2
    assert "STORE_PASSWORD is a secret" in result.stderr


@pytest.fixture
def own_virtuoso(tmp_path: Path) -> Iterator[virtuoso.Virtuoso]:
    """A Virtuoso of this test alone: the shared one may hold other tests' hubs."""
    if not virtuoso.available():
        pytest.skip(virtuoso.NOT_INSTALLED)
    server = virtuoso.start(tmp_path / "virtuoso")
    yield server
    server.stop()


def test_commands_without_base_url_use_the_hub_the_remote_store_holds(
    own_virtuoso: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    first, second = fresh_base(), fresh_base()
    env = environment(own_virtuoso)

    def run(machine: str, *args: str) -> subprocess.CompletedProcess[str]:
        return carrefour("--store", str(tmp_path / machine), "--store-url", own_virtuoso.query_url, *args, env=env)

    assert run("harvest-machine", "--base-url", first, "init").returncode == 0
    stats = run("web-machine", "stats", "--json")  # no BASE_URL, a machine with an empty STORE
    assert stats.returncode == 0, stats.stderr
    assert all(graph.startswith(first) for graph in json.loads(stats.stdout)["graphs"])
    refused = run("web-machine", "--base-url", second, "stats")
    assert refused.returncode == 2 and first in refused.stderr and second in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert run("second-hub", "--base-url", second, "init").returncode == 0  # a second hub, started deliberately
    several = run("web-machine", "stats")
    assert several.returncode == 2 and "several hubs" in several.stderr and second in several.stderr
    assert run("web-machine", "--base-url", second, "stats").returncode == 0
