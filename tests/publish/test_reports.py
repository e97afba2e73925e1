"""Validation reports on the web say what `carrefour report` says, and every page that should links to them."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
import rdflib
import requests

from carrefour.vocab import VOCABULARY
from loader.partners import load_partners, partners_dir
from tests.publish.conftest import BundledHub
from tests.support.served import carrefour

pytestmark = pytest.mark.live

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
PARTNERS = [spec.id for spec in load_partners(partners_dir())]


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def hrefs(url: str, **params: str) -> list[str]:
    response = requests.get(url, params=params, timeout=10)
    assert response.status_code == 200, url
    parser = Hrefs()
    parser.feed(response.text)
    return parser.hrefs


def cli_report(hub: BundledHub, partner: str) -> dict:
    return json.loads(carrefour(hub.store_dir, hub.base, "report", partner, "--json"))


def turtle(url: str) -> rdflib.Graph:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200, url
    return rdflib.Graph().parse(data=response.text, format="turtle")


def rejected_on_the_web(graph: rdflib.Graph) -> set[str]:
    """The records a published report says were not published: the focus of each violation, by record."""
    return {str(graph.value(r, SH.focusNode)).split("#")[0] for r in graph.subjects(SH.resultSeverity, SH.Violation)}


@pytest.mark.parametrize("partner", PARTNERS)
def test_the_web_report_and_the_harvest_say_what_the_command_says(bundled_hub: BundledHub, partner: str) -> None:
    document = cli_report(bundled_hub, partner)
    report = bundled_hub.url(f"report/{partner}")
    graph = turtle(report)
    assert len(rejected_on_the_web(graph)) == document["counts"]["rejected"], graph.serialize(format="turtle")
    harvest = graph.value(rdflib.URIRef(report), rdflib.URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    assert str(harvest).startswith(bundled_hub.url(f"harvest/{partner}/"))
    rejected = turtle(str(harvest)).value(harvest, rdflib.URIRef(VOCABULARY + "ontology#recordsRejected"))
    read = turtle(str(harvest)).value(harvest, rdflib.URIRef(VOCABULARY + "ontology#recordsRead"))
    assert int(rejected) == document["counts"]["rejected"] and int(read) == document["counts"]["read"]


def test_a_refused_row_is_in_the_web_report_as_in_the_command(bundled_hub: BundledHub) -> None:
    refused = [p for p in cli_report(bundled_hub, "regionsud")["problems"] if p["kind"] == "refused"]
    assert refused, "the regionsud sample has a row shifted by a broken quote"
    page = requests.get(bundled_hub.url("report/regionsud"), timeout=10).text
    for problem in refused:
        assert problem["origin"] in page and problem["message"].split(" (")[0] in page
    assert "Des fiches enfreignent des règles" in page and "non publiée" in page


def test_reports_are_linked_from_the_home_the_partner_and_the_harvest_pages(bundled_hub: BundledHub) -> None:
    report = bundled_hub.url("report/regionsud")
    assert report in hrefs(bundled_hub.base) and bundled_hub.url("report/curated") in hrefs(bundled_hub.base)
    assert f"{report}?lang=en" in hrefs(bundled_hub.base, lang="en")
    assert report in hrefs(bundled_hub.url("partner/regionsud"))
    harvest = next(h for h in hrefs(bundled_hub.url("partner/regionsud")) if "/harvest/regionsud/" in h)
    assert report in hrefs(harvest)


def test_the_curated_data_warnings_are_readable_on_the_web_and_in_the_command(bundled_hub: BundledHub) -> None:
    document = cli_report(bundled_hub, "curated")
    warnings = document["counts"]["warnings"]
    assert warnings > 100 and len(document["findings"]) == warnings
    text = carrefour(bundled_hub.store_dir, bundled_hub.base, "report", "curated")
    assert f"violations 0, warnings {warnings}" in text
    assert "× [Warning] Actor-geolocation" in text  # the rules that fired, counted, before each finding
    listing = carrefour(bundled_hub.store_dir, bundled_hub.base, "report")
    assert any(line.startswith("curated ") for line in listing.splitlines())
    page = requests.get(bundled_hub.url("report/curated"), timeout=10)
    assert page.status_code == 200
    assert "Rapport de validation" in page.text and f"Avertissement\u00a0: {warnings}" in page.text
    assert "Actor-geolocation" in page.text and "Les règles en cause" in page.text
    assert bundled_hub.url("partner/curated") not in page.text  # the hub's own data, no partner's
    graph = turtle(bundled_hub.url("report/curated"))
    assert len(set(graph.subjects(SH.resultSeverity, SH.Warning))) <= 50  # one page of results…
    assert f"{bundled_hub.url('report/curated')}?page=3" in page.text  # … and the others a page away
    english = requests.get(bundled_hub.url("report/curated"), params={"lang": "en"}, timeout=10).text
    assert "The rules that fired" in english and "The geolocation is missing" in english
