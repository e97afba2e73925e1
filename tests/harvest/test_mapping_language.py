"""The mapping language's features the seven later partners called for, on single records of their feeds.

Projected coordinates with decimal commas, several coordinate pairs with a preference, ``[lat, lon]``
lists, language maps in Dutch, recurrence rules, records that are territories, placeholder records,
wildcard field paths, optional placeholders, value maps, headerless CSV, and the line of a mistake.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.errors import ConfigError
from carrefour.vocab import GEO, SCHEMA, Hub
from loader.feeds import FeedSpec, Record
from loader.feeds.csv_reader import read_csv
from loader.mapping.engine import MappedEntity, RecordMapper
from loader.mapping.minting import Minter
from loader.partners import load_partner, load_partners, partners_dir

PARTNERS = Path(__file__).resolve().parents[2] / "partners"


def mapper(partner_id: str, hub: Hub) -> RecordMapper:
    spec = load_partners(partners_dir(), [partner_id])[0]
    return RecordMapper(spec, hub, Minter(hub, partner_id, {}))


def values(entity: MappedEntity, prop: str) -> list[ox.NamedNode | ox.Literal]:
    return [t.object for t in entity.triples if t.predicate.value == prop]


def point(entity: MappedEntity) -> tuple[float, float]:
    (lat,), (lon,) = values(entity, GEO + "lat"), values(entity, GEO + "long")
    return float(lat.value), float(lon.value)


def test_lambert_93_with_decimal_commas_is_reprojected_to_wgs84(hub: Hub) -> None:
    fields = {"ID_LieuMed": "LMN008", "NOM_STRUCTURE": "AMIA", "N°": 20, "ADRESSE": "rue Armand Quenard", "CP": 49650,
              "COMMUNE": "Allonnes", "x": "475198,121680863", "y": "6692424,50691385"}  # fmt: skip
    record = Record(fields, "$[0]")
    (place,) = mapper("maine-et-loire", hub).map(record).entities
    latitude, longitude = point(place)
    assert latitude == pytest.approx(47.2940, abs=1e-4) and longitude == pytest.approx(0.0247, abs=1e-4)  # Allonnes
    assert [v.value for v in values(place, SCHEMA + "streetAddress")] == ["20 rue Armand Quenard"]
    assert hub.node("territory", "commune", "49002") in values(place, hub.term("locatedIn").value)


def test_the_preferred_pair_of_coordinates_wins_and_an_empty_one_is_passed_over(hub: Hub) -> None:
    engine = mapper("ultranum", hub)
    both = {"Nom de l'organisation": "EPN A", "Code postal": 97490, "Ville": "SAINTE CLOTILDE",
            "latitude": -20.9, "longitude": 55.5, "Latitude": "-21.0", "Longitude": "55.6"}  # fmt: skip
    assert point(engine.map(Record(both, "$[0]")).entities[0]) == (-20.9, 55.5)
    second = {**both, "Nom de l'organisation": "EPN B", "latitude": "", "longitude": ""}
    assert point(engine.map(Record(second, "$[1]")).entities[0]) == (-21.0, 55.6)


def test_a_latitude_with_its_longitude_leaked_in_falls_back_to_the_other_pair(hub: Hub) -> None:
    record = Record({"Structure": "A Prova", "Adresse": "Lieu-dit 20250 CORTE", "Type": "Association",
                     "lat": "41.93414,8", "long": 8.7555, "pointgeo": "41.93414,8.75550"}, "$[83]")  # fmt: skip
    mapped = mapper("corse", hub).map(record)
    assert point(mapped.entities[0]) == (41.93414, 8.7555)
    assert any(note.startswith("coordinates taken from pointgeo") for note in mapped.notes), mapped.notes


def test_lat_lon_lists_dutch_language_maps_and_recurrence_rules(hub: Hub) -> None:
    record = Record({
        "name": "Repair Café Oost", "slug": "rc-oost", "address": "Dapperstraat 76", "district": "Oost",
        "coordinate": [52.3634, 4.9273], "doRepair": {"nl": "Fietsen", "en": "Bikes"},
        "rrule": ["FREQ=MONTHLY;BYDAY=1WE,2WE,-1SA", "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2", "FREQ=HOURLY"],
        "startTime": ["14:00", "10:30"], "endTime": ["16:30", "12:00"], "exceptions": ["2025-07-16"],
    }, "$[0]")  # fmt: skip
    mapped = mapper("repaircafes-amsterdam", hub).map(record)
    (cafe,) = mapped.entities
    assert point(cafe) == (52.3634, 4.9273)  # [latitude, longitude], not GeoJSON's order
    assert not values(cafe, hub.term("locatedIn").value)  # in the Netherlands: no French territory
    assert {(v.value, v.language) for v in values(cafe, SCHEMA + "description")} == {("Fietsen", "nl"), ("Bikes", "en")}
    nodes = values(cafe, SCHEMA + "eventSchedule")
    assert [n.value.rsplit("#", 1)[1] for n in nodes] == ["schedule-1", "schedule-2", "schedule-3"]
    described = {(t.subject.value.rsplit("#", 1)[1], t.predicate.value.rsplit("/", 1)[1], t.object.value)
                 for t in cafe.triples if "#schedule" in t.subject.value}  # fmt: skip
    assert {("schedule-1", "byDay", SCHEMA + "Wednesday"), ("schedule-1", "byMonthWeek", "1"),
            ("schedule-1", "byMonthWeek", "2"), ("schedule-2", "byDay", SCHEMA + "Saturday"),
            ("schedule-2", "byMonthWeek", "-1"), ("schedule-1", "repeatFrequency", "P1M"),
            ("schedule-1", "startTime", "14:00:00"), ("schedule-1", "endTime", "16:30:00"),
            ("schedule-3", "repeatFrequency", "P2W"), ("schedule-3", "startTime", "10:30:00"),
            ("schedule-1", "exceptDate", "2025-07-16"),
            ("schedule-3", "scheduleTimezone", "Europe/Amsterdam")} <= described  # fmt: skip
    assert ("schedule-2", "byMonthWeek", "1") not in described  # the weeks of each weekday stay its own
    assert any("FREQ=HOURLY" in note for note in mapped.notes)  # a rule schema.org cannot say is reported


def test_territories_are_linked_to_their_programme_which_is_not_an_initiative_per_row(hub: Hub) -> None:
    engine = mapper("engagement-citoyen", hub)
    rows = [("ai-1", "34164", "Montaud", "commune", "AI"), ("ai-2", "64", "Pyrénées-Atlantiques", "departement", "AI"),
            ("ai-3", "84", "Auvergne-Rhône-Alpes", "region", "AI"),
            ("ai-4", "200040293", "CC du Clunisois", "epci", "AI"),
            ("cco-1", "33318", "Mérignac", "commune", "CCO")]  # fmt: skip
    keys = ("id_engcit", "codgeo", "libgeo", "echelon", "Dispositif")
    mapped = [engine.map(Record(dict(zip(keys, row, strict=True)), f"line {n}")) for n, row in enumerate(rows, 2)]
    programmes = {e.iri for m in mapped for e in m.entities if e.type == "SupportProgramme"}
    assert len(programmes) == 2  # AI and CCO: five rows, two resources
    ai = [e for m in mapped[:4] for e in m.entities if e.type == "SupportProgramme"]
    served = {v.value for e in ai for v in values(e, hub.term("areaServed").value)}
    assert served == {hub.iri("territory", *path) for path in (("commune", "34164"), ("departement", "64"),
                                                               ("region", "84"))}  # fmt: skip
    (epci,) = [e for e in mapped[3].entities if e.type == "Actor" and e.key.startswith("siren:")]
    assert [v.value for v in values(epci, hub.term("siren").value)] == ["200040293"]
    assert ox.NamedNode(epci.iri) in {v for e in ai for v in values(e, hub.term("supports").value)}
    assert not any(m.notes for m in mapped)


def test_a_placeholder_record_is_refused_with_a_reason_not_as_personal_data(hub: Hub) -> None:
    record = Record({"id": 7, "raison_sociale": "0", "commune_insee": "0", "siret": "null"}, "$[6]")
    mapped = mapper("conseillers-numeriques", hub).map(record)
    assert mapped.refused == "placeholder record: no name, no SIRET, a fallback geocode (raison_sociale = '0')"
    assert not mapped.personal_data and not mapped.entities


def test_wildcard_paths_gather_every_matching_column(hub: Hub) -> None:
    record = Record({"Nom de l'organisation": "EPN A", "Code postal": 97490, "Tag 1": "", "Tag 2": "Utiliser Internet",
                     "Tag 17": "Réaliser et Diffuser son CV"}, "$[0]")  # fmt: skip
    place = mapper("ultranum", hub).map(record).entities[0]
    categories = {v.value.rsplit("/", 1)[1] for v in values(place, hub.term("partnerCategory").value)}
    assert categories == {"utiliser-internet", "realiser-et-diffuser-son-cv"}
    assert hub.concept("theme", "employment") in values(place, hub.term("theme").value)


def test_value_maps_name_a_programme_after_its_code(hub: Hub) -> None:
    record = Record({"id_engcit": "pptde-1", "codgeo": "06", "echelon": "departement", "Dispositif": "PPTDE"}, "line 2")
    (programme, _) = mapper("engagement-citoyen", hub).map(record).entities
    assert [v.value for v in values(programme, SCHEMA + "name")] == ["Projets partagés des Territoires d'engagement"]


def test_a_csv_without_a_header_line_reads_with_declared_columns(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("1,Centre social A,Lyon\n2,Centre social B,Brest\n", encoding="utf-8")
    spec = FeedSpec.from_table({"format": "csv", "source": str(path), "columns": ["id", "nom", "ville"]})
    records = list(read_csv(spec, path, "rows.csv"))
    assert [r.fields for r in records] == [{"id": "1", "nom": "Centre social A", "ville": "Lyon"},
                                           {"id": "2", "nom": "Centre social B", "ville": "Brest"}]  # fmt: skip
    assert records[0].origin == "line 1"
    with pytest.raises(ConfigError, match="each once"):
        FeedSpec.from_table({"format": "csv", "source": str(path), "columns": ["id", "id"]})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"first_line", "title_case_if_upper"', '"first_lines", "title_case_if_upper"',
         r":33: entity 'hosting' address.street: unknown transform 'first_lines' \(did you mean 'first_line'\?\)"),
        ('"cf:siret", from', '"cf:siert", from', r":35: entity 'hosting' field #1: unknown vocabulary term cf:siert"),
        ('format = "json"', 'format = "json"\nrecord = ""', r":12: \[feed\]: unknown option 'record' for format json"),
        ('"zrr-{zrr}", taxonomy = "labels"', '"zrr-{zrr}", taxonomy = "label"',
         r":29: entity 'hosting' category #3: unknown taxonomy 'label'.*\(declared: type, labels\)"),
        ('broad = ["audience/rural-residents"]', 'broad = ["audience/rural"]',
         r":60: \[taxonomy.labels\] concept 'zrr-oui': unknown common concept 'audience/rural'"),
    ],
)  # fmt: skip
def test_partners_check_names_the_line_and_what_was_expected(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = (PARTNERS / "conseillers-numeriques.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "conseillers-numeriques.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_partner(path)


def test_a_projection_proj_does_not_know_is_refused_before_reading(tmp_path: Path) -> None:
    text = (PARTNERS / "maine-et-loire.toml").read_text(encoding="utf-8").replace("EPSG:2154", "EPSG:99999")
    path = tmp_path / "maine-et-loire.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"maine-et-loire.toml:\d+: .*crs 'EPSG:99999' is no coordinate reference"):
        load_partner(path)
