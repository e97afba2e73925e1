"""A partner's own taxonomy is published as it is judged: validated with its records, one preferred label each."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from carrefour.vocab import SKOS, Hub
from loader.harvest import PartnerHarvest, harvest_partner
from loader.validation import Validator
from tests.harvest.conftest import fast_settings, partner

PARTNER = """
id = "lieux"
name = "Lieux"
homepage = "https://lieux.example.org/"
licence = "CC0-1.0"
[feed]
format = "json"
source = "{source}"
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = "nom"
address = {{ postal_code = "cp", city = "ville", latitude = "lat", longitude = "lon" }}
categories = [{{ from = "type", taxonomy = "type" }}]
[taxonomy.type.concepts]
Autre = {{ label = {{ fr = "", en = "Other" }} }}
"""
# Two spellings of one category (as in Région Sud's feed): the same slug, so the same concept.
SPELLINGS = ("Tiers-lieu / Hackerspace / Organisme de formations", "Tiers-lieu / Hackerspace/ Organisme de formations")
RECORDS = [
    {"id": "1", "nom": "Atelier A", "cp": "29200", "ville": "Brest", "lat": 48.39, "lon": -4.48, "type": SPELLINGS[0]},
    {"id": "2", "nom": "Atelier B", "cp": "29200", "ville": "Brest", "lat": 48.39, "lon": -4.48, "type": SPELLINGS[1]},
    {"id": "3", "nom": "Atelier C", "cp": "29200", "ville": "Brest", "lat": 48.39, "lon": -4.48, "type": "Autre"},
]  # fmt: skip


@pytest.fixture(scope="module")
def harvested(hub: Hub, validator: Validator, tmp_path_factory: pytest.TempPathFactory) -> PartnerHarvest:
    folder = tmp_path_factory.mktemp("taxonomy")
    (folder / "feed.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    spec = partner(PARTNER.format(source=folder / "feed.json"))
    return harvest_partner(spec, None, hub, validator, fast_settings(), folder / "cache", salt="")


def values(triples: list[ox.Triple], subject: ox.NamedNode, local: str) -> set[tuple[str, str | None]]:
    predicate = ox.NamedNode(SKOS + local)
    return {(t.object.value, t.object.language) for t in triples if t.subject == subject and t.predicate == predicate}


def test_two_spellings_minted_to_one_concept_keep_one_preferred_label(harvested: PartnerHarvest, hub: Hub) -> None:
    concept = hub.node("taxonomy", "lieux", "type", "tiers-lieu-hackerspace-organisme-de-formations")
    assert values(harvested.taxonomy, concept, "prefLabel") == {(SPELLINGS[0], "fr")}
    assert values(harvested.taxonomy, concept, "altLabel") == {(SPELLINGS[1], "fr")}
    assert values(harvested.taxonomy, concept, "notation") == {(spelling, None) for spelling in SPELLINGS}
    categories = {t.subject.value for t in harvested.content if t.object == concept}
    assert categories == {hub.iri("initiative", "lieux", "atelier-a"), hub.iri("initiative", "lieux", "atelier-b")}
    assert not [f for f in harvested.report.findings if f.focus == concept.value]


def test_a_concept_breaking_the_shapes_is_rejected_like_a_record(harvested: PartnerHarvest, hub: Hub) -> None:
    concept = hub.node("taxonomy", "lieux", "type", "autre")
    (finding,) = [f for f in harvested.report.violations if f.focus == concept.value]
    assert finding.shape == hub.vocabulary + "shapes#Concept-prefLabel"
    assert concept.value in harvested.rejected
    assert not [t for t in harvested.taxonomy if concept in (t.subject, t.object)]
    assert not [t for t in harvested.content if t.object == concept]  # the record stays, without the link
    assert hub.iri("initiative", "lieux", "atelier-c") not in harvested.rejected
