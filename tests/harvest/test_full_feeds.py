"""Every full partner feed of ../shared harvested (skipped, saying so, when the feeds are absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loader.partners import load_partners, partners_dir
from tests.harvest.conftest import carrefour

# the reference (pyshacl) validation of ~8,000 records takes a quarter of an hour on two cores
pytestmark = [pytest.mark.shared, pytest.mark.slow, pytest.mark.timeout(3600)]


def test_the_full_feeds_are_harvested(shared_feeds: Path, tmp_path: Path) -> None:
    store = tmp_path / "var"
    assert carrefour("--store", str(store), "init").returncode == 0
    result = carrefour("--store", str(store), "harvest", "--feeds", str(shared_feeds))
    assert result.returncode == 0, result.stdout + result.stderr
    counts = {"regionsud": 1200, "hub-du-sud": 600, "hub-lo": 400, "ess-numerique": 3600, "dsi4eu": 1200,
              "maplabbzh": 121, "coopcycle": 40, "ess-numerique-tierslieux": 47}  # fmt: skip
    for spec in load_partners(partners_dir()):
        line = next(line for line in result.stdout.splitlines() if re.search(rf"[│|] {re.escape(spec.id)} +[│|]", line))
        read = int(re.split(r"[│|]", line)[2])
        assert read >= counts.get(spec.id, 5), line
