"""Every full partner feed of ../shared harvested (skipped, saying so, when the feeds are absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.partners import load_partners, partners_dir
from tests.harvest.conftest import carrefour, validate_published

# the reference (pyshacl) validation of ~8,000 records takes a quarter of an hour on two cores
pytestmark = [pytest.mark.shared, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def full_harvest(shared_feeds: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`carrefour init`, then `carrefour harvest` of every full feed: the store folder and what the harvest printed."""
    store = tmp_path_factory.mktemp("full") / "var"
    assert carrefour("--store", str(store), "init").returncode == 0
    result = carrefour("--store", str(store), "harvest", "--feeds", str(shared_feeds))
    assert result.returncode == 0, result.stdout + result.stderr
    return store, result.stdout


def test_the_full_feeds_are_harvested(full_harvest: tuple[Path, str]) -> None:
    _, printed = full_harvest
    counts = {"regionsud": 1200, "hub-du-sud": 600, "hub-lo": 400, "ess-numerique": 3600, "dsi4eu": 1200,
              "maplabbzh": 121, "coopcycle": 40, "ess-numerique-tierslieux": 47}  # fmt: skip
    for spec in load_partners(partners_dir()):
        line = next(line for line in printed.splitlines() if re.search(rf"[│|] {re.escape(spec.id)} +[│|]", line))
        read = int(re.split(r"[│|]", line)[2])
        assert read >= counts.get(spec.id, 5), line


def test_what_the_full_feeds_publish_conforms_to_the_shapes(
    full_harvest: tuple[Path, str], hub: Hub, tmp_path: Path
) -> None:
    """The eight full feeds' graphs with the curated data and references, validated together (reports aside)."""
    store, _ = full_harvest
    opened = EmbeddedStore(store / "store", hub.base)
    try:
        validated = validate_published(opened, hub, tmp_path)
    finally:
        opened.close()
    assert validated.returncode == 0, validated.stdout.split("[Warning]")[0]
    assert " 0 violation(s)" in validated.stdout.splitlines()[0]


PLACED = """
SELECT (COUNT(DISTINCT ?s) AS ?records) (COUNT(DISTINCT ?placed) AS ?in_a_commune) WHERE {
  ?s <http://schema.org/location>|<http://schema.org/address> ?a .
  FILTER EXISTS { ?a <http://schema.org/postalCode>|<http://schema.org/addressLocality> ?place }
  FILTER NOT EXISTS { ?a <http://schema.org/addressCountry> ?country FILTER (?country != "FR") }
  OPTIONAL { ?s ?locatedIn ?commune FILTER (STRSTARTS(STR(?commune), ?communes)) BIND (?s AS ?placed) }
}
"""


def test_french_records_with_a_postal_code_or_a_town_are_placed_in_their_commune(
    full_harvest: tuple[Path, str], hub: Hub
) -> None:
    """Names as partners write them (oe for œ, capitals, St, hyphens lost, arrondissements…) find their commune."""
    store, _ = full_harvest
    opened = EmbeddedStore(store / "store", hub.base)
    try:
        query = PLACED.replace("?locatedIn", str(hub.term("locatedIn")))
        query = query.replace("?communes", str(ox.Literal(hub.iri("territory", "commune") + "/")))
        (row,) = opened.snapshot().select(query)
    finally:
        opened.close()
    records, placed = int(row["records"].value), int(row["in_a_commune"].value)
    print(f"French records with a postal code or a town: {records}, placed in a commune: {placed}")
    assert records > 2600 and placed >= 2615  # 2,568 before names were matched the ways feeds write them
