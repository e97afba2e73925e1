"""The catalogue's pieces on their own: figures in words, territory centres, map filters, one marker per initiative."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from carrefour.centres import centre, find_communes
from carrefour.map_features import feature_collection
from carrefour.vocab import Hub
from server.map_query import distance_km, parse_query
from server.record_card import figure_text

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("low", "high", "exact", "unit", "lang", "text"),
    [
        (None, None, "9", "mois", "fr", f"9{NBSP}mois"),
        ("2", "24", None, "mois", "fr", f"2 à 24{NBSP}mois"),
        ("2", "24", None, "months", "en", f"2 to 24{NBSP}months"),
        (None, None, "6000000", "EUR", "fr", f"6{NNBSP}000{NNBSP}000{NBSP}€"),
        (None, None, "6000000", "EUR", "en", "€6,000,000"),
        ("33", "50", None, "%", "fr", f"33{NNBSP}% à 50{NNBSP}%"),
        ("200", None, None, "personnes", "fr", f"au moins 200{NBSP}personnes"),
        (None, "12", None, "", "en", "at most 12"),
        (None, None, "2.5", "", "fr", "2,5"),
    ],
)
def test_key_figures_are_written_as_people_say_them(
    low: str | None, high: str | None, exact: str | None, unit: str, lang: str, text: str
) -> None:
    assert figure_text(low, high, exact, unit, lang) == text


def test_every_commune_region_and_departement_has_a_centre() -> None:
    brest = centre("commune", "29019")
    assert brest is not None and brest.name == "Brest" and brest.departement == "29" and brest.region == "53"
    assert 48.3 < brest.latitude < 48.5 and -4.6 < brest.longitude < -4.4
    paris_5 = centre("commune", "75105")  # an arrondissement: its city's centre
    assert paris_5 is not None and abs(paris_5.latitude - 48.86) < 0.1
    assert centre("region", "53") and centre("departement", "2A") and centre("departement", "974")


def test_communes_are_found_as_visitors_type_them() -> None:
    assert [p.code for p in find_communes("BREST")][:1] == ["29019"]
    assert [p.code for p in find_communes("13001")] == ["13201", "13055", "13001"]  # postal codes, then INSEE
    assert find_communes("Saint-Étienne")[0].code == "42218"
    assert all(p.name.startswith("Saint-Mal") for p in find_communes("saint mal"))
    assert find_communes("") == [] and find_communes("?!") == []


def test_map_filters_parse_or_refuse() -> None:
    query = parse_query(MultiDict([("territory", "region/53"), ("kind", "initiative"), ("theme", "health")]))
    assert query.territories == (("region", "53"),) and query.kinds == ("initiative", "programme")
    row = {"kind": "programme", "region": "53", "theme": ["health", "housing"]}
    assert query.matches(row) and not query.matches({**row, "region": "11"})
    assert parse_query(MultiDict()).empty
    near = parse_query(MultiDict([("around", "29200"), ("radius", "5")]))
    assert near.around == "Brest" and near.matches({"kind": "actor", "lat": 48.39, "lon": -4.49})
    assert not near.matches({"kind": "actor", "lat": 48.0, "lon": -4.1})
    for bad in ({"territory": "../x"}, {"kind": "x"}, {"near": "1"}, {"radius": "1e9", "near": "1,1"}):
        with pytest.raises(BadRequest):
            parse_query(MultiDict(bad))
    assert 500 < distance_km((48.39, -4.49), (48.86, 2.35)) < 510  # Brest to Paris, as the crow flies


def test_twins_are_one_marker_and_the_unplaced_are_counted() -> None:
    hub = Hub("http://127.0.0.1:8080/")
    a, b = hub.iri("initiative", "p1", "x"), hub.iri("initiative", "p2", "x")
    rows = [
        {"iri": a, "kind": "initiative", "name": "X", "lat": 47.9, "lon": -3.9, "approximate": True, "twins": [b]},
        {"iri": b, "kind": "initiative", "name": "X", "lat": 47.88, "lon": -3.91, "twins": [a]},
        {"iri": hub.iri("actor", "p1", "y"), "kind": "actor", "name": "Y"},
    ]
    collection = feature_collection(rows, hub, "fr")
    assert collection["unplaced"] == 1
    ((feature),) = collection["features"]
    assert feature["properties"]["url"] == b and feature["properties"]["approximate"] is False
    assert len(feature_collection(rows, hub, "fr", merge_twins=False)["features"]) == 2
