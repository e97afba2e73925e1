"""Partner text damaged upstream: double encoding repaired, lost letters flagged and never minted into an IRI."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from carrefour.vocab import SCHEMA, Hub
from loader.harvest import PartnerHarvest
from loader.harvest_report import report_document, report_text
from loader.mapping.minting import Minter, concept_slug
from server import create_app
from tests.harvest.conftest import HarvestHub, partner

pytestmark = pytest.mark.timeout(900)

PARTNER = """
id = "{id}"
name = "Lieux de {id}"
homepage = "https://{id}.example.org/"
licence = "CC0-1.0"
[feed]
format = "json"
source = "{source}"
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = "nom"
address = {{ postal_code = "cp", city = "ville" }}
fields = [{{ property = "schema:description", from = "description" }}]
"""
DAMAGED = "Biblioth\ufffdque de Cannes"  # the accent destroyed upstream: the letter is lost
DAMAGED_RECORDS = [
    {"id": "1", "nom": DAMAGED, "cp": "06400", "ville": "Cannes", "description": "Pr\ufffdt de livres"},
    {"id": "2", "nom": "Les 6 DegrÃ©s", "cp": "06400", "ville": "Cannes"},  # UTF-8 read as Latin-1: repairable
]
INTACT_RECORDS = [{"id": "a", "nom": "Bibliothèque de Cannes", "cp": "06400", "ville": "Cannes"}]


@pytest.fixture
def harvested(fresh_hub: HarvestHub, tmp_path: Path) -> tuple[HarvestHub, PartnerHarvest]:
    """A partner with damaged names and one describing the same library intact, harvested twice together."""
    specs = []
    for partner_id, records in (("abimes", DAMAGED_RECORDS), ("intacts", INTACT_RECORDS)):
        (tmp_path / f"{partner_id}.json").write_text(json.dumps(records), encoding="utf-8")
        specs.append(partner(PARTNER.format(id=partner_id, source=tmp_path / f"{partner_id}.json")))
    (first, _), _ = fresh_hub.harvest(*specs)
    (second, _), version = fresh_hub.harvest(*specs)
    assert version is not None and first.ok and second.ok, (first.error, second.error)
    assert not second.diff.loaded and not second.diff.updated and not second.diff.removed  # the IRIs are stable
    return fresh_hub, first


def names(hub: HarvestHub) -> dict[str, str]:
    graph = hub.graph("partner", "abimes")
    return {t.subject.value: t.object.value for t in graph if t.predicate.value == SCHEMA + "name"}


def test_double_encoding_is_repaired_and_lost_letters_are_published_as_written(
    harvested: tuple[HarvestHub, PartnerHarvest],
) -> None:
    hub, _ = harvested
    assert names(hub) == {hub.hub.iri("initiative", "abimes", "1"): DAMAGED,
                          hub.hub.iri("initiative", "abimes", "les-6-degres"): "Les 6 Degrés"}  # fmt: skip


def test_a_damaged_name_is_never_minted_into_an_iri(harvested: tuple[HarvestHub, PartnerHarvest]) -> None:
    hub, _ = harvested
    subjects = {t.subject.value for t in hub.graph("partner", "abimes")}
    assert not [iri for iri in subjects if "bibliothque" in iri]
    assert hub.hub.iri("initiative", "abimes", "1") in subjects  # named after the record key


def test_damaged_text_is_flagged_by_field_never_by_value(harvested: tuple[HarvestHub, PartnerHarvest]) -> None:
    hub, result = harvested
    flagged = {(i.record, i.field) for i in result.items if i.kind == "damaged-text"}
    record = hub.hub.iri("initiative", "abimes", "1")
    assert flagged == {(record, "nom"), (record, "description")}
    document = json.dumps(report_document(result), ensure_ascii=False)
    text = report_text(result)
    assert "letters lost upstream (U+FFFD) in nom" in text
    assert '"field": "nom"' in document and result.counts()["warnings"] >= 2
    report = hub.graph("report", "abimes")
    assert any("U+FFFD" in t.object.value for t in report)
    assert not [t for t in [text, document, *(t.object.value for t in report)] if re.search("Biblioth|livres", t)]


def test_the_page_shows_the_intact_name_of_an_identity_linked_twin(
    harvested: tuple[HarvestHub, PartnerHarvest],
) -> None:
    hub, _ = harvested
    app = create_app({"STORE": str(hub.config.store_path), "BASE_URL": hub.hub.base}, store=hub.store)
    page = app.test_client().get("/initiative/abimes/1", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.get_data(as_text=True), re.S)
    assert title is not None and "Bibliothèque de Cannes" in html.unescape(title.group(1))


def test_an_iri_minted_from_a_damaged_name_before_is_minted_again(hub: Hub) -> None:
    prefix = hub.iri("initiative", "abimes") + "/"
    minter = Minter(hub, "abimes", {("initiative", "1"): prefix + "bibliothque-de-cannes-2"})
    assert minter.mint("Initiative", "1", DAMAGED) == prefix + "1"
    # an IRI minted while the name was intact stays, even if the name is damaged later
    minter = Minter(hub, "abimes", {("initiative", "1"): prefix + "bibliotheque-de-cannes"})
    assert minter.mint("Initiative", "1", DAMAGED) == prefix + "bibliotheque-de-cannes"


def test_a_damaged_category_is_not_minted_into_a_misspelt_slug() -> None:
    assert concept_slug("D\ufffdpartement") == concept_slug("D\ufffdpartement")
    assert "partement" not in concept_slug("D\ufffdpartement")
    assert concept_slug("Département") == "departement"
