"""Content negotiation of resource pages, through the live server: one table of Accept headers."""

from __future__ import annotations

import pytest
import requests

from tests.publish.conftest import LiveServer

HTML, TTL, JSONLD = "text/html", "text/turtle", "application/ld+json"
RDFXML, NT = "application/rdf+xml", "application/n-triples"
NOT_ACCEPTABLE = 406

CASES = [
    # (Accept header, expected media type or 406); None means no Accept header at all
    (None, HTML),
    ("", HTML),
    ("*/*", HTML),
    ("text/html", HTML),
    ("text/turtle", TTL),
    ("application/ld+json", JSONLD),
    ("application/rdf+xml", RDFXML),
    ("application/n-triples", NT),
    ("TEXT/TURTLE", TTL),
    ("text/*", HTML),
    ("application/*", JSONLD),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", JSONLD),
    ("application/ld+json;q=0.4, text/turtle", TTL),
    ("application/n-triples, text/turtle", TTL),  # a tie: the hub's order of preference
    ("text/html;q=0, */*", TTL),  # q=0 excludes, even under a wildcard
    ("text/html;q=0, text/*", TTL),
    ("text/turtle;q=0, text/*;q=0.8, application/ld+json;q=0.5", HTML),
    ("*/*;q=0.1, application/rdf+xml;q=0.2", RDFXML),
    ("text/turtle; charset=utf-8", TTL),  # parameters do not stop a match
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
    ("text/html;level=1", HTML),
    ("application/json", JSONLD),
    ("application/xml", RDFXML),
    ("text/plain", NT),
    ("application/x-turtle", TTL),
    ("image/png", NOT_ACCEPTABLE),
    ("image/*, application/x-unknown", NOT_ACCEPTABLE),
    ("text/html;q=0", NOT_ACCEPTABLE),
    ("application/sparql-results+json", NOT_ACCEPTABLE),
]


@pytest.mark.live
@pytest.mark.parametrize(("accept", "expected"), CASES, ids=[repr(c[0]) for c in CASES])
def test_accept_header_chooses_the_representation(
    live_server: LiveServer, accept: str | None, expected: object
) -> None:
    response = requests.get(live_server.hostile.xss.value, headers={"Accept": accept}, timeout=10)
    # a record's representations also vary with Accept-Datetime: it is its own Memento TimeGate
    assert response.headers["Vary"] == ("Accept" if response.status_code == 406 else "Accept, accept-datetime")
    if expected == NOT_ACCEPTABLE:
        assert response.status_code == 406
        for media_type in (HTML, TTL, JSONLD, RDFXML, NT):
            assert media_type in response.text  # the alternatives are listed...
            assert f'type="{media_type}"' in response.headers["Link"]  # ...and linked
        return
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected


SUFFIX_CASES = [
    # (suffix or ?format=, Accept, expected media type)
    (".ttl", JSONLD, TTL),
    (".jsonld", TTL, JSONLD),
    (".json", TTL, JSONLD),
    (".rdf", HTML, RDFXML),
    (".xml", HTML, RDFXML),
    (".nt", HTML, NT),
    (".html", TTL, HTML),
    (".jsonld", "image/png", JSONLD),  # an explicit suffix is never refused for the Accept header
    ("?format=nt", TTL, NT),
    ("?format=ttl", "image/png", TTL),
]


@pytest.mark.live
@pytest.mark.parametrize(("suffix", "accept", "expected"), SUFFIX_CASES)
def test_suffix_or_format_parameter_wins_over_accept(
    live_server: LiveServer, suffix: str, accept: str, expected: str
) -> None:
    response = requests.get(live_server.hostile.xss.value + suffix, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.live
def test_unknown_format_parameter_is_406_listing_the_formats(live_server: LiveServer) -> None:
    response = requests.get(live_server.hostile.xss.value + "?format=docx", headers={"Accept": TTL}, timeout=10)
    assert response.status_code == 406
    assert "docx" in response.text and "ttl" in response.text and "jsonld" in response.text
