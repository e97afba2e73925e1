"""Every kind of resource IRI dereferences, with the headers of the dereferencing policy."""

from __future__ import annotations

import email.utils

import pyoxigraph as ox
import pytest
import rdflib
import requests
from requests.utils import parse_header_links

from carrefour.store.base import Store
from carrefour.vocab import VOCABULARY
from tests.publish.conftest import KINDS, LiveServer
from tests.publish.hostile import BIG_ACTOR_ITEMS

pytestmark = pytest.mark.live

TTL = "text/turtle"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_resource_dereferences_with_the_policy_headers(
    live_server: LiveServer, resource_paths: dict[str, str], kind: str
) -> None:
    path = resource_paths[kind]
    iri = live_server.url(path)
    response = requests.get(iri, headers={"Accept": TTL}, timeout=10)
    assert response.status_code == 200, (kind, response.text)
    # records are their own Memento TimeGates (RFC 7089): their answers vary with Accept-Datetime too
    timegate = kind in ("initiative", "actor")
    assert response.headers["Vary"] == ("Accept, accept-datetime" if timegate else "Accept")
    assert response.headers["Content-Location"] == iri + ".ttl"
    links = parse_header_links(response.headers["Link"])
    alternates = {link["type"]: link["url"] for link in links if link.get("rel") == "alternate"}
    assert alternates == {
        "text/html": iri + ".html",
        "text/turtle": iri + ".ttl",
        "application/ld+json": iri + ".jsonld",
        "application/rdf+xml": iri + ".rdf",
        "application/n-triples": iri + ".nt",
    }
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    subject = rdflib.URIRef(live_server.resource(path))
    assert (subject, None, None) in graph, f"the description of {kind} says nothing of {subject}"
    for media_type, url in alternates.items():  # every alternate answers, in its own media type
        document = requests.get(url, timeout=10)
        assert document.status_code == 200
        assert document.headers["Content-Type"].split(";")[0] == media_type
        assert document.headers["Content-Location"] == url


def test_content_location_names_the_document_that_was_sent(live_server: LiveServer) -> None:
    iri = live_server.hostile.xss.value
    for accept, suffix in (("text/html", ".html"), ("application/ld+json", ".jsonld"), ("application/rdf+xml", ".rdf")):
        thing = requests.get(iri, headers={"Accept": accept}, timeout=10)
        assert thing.status_code == 200  # a direct answer, no 303
        assert thing.history == []
        assert thing.headers["Content-Location"] == iri + suffix
        document = requests.get(thing.headers["Content-Location"], timeout=10)
        assert document.content == thing.content


def test_unknown_resources_are_404_in_the_negotiated_error_shape(live_server: LiveServer) -> None:
    missing = live_server.url("initiative/partner-00/no-such-initiative")
    as_json = requests.get(missing, headers={"Accept": "application/json"}, timeout=10)
    assert as_json.status_code == 404
    assert as_json.json() == {"ok": False, "status": 404, "error": as_json.json()["error"]}
    assert "no-such-initiative" in as_json.json()["error"]
    as_html = requests.get(missing, headers={"Accept": "text/html"}, timeout=10)
    assert as_html.status_code == 404 and "<h1>404" in as_html.text
    as_turtle = requests.get(missing + ".ttl", timeout=10)
    assert as_turtle.status_code == 404 and as_turtle.headers["Content-Type"].startswith("text/plain")
    for path in ("territory/region/99", "partner/nobody", "concept/theme/nope.jsonld", "report/nobody", "ontology/x"):
        assert requests.get(live_server.url(path), timeout=10).status_code == 404, path


def test_a_bad_page_number_is_400_and_a_page_past_the_end_404(live_server: LiveServer) -> None:
    actor = live_server.hostile.big_actor.value
    for bad in ("0", "-1", "abc", "1.5", "²"):
        response = requests.get(actor, params={"page": bad}, headers={"Accept": "application/json"}, timeout=10)
        assert response.status_code == 400, bad
        assert response.json()["status"] == 400
    assert requests.get(actor, params={"page": "99"}, headers={"Accept": TTL}, timeout=10).status_code == 404


def test_the_actor_pages_its_initiatives_with_hydra_links(live_server: LiveServer, published: Store) -> None:
    actor = live_server.hostile.big_actor.value
    carried = {item.value for item in live_server.hostile.items} | {live_server.hostile.xss.value}
    pointing = published.snapshot().quads(None, None, ox.NamedNode(actor))
    expected = {q.subject.value.split("#")[0] for q in pointing}  # its initiatives, and the report that names it
    assert carried <= expected and len(carried) == BIG_ACTOR_ITEMS + 1
    seen: set[str] = set()
    url: str | None = actor
    pages = 0
    while url is not None:
        response = requests.get(url, headers={"Accept": TTL}, timeout=10)
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.text, format="turtle")
        collection = graph.value(rdflib.URIRef(actor), HYDRA.collection)
        assert int(graph.value(collection, HYDRA.totalItems)) == len(expected)
        members = {str(m) for m in graph.objects(collection, HYDRA.member)}
        assert len(members) <= 50 and not members & seen
        for member in members & carried:  # each member comes with the statement that links it here
            assert (rdflib.URIRef(member), rdflib.URIRef(VOCABULARY + "ontology#carriedBy"),
                    rdflib.URIRef(actor)) in graph  # fmt: skip
        seen |= members
        view = graph.value(collection, HYDRA.view)
        assert str(graph.value(view, HYDRA.first)) == actor + "?page=1"
        assert str(graph.value(view, HYDRA.last)) == actor + "?page=3"
        links = {
            link["rel"]: link["url"] for link in parse_header_links(response.headers["Link"]) if "type" not in link
        }
        next_page = graph.value(view, HYDRA.next)
        assert links.get("next") == (str(next_page) if next_page else None)
        url = str(next_page) if next_page else None
        pages += 1
    assert pages == 3 and seen == expected


def test_html_pages_of_referrers_link_to_the_previous_and_next_pages(live_server: LiveServer) -> None:
    actor = live_server.hostile.big_actor.value
    first = requests.get(actor, headers={"Accept": "text/html"}, timeout=10).text
    assert f'rel="next" href="{actor}?page=2"' in first and 'rel="prev"' not in first
    second = requests.get(actor + "?page=2", headers={"Accept": "text/html"}, timeout=10).text
    assert f'rel="prev" href="{actor}?page=1"' in second and f'rel="next" href="{actor}?page=3"' in second
    assert "Atelier numérique Pétaouchnok" in second  # members are shown by name


def test_a_funder_lists_what_it_funds_through_the_funding_nodes(live_server: LiveServer) -> None:
    funder, funded = live_server.hostile.funder.value, live_server.hostile.xss.value
    graph = rdflib.Graph().parse(data=requests.get(funder + ".ttl", timeout=10).text, format="turtle")
    collection = graph.value(rdflib.URIRef(funder), HYDRA.collection)
    members = [str(m) for m in graph.objects(collection, HYDRA.member)]
    assert members.count(funded) == 1  # listed once, though two of its nodes point here
    assert set(members) <= {funded, live_server.hostile.report.value}  # the report may name the funder too
    cf = rdflib.Namespace(VOCABULARY + "ontology#")
    assert (rdflib.URIRef(funded), cf.fundedBy, rdflib.URIRef(funder)) in graph  # every statement linking it
    assert (rdflib.URIRef(funded + "#funding-1"), cf.funder, rdflib.URIRef(funder)) in graph
    page = requests.get(funder, headers={"Accept": "text/html"}, timeout=10).text
    assert "Financements accordés" in page and f'href="{funded}"' in page


def test_a_partner_page_lists_its_records(live_server: LiveServer) -> None:
    partner = live_server.url("partner/hostile")
    graph = rdflib.Graph().parse(data=requests.get(partner + ".ttl", timeout=10).text, format="turtle")
    collection = graph.value(rdflib.URIRef(partner), HYDRA.collection)
    assert int(graph.value(collection, HYDRA.totalItems)) >= BIG_ACTOR_ITEMS + 2  # records, harvest, change…
    attributed = rdflib.URIRef("http://www.w3.org/ns/prov#wasAttributedTo")
    assert any(graph.triples((None, attributed, rdflib.URIRef(partner))))


def test_conditional_requests_get_304(live_server: LiveServer) -> None:
    iri = live_server.hostile.xss.value
    first = requests.get(iri, headers={"Accept": TTL}, timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    assert email.utils.parsedate_to_datetime(modified).tzinfo is not None
    again = requests.get(iri, headers={"Accept": TTL, "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Content-Location"] == iri + ".ttl" and again.headers["Vary"] == "Accept, accept-datetime"
    since = requests.get(iri, headers={"Accept": TTL, "If-Modified-Since": modified}, timeout=10)
    assert since.status_code == 304
    other_format = requests.get(iri, headers={"Accept": "application/ld+json", "If-None-Match": etag}, timeout=10)
    assert other_format.status_code == 200 and other_format.headers["ETag"] != etag
    stale = requests.get(iri, headers={"Accept": TTL, "If-None-Match": '"stale"'}, timeout=10)
    assert stale.status_code == 200
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert requests.get(iri, headers={"Accept": TTL, "If-Modified-Since": older}, timeout=10).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    headers = {"Accept": TTL, "If-None-Match": '"stale"', "If-Modified-Since": modified}
    both = requests.get(iri, headers=headers, timeout=10)
    assert both.status_code == 200


def test_head_answers_the_headers_without_a_body(live_server: LiveServer) -> None:
    iri = live_server.hostile.xss.value
    head = requests.head(iri, headers={"Accept": TTL}, timeout=10)
    get = requests.get(iri, headers={"Accept": TTL}, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_the_context_is_published_with_its_media_type_and_validators(live_server: LiveServer) -> None:
    response = requests.get(live_server.url("context.jsonld"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/ld+json"
    context = response.json()["@context"]
    assert context["cf"] == VOCABULARY + "ontology#"
    assert context["carriedBy"] == {"@id": VOCABULARY + "ontology#carriedBy", "@type": "@id"}
    assert context["name"] == "http://schema.org/name"
    headers = {"If-None-Match": response.headers["ETag"]}
    again = requests.get(live_server.url("context.jsonld"), headers=headers, timeout=10)
    assert again.status_code == 304
