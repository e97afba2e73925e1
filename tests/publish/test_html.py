"""HTML pages for people: partner text escaped everywhere, French first, English on request."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
import requests

from tests.publish.conftest import LiveServer
from tests.publish.hostile import BIG_ACTOR_ITEMS, BREAKOUT, IMG_PROBE, JAVASCRIPT_URL, SCRIPT_NAME

pytestmark = pytest.mark.live

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HUB_SCRIPT = "/static/map/catalogue-map.js"


class Page(HTMLParser):
    """The tags, attributes, script contents and text of a page, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return " ".join(self.text)

    def hrefs(self) -> list[str]:
        return [attrs["href"] or "" for tag, attrs in self.tags if "href" in attrs]


def html(live_server: LiveServer, url: str, **params: str) -> tuple[requests.Response, Page]:
    response = requests.get(url, params=params, headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response, Page(response.text)


def assert_nothing_injected(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag not in ("img", "b", "i"), f"partner markup became a <{tag}> element"
        assert not any(name.startswith("on") for name in attrs), f"an event handler attribute on <{tag}>"
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), "a javascript: link"
    for attrs, _ in page.scripts:  # the embedded summary, and the hub's own map component
        assert attrs.get("type") == "application/ld+json" or attrs.get("src") == HUB_SCRIPT, attrs


def test_hostile_partner_text_is_shown_as_text_never_as_markup(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.hostile.xss.value)
    assert_nothing_injected(page)
    text = page.all_text()
    assert SCRIPT_NAME in text  # shown, as text
    assert BREAKOUT in text and IMG_PROBE in text
    assert JAVASCRIPT_URL in text  # the partner's URL is shown, not linked
    assert JAVASCRIPT_URL not in page.hrefs()
    assert "Partenaire <i>hostile</i>" in text


def test_the_embedded_schema_org_cannot_be_broken_out_of(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.hostile.xss.value)
    (attrs, script), = [s for s in page.scripts if s[0].get("type") == "application/ld+json"]  # fmt: skip
    assert "</" not in script and "<" not in script  # so no "</script>" in partner text can end it
    data = json.loads(script)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Project"
    assert data["@id"] == live_server.hostile.xss.value
    assert data["name"] == SCRIPT_NAME
    assert BREAKOUT in data["description"]
    assert data["address"]["addressLocality"].endswith(BREAKOUT)
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 48.390394, "longitude": -4.486076}
    assert data["keywords"] == "Transition alimentaire"
    assert data["parentOrganization"][0]["name"] == "Grand réseau des ateliers"
    assert data["funder"] == [{"@type": "Organization", "@id": live_server.hostile.funder.value,
                               "name": "Fondation des communs"}]  # fmt: skip
    assert "url" not in data  # a javascript: URL is not given to search engines either
    assert data["subjectOf"][0]["license"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def test_a_resource_page_shows_labels_address_map_themes_carriers_and_provenance(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.hostile.xss.value)
    text = page.all_text()
    for expected in ("Transition alimentaire", "Grand réseau des ateliers", "Bretagne", "Café réparation",
                     "29200 Brest", "porté par", "domaine", "Provenance", "1er mars 2025 à 08:05 UTC"):  # fmt: skip
        assert expected in text, expected
    hrefs = page.hrefs()
    assert live_server.hostile.big_actor.value in hrefs
    assert live_server.url("concept/theme/food-transition") in hrefs
    assert "https://www.openstreetmap.org/?mlat=48.390394&mlon=-4.486076#map=16/48.390394/-4.486076" in hrefs
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in hrefs  # the partner's licence
    assert "#address" in hrefs  # the fragment node is a section of the page
    assert ("section", {"class": "node", "id": "address"}) in page.tags
    for tag, attrs in page.tags:  # no asset from elsewhere
        if tag in ("link", "script", "img") and (attrs.get("href") or attrs.get("src")):
            assert (attrs.get("href") or attrs.get("src") or "").startswith(("/", live_server.base)), attrs


def test_french_first_english_on_request(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.hostile.xss.value)
    assert ("html", {"lang": "fr"}) in page.tags
    assert "Ce que le hub en dit" in page.all_text()
    assert f"{live_server.hostile.xss.value}?lang=en" in page.hrefs()
    response, page = html(live_server, live_server.hostile.xss.value, lang="en")
    assert ("html", {"lang": "en"}) in page.tags
    text = page.all_text()
    assert "What the hub says" in text and "carried by" in text and "Food transition" in text
    assert "School grocery <b>bold</b>" in text  # the English name is the title
    assert f"{live_server.hostile.big_actor.value}?lang=en" in page.hrefs()  # links stay in English
    assert response.headers["Content-Location"] == live_server.hostile.xss.value + ".html?lang=en"


def test_the_validation_report_page_is_readable_by_the_partner(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.hostile.report.value)
    assert_nothing_injected(page)
    text = page.all_text()
    assert "Rapport de validation" in text
    assert "Des fiches enfreignent des règles" in text
    assert "Erreur" in text and "Avertissement" in text
    assert f"<b>{IMG_PROBE}</b>" in text  # the offending value, as text
    # a rejected record was never published: named, not linked (a link would answer 404)
    assert not any("code-faux" in href for href in page.hrefs()) and "non publiée" in text
    assert any(href.startswith(live_server.url("initiative/hostile/atelier-")) for href in page.hrefs())
    assert any(href.startswith(live_server.url("shapes#")) for href in page.hrefs())
    rows = [attrs for tag, attrs in page.tags if tag == "tr" and (attrs.get("class") or "").startswith("severity-")]
    assert len(rows) == 50  # one page of results
    assert f"{live_server.hostile.report.value}?page=2" in page.hrefs()
    _, english = html(live_server, live_server.hostile.report.value, lang="en")
    assert "Validation report" in english.all_text() and "Error" in english.all_text()
    assert any(h.startswith(live_server.url("initiative/hostile/atelier-")) and h.endswith("?lang=en")
               for h in english.hrefs())  # fmt: skip


def test_the_vocabulary_document_has_an_anchor_per_term(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.url("ontology"))
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert {"Initiative", "Actor", "carriedBy", "theme"} <= ids
    response, page = html(live_server, live_server.url("shapes"))
    assert "InitiativeShape" in {attrs.get("id") for _, attrs in page.tags}
    assert "( schema:location geo:lat )" in page.all_text()  # an RDF list, written as one


def test_the_home_page_counts_per_partner_theme_and_region(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.base)
    text = page.all_text()
    assert "Par partenaire" in text and "Par domaine" in text and "Par région" in text
    types = {t.subject.value: t.object.value for t in live_server.hostile.records() if t.predicate.value == RDF_TYPE}
    initiatives = sum(1 for iri, kind in types.items() if "#" not in iri and kind.endswith("#Initiative"))
    actors = sum(1 for iri, kind in types.items() if "#" not in iri and kind.endswith("#Actor"))
    assert (initiatives, actors) == (BIG_ACTOR_ITEMS + 1, 2)  # the items, the initiative with hostile text; two actors
    counted = f"Partenaire <i>hostile</i> — {initiatives} initiatives, {actors} acteurs"  # never added up
    assert counted in " ".join(text.split())
    assert live_server.url("partner/hostile") in page.hrefs()
    assert live_server.url("concept/theme/digital-inclusion") in page.hrefs()
    assert_nothing_injected(page)


def test_browsing_by_facet_is_paged_and_links_to_each_value(live_server: LiveServer) -> None:
    response, page = html(live_server, live_server.url("browse/"))
    text = page.all_text()
    for heading in ("Domaines", "Régions", "Départements", "Types d'acteurs", "Partenaires"):
        assert heading in text
    response, page = html(live_server, live_server.url("browse/departement"))
    links = [href for href in page.hrefs() if href.startswith(live_server.url("territory/departement/"))]
    assert len(links) == 50  # a page
    assert "/browse/departement?page=2" in page.hrefs()
    second = requests.get(live_server.url("browse/departement"), params={"page": 2}, timeout=10)
    assert second.status_code == 200
    assert requests.get(live_server.url("browse/departement"), params={"page": 99}, timeout=10).status_code == 404
    assert requests.get(live_server.url("browse/colour"), timeout=10).status_code == 404
    response, page = html(live_server, live_server.url("browse/partner"))
    assert live_server.url("partner/hostile") in page.hrefs()


def test_the_style_sheet_is_served_here_with_caching(live_server: LiveServer) -> None:
    response = requests.get(live_server.url("static/style.css"), timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")
    assert "max-age" in response.headers["Cache-Control"]
    assert "http" not in response.text  # no font, image or import from elsewhere
