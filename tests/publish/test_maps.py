"""The catalogue for people: the maps' GeoJSON, record cards, one card per real initiative, charts, the widget."""

from __future__ import annotations

import gzip

import pytest
import requests

from carrefour.vocab import Hub
from server.map_query import distance_km
from tests.publish.conftest import BundledHub, LiveServer
from tests.publish.test_html import Page, assert_nothing_injected, html

pytestmark = pytest.mark.live

LOCATED_IN = "https://w3id.org/carrefour/ontology#locatedIn"
PROPERTIES = {"name", "kind", "commune", "url", "approximate"}


def geojson(server: LiveServer | BundledHub, **params: str) -> dict:
    response = requests.get(server.url("map/data.geojson"), params=params, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/geo+json"
    return response.json()


def synthetic_in(live_server: LiveServer, region: str, partner: str) -> set[str]:
    """The synthetic initiatives of ``partner`` located in ``region``, from the data the server was given."""
    graph = Hub(live_server.base).graph("partner", partner).value
    target = live_server.url(f"territory/region/{region}")
    return {
        q.subject.value
        for q in live_server.data.quads
        if q.predicate.value == LOCATED_IN and q.object.value == target and q.graph_name.value == graph
    }


def test_the_map_data_of_a_territory_follows_the_shared_geojson_shape(live_server: LiveServer) -> None:
    expected = synthetic_in(live_server, "53", "partner-00")
    collection = geojson(live_server, territory="region/53", partner="partner-00")
    assert collection["type"] == "FeatureCollection" and collection["unplaced"] == 0
    features = collection["features"]
    assert {f["properties"]["url"] for f in features} == expected and expected
    for feature in features:
        assert set(feature["properties"]) == PROPERTIES
        assert feature["properties"]["kind"] == "initiative" and feature["properties"]["approximate"] is False
        longitude, latitude = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -4.5 <= longitude <= 7.5 and 42.5 <= latitude <= 50.5
    page = requests.get(features[0]["properties"]["url"], headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200  # each url is the record's page


def test_the_map_data_is_gzipped_cached_and_filtered(live_server: LiveServer) -> None:
    url = live_server.url("map/data.geojson")
    raw = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
    assert raw.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in raw.headers["Vary"]
    everything = requests.get(url, timeout=30).json()
    assert len(everything["features"]) > 300  # the synthetic initiatives and the hostile partner's records
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "Content-Encoding" not in plain.headers and plain.json() == everything
    again = requests.get(url, headers={"If-None-Match": raw.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    actors = geojson(live_server, kind="actor")
    assert all(f["properties"]["kind"] == "actor" for f in actors["features"]) and actors["unplaced"] > 0
    themed = geojson(live_server, theme="health", kind="initiative")
    assert 0 < len(themed["features"]) < len(everything["features"])
    brest = geojson(live_server, around="29200", radius="5")
    assert brest["around"]["name"] == "Brest"
    for feature in brest["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert distance_km((48.40, -4.50), (latitude, longitude)) < 8


@pytest.mark.parametrize(
    "params",
    [{"territory": "planet/3"}, {"kind": "robot"}, {"theme": "<b>"}, {"near": "91,0"}, {"near": "x,y"},
     {"radius": "-1", "near": "48,2"}, {"around": "Nulle-Part-sur-Rien"}, {"record": "https://example.org/x"}],
)  # fmt: skip
def test_malformed_map_filters_are_refused(live_server: LiveServer, params: dict[str, str]) -> None:
    response = requests.get(live_server.url("map/data.geojson"), params=params, timeout=10)
    assert response.status_code == 400


def test_communes_are_found_by_name_postal_code_or_code(live_server: LiveServer) -> None:
    def found(text: str) -> list[dict]:
        return requests.get(live_server.url("map/communes.json"), params={"q": text}, timeout=10).json()

    assert found("brest")[0]["code"] == "29019"
    assert found("29200")[0]["name"] == "Brest"
    assert found("saint-etienne")[0]["code"] == "42218"  # accents optional
    assert found("") == []


def test_a_territory_page_has_its_map(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.url("territory/region/53"))
    maps = [attrs for tag, attrs in page.tags if "data-geojson" in attrs]
    assert maps == [{"class": "territory-map", "data-geojson": live_server.url("map/data.geojson?territory=region/53")}]


def test_a_programme_card_gives_figures_with_units_and_french_numbers(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.url("initiative/carrefour/cap-impact"))
    text = page.all_text()
    for expected in ("Porté par", "Domaines", "Types d'accompagnement", "Étape", "Lancé", "Depuis", "2020",
                     "Chiffres clés", "9\u00a0mois", "Données", "Ce que le hub en dit"):  # fmt: skip
        assert expected in text, expected
    assert text.count("Programme de formation lancé par l'Avise") == 1  # the long description, once
    response, page = html(live_server, live_server.url("initiative/carrefour/france-relance"))
    assert "100\u202f000\u202f000\u202f000\u00a0€" in page.all_text()
    response, page = html(live_server, live_server.url("initiative/carrefour/call4team"))
    assert "33\u202f% à 50\u202f%" in page.all_text()
    response, page = html(live_server, live_server.url("initiative/carrefour/call4team"), lang="en")
    assert "33% to 50%" in page.all_text() and "Key figures" in page.all_text()


def test_technical_statements_stay_in_the_data_table(live_server: LiveServer) -> None:
    response = requests.get(live_server.hostile.xss.value, timeout=10)
    card, _, data = response.text.partition('id="section-data"')
    assert data and "Identifiant dans la source" not in card.split('id="section-twins"')[0]
    assert 'class="record-map"' in card and "Concarneau" not in card
    page = Page(response.text)
    assert_nothing_injected(page)


def test_a_record_known_to_two_partners_shows_what_each_says(bundled_hub: BundledHub) -> None:
    hub = Hub(bundled_hub.base)
    maplab = hub.iri("initiative", "maplabbzh", "konk-ar-lab")
    census = hub.iri("initiative", "ess-numerique-tierslieux", "konk-ar-lab")
    for own, other in ((maplab, census), (census, maplab)):
        response = requests.get(own, headers={"Accept": "text/html"}, timeout=30)
        assert response.status_code == 200  # each partner's record keeps its IRI
        page = Page(response.text)
        text = page.all_text()
        assert "Ce que chaque partenaire en dit" in text
        assert "#MapLabBZH" in text and "ESS Numérique" in text and "name-postcode: konk ar lab 29900" in text
        assert other in page.hrefs() and hub.iri("partner", "maplabbzh") in page.hrefs()
    together = geojson(bundled_hub, territory="commune/29039", kind="initiative")
    konk = [f for f in together["features"] if f["properties"]["name"] == "Konk Ar Lab"]
    assert len(konk) == 1 and konk[0]["properties"]["url"] == maplab  # one marker: the partner with coordinates
    both = geojson(bundled_hub, record=census)
    assert {f["properties"]["approximate"] for f in both["features"]} == {True, False}  # each partner's place


def test_a_record_without_coordinates_is_placed_at_its_communes_centre(bundled_hub: BundledHub) -> None:
    census = Hub(bundled_hub.base).iri("initiative", "ess-numerique-tierslieux", "konk-ar-lab")
    response = requests.get(census, headers={"Accept": "text/html"}, timeout=30)
    assert "Position approximative : centre de la commune." in Page(response.text).all_text()
    feature = next(f for f in geojson(bundled_hub, record=census)["features"] if f["properties"]["url"] == census)
    assert feature["properties"]["commune"] == "Concarneau" and feature["geometry"]["coordinates"] == [-3.8994, 47.8976]


def test_every_chart_has_a_reusable_json_address(live_server: LiveServer) -> None:
    regions = requests.get(live_server.url("charts/region.json"), timeout=30).json()
    assert regions["chart"] == "region" and regions["version"]
    rows = {row["key"]: row for row in regions["rows"]}
    assert rows["53"]["label"] == "Bretagne" and rows["53"]["iri"] == live_server.url("territory/region/53")
    assert rows["53"]["latitude"] and rows["53"]["count"] >= len(synthetic_in(live_server, "53", "partner-00"))
    themes = requests.get(live_server.url("charts/theme.json"), params={"lang": "en"}, timeout=30).json()
    assert any(row["label"] == "Health" for row in themes["rows"])
    history = requests.get(live_server.url("charts/history.json"), timeout=30).json()
    assert history["rows"] and history["rows"][-1]["total"] == sum(row["added"] for row in history["rows"])
    assert requests.get(live_server.url("charts/nothing.json"), timeout=10).status_code == 404
    response, page = html(live_server, live_server.url("charts/"))
    assert "/charts/partner.json" in page.hrefs() and "Bretagne" in page.all_text()


def test_the_widget_is_one_snippet_with_attribution(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.url("widget/"), territory="region/53", kind="initiative")
    snippet = next(tag for tag in page.tags if tag[0] == "textarea")
    assert snippet
    embed = live_server.url("widget/embed?territory=region%2F53&kind=initiative")
    assert f'<iframe src="{embed}"' in page.all_text()
    response, page = html(live_server, embed)
    assert "X-Frame-Options" not in response.headers  # other sites may frame it
    assert ("base", {"target": "_blank"}) in page.tags
    maps = [attrs["data-geojson"] for tag, attrs in page.tags if "data-geojson" in attrs]
    assert maps == ["/map/data.geojson?territory=region%2F53&kind=initiative"]
    text = page.all_text()
    assert "Carrefour des innovations sociales et ses partenaires" in text and "Plateforme partenaire 00" in text
    assert requests.get(live_server.url("widget/embed"), params={"theme": "<x>"}, timeout=10).status_code == 400


def test_the_france_map_file_is_written_at_publication(live_server: LiveServer) -> None:
    written_files = sorted(live_server.backend.folder.glob("**/map-france.geojson.gz"))  # beside the version's store
    assert written_files, "no map of France among the version's artifacts"
    written = gzip.decompress(written_files[-1].read_bytes())
    assert written.startswith(b'{"type":"FeatureCollection","unplaced":')
