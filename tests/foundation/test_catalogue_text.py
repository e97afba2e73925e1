"""French search keys, places named in a query, the catalogue's URL state and snippets, without a server."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from carrefour.artifacts.search import MARK_END, MARK_START
from carrefour.catalogue.french import fold, index_text, keys
from carrefour.catalogue.places import find_places, place_key
from server.catalogue.query import Query, parse_query
from server.catalogue.snippets import Wanted, snippet
from server.catalogue.text import match_expression


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("tiers-lieux", "Tiers-lieu"),
        ("coopératives", "Coopérative"),
        ("emplois", "emploi"),
        ("ateliers numériques", "Atelier numérique"),
        ("locaux", "local"),
        ("bureaux", "bureau"),
        ("Épicerie des Écoles", "epicerie ecoles"),
        ("RÉEMPLOI", "réemploi"),
        ("handicapées", "handicap"),
    ],
)
def test_plurals_inflections_and_accents_share_keys(one: str, other: str) -> None:
    assert set(index_text(one).split()) & set(index_text(other).split()) == set(index_text(other).split())


def test_small_words_are_not_keys_and_compounds_are_indexed_both_ways() -> None:
    assert index_text("le tiers-lieu de la ville") == index_text("tiers lieu ville")
    assert {"fablab", "fab", "lab"} <= set(index_text("FabLab").split())
    assert {"fablab", "fab", "lab"} <= set(index_text("Fab Labs de Brest").split())
    assert keys("29") == ("29",)


def test_a_word_whose_stem_depends_on_its_accents_gets_both_keys() -> None:
    indexed = set(index_text("activité").split())
    assert set(keys("activite")) <= indexed


def test_the_query_is_quoted_words_never_fts_syntax() -> None:
    expression = match_expression(['"', "NEAR(x", "a OR b", "épicerie*"])
    assert expression is not None and "NEAR(x" not in expression and '"epicer"' in expression
    assert match_expression(["de", "la"]) is None  # only small words: nothing to search
    assert match_expression(["petaouch"]).endswith('spelled : "petaouch"*)')  # the last word may be unfinished


GAZETTEER = {
    "bretagne": [("region/53", "region")],
    "29": [("departement/29", "departement")],
    "29200": [("commune/29019", "commune")],
    "rennes": [("commune/35238", "commune")],
    "saint brieuc": [("commune/22278", "commune")],
    "nord": [("departement/59", "departement")],
    "paris": [("departement/75", "departement"), ("commune/75056", "commune")],
}


def lookup(key: str) -> list[tuple[str, str]]:
    return GAZETTEER.get(key, [])


@pytest.mark.parametrize(
    ("text", "places", "left"),
    [
        ("tiers lieux bretagne", [("region/53",)], ["tiers", "lieux"]),
        ("coworking 29", [("departement/29",)], ["coworking"]),
        ("29200", [("commune/29019",)], []),
        ("fablab St-Brieuc", [("commune/22278",)], ["fablab"]),
        ("Paris", [("departement/75",)], []),  # the larger place
        ("rennes", [], ["rennes"]),  # a word the records use: searched as a word
        ("initiative nord", [], ["initiative", "nord"]),  # a short département name the records use
    ],
)
def test_places_in_a_query(text: str, places: list[tuple[str, ...]], left: list[str]) -> None:
    found, words = find_places(text, lookup, in_use=lambda word: word in ("rennes", "nord"))
    assert [place.territories for place in found] == places
    assert words == left


def test_place_keys_fold_names() -> None:
    assert place_key("Saint-Brieuc") == place_key("ST BRIEUC") == "saint brieuc"
    assert place_key("Côtes-d'Armor") == "cotes d armor"


def test_the_url_holds_the_whole_state() -> None:
    args = MultiDict([("q", " tiers   lieux "), ("theme", "health"), ("theme", "culture"), ("territory", "region/53"),
                      ("sort", "name"), ("near", "48.11,-1.68")])  # fmt: skip
    query = parse_query(args, 2)
    assert query.text == "tiers lieux" and query.selected("theme") == ("health", "culture") and query.page == 2
    assert query.url("/search", "fr") == (
        "/search?q=tiers+lieux&theme=health&theme=culture&territory=region%2F53&sort=name&near=48.11%2C-1.68&page=2"
    )
    assert query.toggled("theme", "health").selected("theme") == ("culture",)
    assert query.toggled("theme", "health").page == 1  # a new filter starts again from the first page
    assert Query().toggled("status", "launched").url("/search", "en") == "/search?status=launched&lang=en"


@pytest.mark.parametrize(
    "args",
    [{"sort": "loudest"}, {"near": "north"}, {"near": "91,0"}, {"theme": "a b"}, {"theme": "<script>"},
     {"territory": "x" * 101}],
)  # fmt: skip
def test_malformed_views_are_refused(args: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        parse_query(MultiDict(args), 1)


def test_snippets_mark_the_words_searched_in_any_inflection() -> None:
    text = " ".join(["mot"] * 40) + " Les ateliers numériques du quartier " + " ".join(["fin"] * 40)
    cut = snippet(text, Wanted("atelier numerique"))
    assert cut.startswith("…") and cut.endswith("…")
    assert f"{MARK_START}ateliers{MARK_END} {MARK_START}numériques{MARK_END}" in cut


@given(st.text())
def test_folding_drops_exactly_the_combining_marks_of_the_decomposed_text(text: str) -> None:
    """What one translation does is what testing every character does, for any text."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe").replace("æ", "ae"))
    assert fold(text) == "".join(char for char in decomposed if not unicodedata.combining(char))
    assert fold("Œuvre Épicée à Saint-Brieuc") == "oeuvre epicee a saint-brieuc"
