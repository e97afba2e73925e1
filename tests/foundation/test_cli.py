"""The `carrefour` command as an operator runs it: real processes, real store folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from carrefour import paths


def carrefour(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carrefour", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "var"
    result = carrefour("--store", str(store), "init")
    assert result.returncode == 0, result.stderr
    assert "published version" in result.stdout
    return store


def test_validate_the_curated_data_conforms() -> None:
    """`carrefour validate data/curated/*.ttl`: zero violations, so `carrefour init` publishes it."""
    files = sorted(paths.CURATED_DIR.glob("*.ttl"))
    assert len(files) > 10
    result = carrefour("validate", *map(str, files))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("Conforme / Conforms: 0 violation(s)")
    findings = json.loads(carrefour("validate", "--json", *map(str, files)).stdout)
    assert findings and {f["severity"] for f in findings} == {"Warning"}  # no coordinates in the founding texts


def test_init_publishes_the_curated_data(initialised: Path) -> None:
    result = carrefour("--store", str(initialised), "stats", "--json")
    assert result.returncode == 0, result.stderr
    graphs = json.loads(result.stdout)["graphs"]
    assert graphs["http://127.0.0.1:8080/graph/curated"] > 2000


def test_init_then_stats(initialised: Path) -> None:
    result = carrefour("--store", str(initialised), "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["classes"]["territory"] >= 119  # 18 regions + 101 départements (+ communes used)
    assert stats["classes"]["theme"] == 22
    assert "http://127.0.0.1:8080/graph/ontology" in stats["graphs"]


def test_validate_reports_violations_with_exit_code_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix cf: <https://w3id.org/carrefour/ontology#> . @prefix schema: <http://schema.org/> .\n"
        '<actor/test/x> a cf:Actor ; cf:siren "123456789" .\n',
        encoding="utf-8",
    )
    result = carrefour("validate", str(bad))
    assert result.returncode == 1
    assert "Actor-name" in result.stdout and "Actor-sirenChecksum" in result.stdout
    as_json = json.loads(carrefour("validate", "--json", str(bad)).stdout)
    assert {f["shape"].rsplit("#", 1)[1] for f in as_json} == {"Actor-name", "Actor-sirenChecksum", "Actor-geolocation"}


def test_validate_the_reference_data_conforms() -> None:
    files = [paths.REFERENCE_DIR / "concepts.ttl", paths.REFERENCE_DIR / "territories.ttl"]
    result = carrefour("validate", *map(str, files))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("Conforme / Conforms")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate", "/no/such/file.ttl"), "does not exist"),
        (("--store", "/proc/forbidden", "stats"), "run `carrefour init`"),
        (("--base-url", "ftp://x", "stats"), "BASE_URL"),
    ],
)
def test_errors_are_one_line_without_traceback(args: tuple[str, ...], message: str) -> None:
    result = carrefour(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unparsable_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    result = carrefour("validate", str(broken))
    assert result.returncode == 2
    assert "cannot parse" in result.stderr and "Traceback" not in result.stderr
