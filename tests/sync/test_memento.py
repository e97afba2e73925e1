"""Record history over HTTP (RFC 7089): a record is its own TimeGate, with a TimeMap and versions in every format."""

from __future__ import annotations

import email.utils
from datetime import timedelta
from pathlib import Path

import rdflib
import requests
from requests.utils import parse_header_links

from tests.sync.conftest import ServedHub
from tests.sync.test_event_stream import changed_feed

HYDRA = "http://www.w3.org/ns/hydra/core#"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
           "application/n-triples": "nt"}  # fmt: skip


def at(moment: object) -> str:
    return email.utils.format_datetime(moment, usegmt=True)  # type: ignore[arg-type]


def test_a_records_past_through_its_timegate(served_hub: ServedHub, tmp_path: Path) -> None:
    updated = served_hub.url("initiative/hub-du-sud/accueil-individuel-en-acces-libre")
    assert [v.kind for v in served_hub.versions(updated)] == ["Create"]
    served_hub.run("harvest", "hub-du-sud", "--feeds", str(changed_feed(tmp_path / "feeds")))
    first, second = served_hub.versions(updated)
    assert second.kind == "Update" and second.time - first.time >= timedelta(milliseconds=1)

    page = requests.get(updated, headers={"Accept": "text/turtle"}, timeout=10)
    links = {link["rel"]: link["url"] for link in parse_header_links(page.headers["Link"])}
    assert links["original timegate"] == updated and "accept-datetime" in page.headers["Vary"]
    assert links["timemap"] == served_hub.url("timemap/initiative/hub-du-sud/accueil-individuel-en-acces-libre")
    # the versions are the TimeMap's: the record's page does not list them among what points to it
    described = rdflib.Graph().parse(data=page.text, format="turtle", publicID=updated)
    listed = {str(member) for member in described.objects(None, rdflib.URIRef(HYDRA + "member"))}
    assert not {first.iri.value, second.iri.value} & listed
    assert not any(str(subject).startswith(served_hub.url("version/")) for subject in described.subjects())
    again = requests.get(updated, headers={"Accept": "text/turtle", "If-None-Match": page.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and "accept-datetime" in again.headers["Vary"]
    assert {link["rel"]: link["url"] for link in parse_header_links(again.headers["Link"])} == {
        "original timegate": updated,
        "timemap": links["timemap"],
    }

    for moment, expected in ((first.time - timedelta(days=1), first), (first.time, first),
                             (second.time + timedelta(seconds=1), second)):  # fmt: skip
        gate = requests.get(updated, headers={"Accept-Datetime": at(moment)}, allow_redirects=False, timeout=10)
        assert gate.status_code == 302 and gate.headers["Location"] == expected.iri.value, at(moment)
        assert gate.headers["Vary"] == "accept-datetime"
    assert requests.get(updated, headers={"Accept-Datetime": "yesterday"}, timeout=10).status_code == 400

    for media_type, syntax in FORMATS.items():
        memento = requests.get(second.iri.value, headers={"Accept": media_type}, timeout=10)
        assert memento.status_code == 200 and memento.headers["Content-Type"].startswith(media_type)
        assert email.utils.parsedate_to_datetime(memento.headers["Memento-Datetime"]) == second.time.replace(
            microsecond=0
        )
        assert "immutable" in memento.headers["Cache-Control"]
        graph = rdflib.Graph().parse(data=memento.text, format=syntax, publicID=second.iri.value)
        version = rdflib.URIRef(second.iri.value)
        assert (version, rdflib.DCTERMS.isVersionOf, rdflib.URIRef(updated)) in graph
        street = rdflib.URIRef("http://schema.org/streetAddress")
        assert (rdflib.URIRef(second.iri.value + "#address"), street, rdflib.Literal("1 place de la Mairie")) in graph
    html = requests.get(second.iri.value, headers={"Accept": "text/html"}, timeout=10)
    assert html.status_code == 200 and "1 place de la Mairie" in html.text

    timemap_url = served_hub.url("timemap/initiative/hub-du-sud/accueil-individuel-en-acces-libre")
    timemap = requests.get(timemap_url, timeout=10)
    assert timemap.headers["Content-Type"].startswith("application/link-format")
    mementos = [link for link in parse_header_links(timemap.text.replace("\n", "")) if "memento" in link["rel"]]
    assert [link["url"] for link in mementos] == [first.iri.value, second.iri.value]
    card = requests.get(updated, headers={"Accept": "text/html"}, timeout=10).text
    assert second.iri.value in card and first.iri.value in card
