"""Mapping details the real feeds called for, checked on single records (no store, no validation)."""

from __future__ import annotations

from carrefour.vocab import Hub
from loader.feeds import Record
from loader.mapping.engine import RecordMapper
from loader.mapping.minting import Minter
from loader.partners import load_partners, partners_dir


def mapper(partner_id: str, hub: Hub) -> RecordMapper:
    spec = load_partners(partners_dir(), [partner_id])[0]
    return RecordMapper(spec, hub, Minter(hub, partner_id, {}))


def test_a_scop_is_published_as_a_scop_not_also_as_a_cooperative(hub: Hub) -> None:
    record = Record({"siren": "813275187", "denomination": "ARCADS", "famille_ess": "cooperative",
                     "categorie_juridique": "5458.0", "sources": "ess_france|sirene"}, "line 2")  # fmt: skip
    (actor,) = mapper("ess-numerique", hub).map(record).entities
    forms = {t.object.value for t in actor.triples if t.predicate == hub.term("legalForm")}
    assert forms == {hub.concept("legal-form", "scop").value}  # one legal form (sh:maxCount 1): the narrowest


def test_an_operator_named_by_a_later_record_gets_its_name(hub: Hub) -> None:
    engine = mapper("hub-lo", hub)
    first = {"gid": 1, "c_nom": "EPN A", "c_siren_site": 213702616, "c_raison_sociale": ""}
    second = {"gid": 2, "c_nom": "EPN B", "c_siren_site": 213702616, "c_raison_sociale": "COMMUNE DE TOURS"}
    operators = [engine.map(Record(fields, f"$[{n}]")).entities[-1] for n, fields in enumerate((first, second))]
    assert operators[0].iri == operators[1].iri
    names = [t.object.value for o in operators for t in o.triples if t.predicate.value == "http://schema.org/name"]
    assert names == ["Commune de Tours"]


def test_decimals_are_written_in_canonical_form(hub: Hub) -> None:
    record = Record({"gid": 3, "c_nom": "EPN C", "c_postcode": 37000, "c_city": "TOURS", "c_lat_coor1": "47.39000",
                     "c_long_coor1": "0.6890"}, "$[0]")  # fmt: skip
    (place,) = mapper("hub-lo", hub).map(record).entities
    values = {t.object.value for t in place.triples if t.predicate.value.endswith(("#lat", "#long"))}
    assert values == {"47.39", "0.689"}  # as the store keeps them: a re-harvest finds the record unchanged
