"""The catalogue on the bundled hub: French search, combinable filters, containment, one card per initiative.

Run against the hub as ``./dev.sh serve`` publishes it (``bundled_hub``: the curated data
and every partner sample), through a real server.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
import rdflib
import requests

from carrefour.catalogue.french import fold
from tests.publish.conftest import BundledHub
from tests.publish.test_html import Page

pytestmark = pytest.mark.live

KONK = ("initiative/maplabbzh/konk-ar-lab", "initiative/ess-numerique-tierslieux/konk-ar-lab")
FIFTEEN = {
    "initiative/carrefour/dla", "initiative/carrefour/pins", "initiative/carrefour/ronalpia-implantation",
    "initiative/carrefour/fonds-i", "initiative/carrefour/cap-impact", "initiative/carrefour/ptce",
    "initiative/carrefour/communaute-emergence-acceleration", "initiative/carrefour/fabrique-a-initiatives",
    "initiative/carrefour/contrats-a-impact-social", "initiative/carrefour/labcom-destins",
    "initiative/carrefour/la-transfo", "actor/carrefour/banque-des-territoires", "actor/carrefour/fair",
    "actor/carrefour/institut-godin", "actor/carrefour/la-27e-region",
}  # fmt: skip


def catalogue(hub: BundledHub, path: str = "search", **params: Any) -> dict[str, Any]:
    response = requests.get(hub.url(path), params={**params, "format": "json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def members(hub: BundledHub, path: str = "search", **params: Any) -> set[str]:
    """Every record of every card of a view (its JSON-LD holds them all, unpaged), relative to the base."""
    response = requests.get(hub.url(path), params={**params, "format": "jsonld"}, timeout=30)
    assert response.status_code == 200, response.text
    return {member["@id"].removeprefix(hub.base) for member in response.json()["hydra:member"]}


def count(answer: dict[str, Any], facet: str, code: str) -> int:
    return next(value["count"] for value in answer["facets"][facet] if value["code"] == code)


def test_plurals_inflections_and_accents_meet(bundled_hub: BundledHub) -> None:
    totals = {text: catalogue(bundled_hub, q=text)["total"] for text in
              ("tiers-lieux", "Tiers-lieu", "tiers lieu", "TIERS LIEUX")}  # fmt: skip
    assert len(set(totals.values())) == 1 and totals["tiers-lieux"] > 50, totals
    names = [card["name"] for card in catalogue(bundled_hub, q="tiers-lieux")["results"][:10]]
    assert any("tiers-lieu" in name.lower() or "tiers lieu" in name.lower() for name in names), names
    assert catalogue(bundled_hub, q="mediatheques")["total"] == catalogue(bundled_hub, q="Médiathèque")["total"] > 3
    assert catalogue(bundled_hub, q="coopératives")["total"] == catalogue(bundled_hub, q="cooperative")["total"]


def test_places_in_the_text_become_territory_filters(bundled_hub: BundledHub) -> None:
    found = catalogue(bundled_hub, q="tiers lieux bretagne")
    assert found["places"] == [{"words": "bretagne", "territories": ["region/53"]}]
    assert found["total"] == catalogue(bundled_hub, q="tiers lieux", territory="region/53")["total"] > 5
    coworking = catalogue(bundled_hub, q="coworking 29")
    assert coworking["places"] == [{"words": "29", "territories": ["departement/29"]}]
    assert coworking["total"] == catalogue(bundled_hub, q="coworking", territory="departement/29")["total"] > 0
    brest = catalogue(bundled_hub, q="29200")
    assert brest["places"][0]["territories"] == ["commune/29019"]
    assert "initiative/maplabbzh/dedale" in {r["iri"].removeprefix(bundled_hub.base) for r in brest["results"][:5]}
    literal = catalogue(bundled_hub, q="tiers lieux bretagne", literal="1")
    assert literal["places"] == [] and literal["total"] <= found["total"]


def test_an_exact_name_comes_first(bundled_hub: BundledHub) -> None:
    for name in ("Konk Ar Lab", "Mission Locale Jeunes Hautes Alpes", "DLA", "Le tiers lieu de Sorgues"):
        first = catalogue(bundled_hub, q=name)["results"][0]
        assert first["name"].lower().replace("-", " ") == name.lower().replace("-", " ") or name in first["name"]
        assert catalogue(bundled_hub, q=name)["places"] == []  # « Hautes Alpes » stays in the name


def test_records_come_before_concepts_and_partners(bundled_hub: BundledHub) -> None:
    found = catalogue(bundled_hub, q="fablab")
    assert {card["kind"] for card in found["results"]} <= {"initiative", "programme", "actor"}
    assert {item["kind"] for item in found["see_also"]} <= {"concept", "partner", "territory"}
    assert found["see_also"], "concepts named Fab lab are listed after the records"


def test_filters_combine_and_counts_follow_them(bundled_hub: BundledHub) -> None:
    everything = catalogue(bundled_hub)
    digital = count(everything, "theme", "digital-inclusion")
    by_theme = catalogue(bundled_hub, theme="digital-inclusion")
    assert by_theme["total"] == digital
    paca = count(by_theme, "territory", "region/93")
    both = catalogue(bundled_hub, theme="digital-inclusion", territory="region/93")
    assert both["total"] == paca == count(catalogue(bundled_hub, territory="region/93"), "theme", "digital-inclusion")
    launched = count(both, "status", "launched")
    three = catalogue(bundled_hub, theme="digital-inclusion", territory="region/93", status="launched")
    assert three["total"] == launched > 0
    assert members(bundled_hub, theme="digital-inclusion", territory="region/93", status="launched") <= members(
        bundled_hub, theme="digital-inclusion"
    )
    either = catalogue(bundled_hub, theme=["digital-inclusion", "social-finance"])  # one facet: either value
    finance = count(everything, "theme", "social-finance")
    assert max(digital, finance) < either["total"] <= digital + finance
    assert count(by_theme, "theme", "social-finance") == finance  # a facet's counts follow the others' filters


def test_territories_contain_one_another(bundled_hub: BundledHub) -> None:
    brest, finistere, bretagne = (members(bundled_hub, territory=t) for t in
                                  ("commune/29019", "departement/29", "region/53"))  # fmt: skip
    assert brest < finistere < bretagne
    assert "initiative/maplabbzh/dedale" in brest and "initiative/maplabbzh/konk-ar-lab" in finistere


def test_national_programmes_appear_everywhere_regional_ones_in_their_region(bundled_hub: BundledHub) -> None:
    in_brest = members(bundled_hub, "dispositifs", territory="commune/29019")
    in_rhone = members(bundled_hub, "dispositifs", territory="departement/69")
    assert "initiative/carrefour/dla" in in_brest and "initiative/carrefour/dla" in in_rhone
    assert "initiative/carrefour/ronalpia-implantation" in in_rhone - in_brest
    lyon = catalogue(bundled_hub, "dispositifs", q="lyon")  # no programme says Lyon: the place is read as a filter
    assert lyon["places"] == [{"words": "lyon", "territories": ["commune/69123"]}]
    assert {"initiative/carrefour/ronalpia-implantation", "initiative/carrefour/dla"} <= {
        r["iri"].removeprefix(bundled_hub.base) for r in lyon["results"]
    }


def test_the_programmes_page_lists_the_fifteen_schemes(bundled_hub: BundledHub) -> None:
    programmes = members(bundled_hub, "dispositifs")
    assert programmes >= FIFTEEN
    # Beside them, the support programmes partners publish (engagement citoyen's « parcours d'accompagnement »).
    assert {iri.split("/")[1] for iri in programmes - FIFTEEN} == {"engagement-citoyen"}
    financing = members(bundled_hub, "dispositifs", support="financing")
    assert financing == {"initiative/carrefour/fonds-i", "initiative/carrefour/contrats-a-impact-social",
                         "initiative/carrefour/pins", "actor/carrefour/banque-des-territoires"}  # fmt: skip
    scaling = members(bundled_hub, "dispositifs", stage="scaling", audience="sse-organisations")
    assert "initiative/carrefour/pins" not in scaling or "initiative/carrefour/dla" in scaling
    page = Page(requests.get(bundled_hub.url("dispositifs"), params={"q": "DLA"}, timeout=30).text)
    text = page.all_text()
    for said in ("Pour qui", "Comment en bénéficier", "Coût", "Gratuit", "Durée", "De 2 mois à 2 ans", "Financé par",
                 "Banque des Territoires"):  # fmt: skip
        assert said in text, said
    english = requests.get(bundled_hub.url("dispositifs"), params={"q": "DLA", "lang": "en"}, timeout=30).text
    assert "Who for" in english and "Free of charge" in english and '<html lang="en">' in english


def test_twins_are_one_card_listing_each_partner_record(bundled_hub: BundledHub) -> None:
    found = catalogue(bundled_hub, q="Konk Ar Lab", kind="initiative")
    assert found["total"] == 1 and found["records"] == 2
    card = found["results"][0]
    assert {r["iri"].removeprefix(bundled_hub.base) for r in card["records"]} == set(KONK)
    assert {r["partner"] for r in card["records"]} == {"maplabbzh", "ess-numerique-tierslieux"}
    for record in card["records"]:
        assert requests.get(record["iri"], timeout=30).status_code == 200  # each keeps its IRI, which dereferences
    initiatives = catalogue(bundled_hub, kind="initiative")
    assert initiatives["records"] - initiatives["total"] >= 20  # the twins of the bundled data, counted once


def test_the_state_is_in_the_url(bundled_hub: BundledHub) -> None:
    url = bundled_hub.url("search")
    second = requests.get(url, params={"q": "fablab", "sort": "name", "page": 2, "format": "json"}, timeout=30).json()
    first = catalogue(bundled_hub, q="fablab", sort="name")
    assert first["sort"] == second["sort"] == "name" and second["page"] == 2
    names = [" ".join(re.findall(r"[a-z0-9]+", fold(card["name"]))) for card in first["results"]]
    assert names == sorted(names)
    assert requests.get(url, params={"sort": "loudest"}, timeout=30).status_code == 400
    assert requests.get(url, params={"theme": "a b"}, timeout=30).status_code == 400
    assert requests.get(url, params={"q": "fablab", "page": 99}, timeout=30).status_code == 404
    assert requests.get(url, params={"format": "pdf"}, timeout=30).status_code == 406
    html = requests.get(url, params={"q": "fablab", "theme": "digital-inclusion"}, timeout=30).text
    assert "theme=digital-inclusion" in html and 'aria-current="true"' in html


def test_distance_from_a_place(bundled_hub: BundledHub) -> None:
    near = catalogue(bundled_hub, q="fablab", near="48.39,-4.49", sort="distance")  # Brest
    distances = [card["distance_km"] for card in near["results"] if card["distance_km"] is not None]
    assert distances == sorted(distances) and distances[0] < 20
    assert catalogue(bundled_hub, q="fablab", sort="distance")["sort"] == "relevance"  # no point to measure from


def test_csv_one_row_per_initiative_with_a_licence_column(bundled_hub: BundledHub) -> None:
    response = requests.get(bundled_hub.url("search"), params={"q": "Konk Ar Lab", "format": "csv"}, timeout=30)
    assert response.headers["Content-Type"].startswith("text/csv") and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == catalogue(bundled_hub, q="Konk Ar Lab")["total"]
    initiative = next(row for row in rows if row["kind"] == "initiative")
    assert sorted(initiative["records"].split()) == sorted(bundled_hub.url(path) for path in KONK)
    assert initiative["commune"] == "Concarneau" and initiative["region"] == "Bretagne"
    assert "creativecommons.org/licenses/by/4.0" in initiative["licence"] and "MIT" in initiative["licence"]
    everything = requests.get(bundled_hub.url("search"), params={"format": "csv"}, timeout=30)
    assert len(everything.content.decode("utf-8-sig").splitlines()) - 1 >= catalogue(bundled_hub)["total"]


def test_geojson_follows_the_map_contract(bundled_hub: BundledHub) -> None:
    response = requests.get(bundled_hub.url("search"), params={"q": "tiers lieux", "format": "geojson"}, timeout=30)
    assert response.headers["Content-Type"] == "application/geo+json"
    collection = response.json()
    total = catalogue(bundled_hub, q="tiers lieux")["total"]
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) + collection["unplaced"] == total
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
        assert {"name", "kind", "commune", "url", "approximate"} <= feature["properties"].keys()
        assert feature["properties"]["kind"] in ("initiative", "programme", "actor")
    assert any(f["properties"]["approximate"] for f in collection["features"])  # placed at its commune
    assert not all(f["properties"]["approximate"] for f in collection["features"])


def test_jsonld_is_linked_data_with_twins_tied(bundled_hub: BundledHub) -> None:
    response = requests.get(bundled_hub.url("search"), params={"q": "Konk Ar Lab", "format": "jsonld"}, timeout=30)
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    same = rdflib.URIRef("http://www.w3.org/2002/07/owl#sameAs")
    assert (rdflib.URIRef(bundled_hub.url(KONK[0])), same, rdflib.URIRef(bundled_hub.url(KONK[1]))) in graph
    page = requests.get(bundled_hub.url("search"), params={"q": "Konk Ar Lab"}, timeout=30)
    assert 'rel="alternate"; type="application/ld+json"' in page.headers["Link"]
    assert 'type="text/csv"' in page.headers["Link"] and 'type="application/geo+json"' in page.headers["Link"]


def test_the_page_holds_the_map_placeholder_and_an_accessible_list(bundled_hub: BundledHub) -> None:
    html = requests.get(bundled_hub.url("search"), params={"q": "tiers lieux bretagne"}, timeout=30).text
    placeholder = html.index('<div id="catalogue-map" data-geojson="')
    assert placeholder < html.index('<ol class="search-results')
    geojson_url = html[placeholder:].split('data-geojson="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert requests.get(bundled_hub.url(geojson_url), timeout=30).json()["type"] == "FeatureCollection"
    page = Page(html)
    labelled = {attrs.get("for") for tag, attrs in page.tags if tag == "label"}
    fields = {
        attrs.get("id") for tag, attrs in page.tags if tag in ("input", "select") and attrs.get("type") != "hidden"
    }
    assert fields <= labelled, fields - labelled


def test_english_catalogue(bundled_hub: BundledHub) -> None:
    html = requests.get(bundled_hub.url("search"), params={"theme": "digital-inclusion", "lang": "en"}, timeout=30).text
    assert '<html lang="en">' in html and "Digital inclusion" in html and "Domain" in html
    assert 'href="/search?theme=digital-inclusion"' in html  # the other language keeps the filters


@pytest.mark.parametrize("path", ["search", "dispositifs"])
def test_json_answers_are_json(bundled_hub: BundledHub, path: str) -> None:
    answer = requests.get(bundled_hub.url(path), headers={"Accept": "application/json"}, timeout=30)
    assert answer.headers["Content-Type"].startswith("application/json") and json.loads(answer.text)["total"] > 0


def test_the_dumps_page_offers_a_csv_per_partner(bundled_hub: BundledHub) -> None:
    html = requests.get(bundled_hub.url("dumps/"), headers={"Accept": "text/html"}, timeout=30).text
    assert 'href="/search?partner=maplabbzh&amp;format=csv"' in html and "partner=curated" in html
    rows = requests.get(bundled_hub.url("search"), params={"partner": "maplabbzh", "format": "csv"}, timeout=30)
    table = list(csv.DictReader(io.StringIO(rows.content.decode("utf-8-sig"))))
    assert len(table) == catalogue(bundled_hub, partner="maplabbzh")["total"] > 20
    assert all("creativecommons.org/licenses/by/4.0" in row["licence"] for row in table)


def test_browsing_leads_to_the_catalogue(bundled_hub: BundledHub) -> None:
    html = requests.get(bundled_hub.url("browse/region"), timeout=30).text
    assert 'href="/search?territory=region%2F53"' in html
    bretagne = catalogue(bundled_hub, territory="region/53")
    assert bretagne["records"] > bretagne["total"] > 20  # Konk Ar Lab and the other twins: one card each


def test_the_home_page_opens_the_catalogue(bundled_hub: BundledHub) -> None:
    html = requests.get(bundled_hub.url(""), timeout=30).text
    assert 'href="/search"' in html and 'href="/dispositifs"' in html and "Trouver" in html
