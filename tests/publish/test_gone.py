"""A record its partner removed answers 410 Gone, saying when and by which harvest, in every representation."""

from __future__ import annotations

import pytest
import rdflib
import requests
from requests.utils import parse_header_links

from carrefour.vocab import VOCABULARY
from tests.publish.conftest import BundledHub

pytestmark = pytest.mark.live

CF_REMOVED = "ontology#removedResource"
PROV_ENDED = rdflib.URIRef("http://www.w3.org/ns/prov#endedAtTime")
PART_OF = rdflib.URIRef("http://purl.org/dc/terms/isPartOf")


def test_a_removed_record_is_gone_with_its_removal_in_rdf(bundled_hub: BundledHub) -> None:
    record = bundled_hub.removed[0]
    for accept, media_type, syntax in (("text/turtle", "text/turtle", "turtle"),
                                       ("application/ld+json", "application/ld+json", "json-ld"),
                                       ("application/rdf+xml", "application/rdf+xml", "xml"),
                                       ("application/n-triples", "application/n-triples", "nt")):  # fmt: skip
        response = requests.get(record, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 410, (accept, response.text[:300])
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert response.headers["Vary"] == "Accept, accept-datetime" and response.headers["ETag"]  # also its TimeGate
        assert {link["url"] for link in parse_header_links(response.headers["Link"])} >= {record + ".ttl"}
        graph = rdflib.Graph().parse(data=response.text, format=syntax, publicID=record)
        removals = list(graph.subjects(rdflib.URIRef(VOCABULARY + CF_REMOVED), rdflib.URIRef(record)))
        assert len(removals) == 1, response.text
        removal = removals[0]
        assert str(removal).startswith(bundled_hub.url("change/maplabbzh/"))
        assert graph.value(removal, PROV_ENDED) is not None  # when
        harvest = graph.value(removal, PART_OF)  # by which harvest
        assert str(harvest).startswith(bundled_hub.url("harvest/maplabbzh/"))
        assert requests.get(str(harvest), timeout=10).status_code == 200
    document = requests.get(record + ".nt", timeout=10)
    assert document.status_code == 410 and document.headers["Content-Location"] == record + ".nt"
    etag = requests.get(record, headers={"Accept": "text/turtle"}, timeout=10).headers["ETag"]
    again = requests.get(record, headers={"Accept": "text/turtle", "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304


def test_a_removed_record_page_says_when_and_which_harvest_in_french_then_english(bundled_hub: BundledHub) -> None:
    record = bundled_hub.removed[0]
    page = requests.get(record, timeout=10)
    assert page.status_code == 410 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="fr"' in page.text and "Fiche retirée" in page.text and "moissonnage" in page.text
    assert bundled_hub.url("harvest/maplabbzh/") in page.text and bundled_hub.url("change/maplabbzh/") in page.text
    assert bundled_hub.url("partner/maplabbzh") in page.text
    assert "Page introuvable" not in page.text and "Not found" not in page.text  # not the 404 page's words
    english = requests.get(record, params={"lang": "en"}, timeout=10)
    assert english.status_code == 410 and "Record removed" in english.text and "harvest" in english.text
    assert f"{record}?lang=en" not in english.text or "Français" in english.text  # the other language offered
    assert requests.get(bundled_hub.url("initiative/maplabbzh/never-published"), timeout=10).status_code == 404


def test_the_removal_record_links_to_the_gone_record(bundled_hub: BundledHub) -> None:
    record = bundled_hub.removed[0]
    gone = requests.get(record, headers={"Accept": "text/turtle"}, timeout=10)
    graph = rdflib.Graph().parse(data=gone.text, format="turtle")
    removal = next(graph.subjects(rdflib.URIRef(VOCABULARY + CF_REMOVED), rdflib.URIRef(record)))
    page = requests.get(str(removal), timeout=10)
    assert page.status_code == 200 and record in page.text
