"""The crawler against a partner site on 127.0.0.1, the SPARQL reader against a partner endpoint."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.errors import HarvestError
from loader.feeds import FeedSpec, FetchSettings, Problem, Record, read_feed
from tests.harvest.conftest import HarvestHub, example, fast_settings
from tests.support.partner_site import PartnerSite, document, serve_site
from tests.support.sparql_endpoint import Endpoint, serve_endpoint

SSE_GRAPH = Path(__file__).resolve().parents[1] / "support" / "data" / "sse-initiatives.ttl"


@pytest.fixture
def site() -> Iterator[PartnerSite]:
    with serve_site() as served:
        yield served


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with serve_endpoint(SSE_GRAPH) as served:
        yield served


def crawl(
    site: PartnerSite, cache: Path, settings: FetchSettings | None = None, **feed: object
) -> tuple[list[Record], list[Problem]]:
    table = {**example("tiers-lieux-web").feed, "source": site.url("sitemap.xml"), **feed}
    items = list(read_feed(FeedSpec.from_table(table), settings or fast_settings(), cache))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Problem)]


def test_the_crawler_reads_json_ld_microdata_and_rdfa_politely(site: PartnerSite, tmp_path: Path) -> None:
    delay = 0.2
    records, problems = crawl(site, tmp_path, dataclasses.replace(fast_settings(), delay=delay))
    names = {r.fields["schema:name"] if isinstance(r.fields["schema:name"], str) else None for r in records}
    assert {"Konk Ar Lab", "La Labomedia", "Avenir 84", "Le tiers lieu de Sorgues", "SCIC Provence Numerique"} <= names
    avenir = next(r for r in records if r.fields.get("schema:name") == "Avenir 84")  # RDFa, nested address
    assert avenir.fields["schema:address"]["schema:postalCode"] == "84000"
    assert avenir.url == site.url("initiatives/avenir-84.html")
    assert not any(r.fields.get("@type") == "schema:Event" for r in records)  # not a record type
    messages = {p.origin: p.message for p in problems}
    assert "robots.txt does not let the hub read this page" in messages[site.url("private/members.html")]
    assert site.requests_for("/private/members.html") == []
    assert "HTTP 404" in messages[site.url("initiatives/closed.html")]
    assert "never fetched" in messages[site.url("initiatives/unknown-context.html")]
    assert "json-ld cannot be read" in messages[site.url("initiatives/broken.html")]
    assert (
        "1 page(s) on other hosts ignored (not fetched), e.g. https://elsewhere.example.org/page.html: host "
        "elsewhere.example.org is not one of the partner's declared hosts" in messages[site.url("sitemap.xml")]
    )
    assert all(hit.headers["User-Agent"].startswith("Carrefour") for hit in site.hits)
    # one request at a time, HARVEST_DELAY apart: the whole crawl cannot take less than the delays
    assert site.hits[-1].time - site.hits[0].time >= 0.8 * delay * (len(site.hits) - 1)


def test_unchanged_pages_are_not_fetched_twice(site: PartnerSite, tmp_path: Path) -> None:
    first, _ = crawl(site, tmp_path)
    site.hits.clear()
    second, _ = crawl(site, tmp_path)
    assert [r.fields for r in second] == [r.fields for r in first]
    page = site.requests_for("/initiatives/konk-ar-lab.html")[0]
    assert page.headers.get("If-None-Match") and page.status == 304


def test_a_crawler_trap_stops_at_the_page_limit(site: PartnerSite, tmp_path: Path) -> None:
    records, problems = crawl(site, tmp_path, follow=["/agenda"], max_pages=15)
    assert len(site.requests_for("/agenda")) <= 15
    assert any("page limit of 15 reached" in p.message and "crawler trap" in p.message for p in problems)
    assert any(r.fields.get("schema:name") == "Konk Ar Lab" for r in records)


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_sitemap_is_read_within_its_own_size_limit(site: PartnerSite, tmp_path: Path, compressed: bool) -> None:
    entries = "".join(f"<url><loc>{site.url(f'initiatives/{n}.html')}</loc></url>" for n in range(100))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()
    site.routes["/big.xml"] = document(gzip.compress(body) if compressed else body, "application/xml")
    settings = dataclasses.replace(fast_settings(), max_sitemap_bytes=len(body) - 1)  # HARVEST_MAX_BYTES is larger
    with pytest.raises(HarvestError, match=r"the limit of [\d,]+( bytes)? \(HARVEST_MAX_SITEMAP_BYTES\)"):
        crawl(site, tmp_path, settings, source=site.url("big.xml"))


def test_a_sitemap_with_a_doctype_is_refused(site: PartnerSite, tmp_path: Path) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY e "x">]><urlset><url><loc>&e;</loc></url></urlset>'
    site.routes["/doctype.xml"] = document(body)
    with pytest.raises(HarvestError, match="DOCTYPE and entity declarations are not accepted in a sitemap"):
        crawl(site, tmp_path, source=site.url("doctype.xml"))


def test_a_crawled_partner_is_harvested_and_a_trap_loses_nothing(fresh_hub: HarvestHub, site: PartnerSite) -> None:
    results, _ = fresh_hub.harvest(example("tiers-lieux-web", source=site.url("sitemap.xml")))
    assert results[0].ok, results[0].error
    before = fresh_hub.graph("partner", "tiers-lieux-web")
    names = {t.object.value for t in before if t.predicate.value == "http://schema.org/name"}
    assert {"Konk Ar Lab", "La Labomedia", "Avenir 84"} <= names
    assert not any("<" in t.object.value or "jean.dupont" in t.object.value for t in before)
    # the trap eats the page budget before the Sorgues page is reached: its records stay published
    start = [site.url("initiatives/konk-ar-lab.html")]
    trapped = example("tiers-lieux-web", source=None, pages=start, follow=["/agenda"], max_pages=3)
    results, _ = fresh_hub.harvest(trapped)
    assert results[0].ok and results[0].diff.removed == set()
    assert any("page limit of 3 reached" in item.message for item in results[0].items)
    assert fresh_hub.graph("partner", "tiers-lieux-web") == before


def test_a_sparql_partner_is_read_page_by_page(fresh_hub: HarvestHub, endpoint: Endpoint) -> None:
    results, _ = fresh_hub.harvest(example("sse-sparql", endpoint=endpoint.url, page_size=3))
    assert results[0].ok, results[0].error
    assert len(results[0].diff.loaded) == 7
    assert len(endpoint.queries) == 3 and all("ORDER BY" in q for q in endpoint.queries)
    assert [q.rsplit("OFFSET", 1)[1].strip() for q in endpoint.queries] == ["0", "3", "6"]
    assert all(agent.startswith("Carrefour") for agent in endpoint.agents)
    graph = fresh_hub.graph("partner", "sse-sparql")
    olvo = fresh_hub.hub.iri("initiative", "sse-sparql", "olvo")
    descriptions = {(t.object.value, t.object.language) for t in graph
                    if t.subject.value == olvo and t.predicate.value == "http://schema.org/description"}  # fmt: skip
    assert {lang for _, lang in descriptions} == {"fr", "en"}
    derived = {
        t.object.value for t in graph if t.subject.value == olvo and t.predicate.value.endswith("wasDerivedFrom")
    }
    assert derived == {"https://sse.example.org/initiative/olvo"}


def test_a_construct_query_is_read_as_linked_data(endpoint: Endpoint, tmp_path: Path) -> None:
    query = (
        "PREFIX schema: <http://schema.org/> CONSTRUCT { ?s a schema:Organization ; schema:name ?n } "
        "WHERE { ?s schema:name ?n } ORDER BY ?s"
    )
    spec = FeedSpec.from_table({"format": "sparql", "endpoint": endpoint.url, "query": query, "page_size": 4,
                                "allow_private_addresses": True,
                                "record_types": ["http://schema.org/Organization"]})  # fmt: skip
    records = [i for i in read_feed(spec, fast_settings(), tmp_path) if isinstance(i, Record)]
    assert len(records) == 7 and records[0].fields["@id"].startswith("https://sse.example.org/initiative/")


@pytest.mark.parametrize(
    ("delay", "url", "expected"), [(3.0, None, "no answer within"), (0.0, "closed", "cannot reach")]
)
def test_an_unreachable_or_slow_endpoint_fails_clearly(
    fresh_hub: HarvestHub, delay: float, url: str | None, expected: str
) -> None:
    from tests.support.served import free_port

    with serve_endpoint(SSE_GRAPH, delay=delay) as served:
        target = served.url if url is None else f"http://127.0.0.1:{free_port()}/sparql"
        results, version = fresh_hub.harvest(example("sse-sparql", endpoint=target))
    assert version is None and expected in (results[0].error or ""), results[0].error


def test_a_crawl_counts_the_records_it_read_not_the_pages_that_failed(
    fresh_hub: HarvestHub, site: PartnerSite, tmp_path: Path
) -> None:
    records, problems = crawl(site, tmp_path / "direct")
    assert len(records) == 6 and len(problems) == 5  # pages refused, gone, unreadable: none is a record
    results, _ = fresh_hub.harvest(example("tiers-lieux-web", source=site.url("sitemap.xml")))
    counts = results[0].counts()
    assert counts["read"] == len(records) and counts["rejected"] == 0, counts
    activity = next(t.subject for t in fresh_hub.graph("provenance", "tiers-lieux-web")
                    if t.predicate == fresh_hub.hub.term("recordsRead"))  # fmt: skip
    published = {t.predicate: t.object.value for t in fresh_hub.graph("provenance", "tiers-lieux-web")
                 if t.subject == activity}  # fmt: skip
    assert published[fresh_hub.hub.term("recordsRead")] == str(len(records))
    assert published[fresh_hub.hub.term("recordsRejected")] == "0"


HUB_VOCABULARY_PAGE = """<!doctype html><html lang="fr"><head><title>Repair café de Quimper</title>
<script type="application/ld+json">
{"@context": {"cf": "https://w3id.org/carrefour/ontology#", "schema": "http://schema.org/",
              "concept": "https://w3id.org/carrefour/concept/"},
 "@id": "https://reseau.example.org/initiatives/repair-cafe-quimper",
 "@type": ["cf:Initiative", "schema:Project"],
 "schema:name": {"@value": "Repair café de Quimper", "@language": "fr"},
 "schema:description": {"@value": "Un atelier mensuel où l'on répare ensemble.", "@language": "fr"},
 "schema:url": {"@id": "https://reseau.example.org/initiatives/repair-cafe-quimper"},
 "cf:theme": [{"@id": "concept:theme/circular-economy"}, {"@id": "concept:theme/social-inclusion"}],
 "cf:method": {"@id": "concept:method/third-place"},
 "cf:status": {"@id": "https://w3id.org/carrefour/concept/status/launched"},
 "schema:address": {"@type": "schema:PostalAddress", "schema:postalCode": "29000",
                    "schema:addressLocality": "Quimper", "schema:addressCountry": "FR"}}
</script></head><body><h1>Repair café de Quimper</h1></body></html>"""


def test_pages_in_the_hubs_own_vocabulary_are_read_as_they_are(fresh_hub: HarvestHub) -> None:
    """The vocabulary has a persistent namespace, so a partner can publish with it: its terms and concepts
    are the hub's own, whatever instance reads them."""
    routes = {"/initiatives/repair-cafe.html": document(HUB_VOCABULARY_PAGE.encode(), "text/html; charset=utf-8")}
    with serve_site(routes=routes) as site:
        results, _ = fresh_hub.harvest(
            example("hub-vocabulary-web", source=None, pages=[site.url("initiatives/repair-cafe.html")])
        )
    assert results[0].ok, results[0].error
    hub = fresh_hub.hub
    graph = fresh_hub.graph("partner", "hub-vocabulary-web")
    record = next(t.subject for t in graph if t.predicate == hub.term("theme"))
    said = {(t.predicate, t.object) for t in graph if t.subject == record}
    assert said >= {
        (hub.term("theme"), hub.concept("theme", "circular-economy")),
        (hub.term("theme"), hub.concept("theme", "social-inclusion")),
        (hub.term("method"), hub.concept("method", "third-place")),
        (hub.term("status"), hub.concept("status", "launched")),
    }
    assert any(t.predicate == hub.term("locatedIn") and t.object.value.endswith("/commune/29232") for t in graph)
    assert not results[0].report.rejected_records()  # it conforms to the shapes as it is


JOB_POSTING_PAGE = """<!doctype html><html lang="fr"><head><title>Coordinatrice ou coordinateur</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "JobPosting", "@id": "https://emplois.example.org/offres/42",
 "title": "Coordinatrice ou coordinateur de tiers-lieu <b>(CDI)</b>",
 "description": "<p>Animer le tiers-lieu et sa communauté. Candidatures : marie.durand@gmail.com</p>",
 "datePosted": "2026-11-02", "validThrough": "2027-01-15",
 "jobLocationType": "TELECOMMUTE",
 "hiringOrganization": {"@type": "Organization", "name": "La Quincaillerie", "sameAs": "https://quincaillerie.example.org/"},
 "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": "23000",
                 "addressLocality": "Guéret", "addressCountry": "FR"}}}
</script></head><body><h1>Coordinatrice ou coordinateur</h1></body></html>"""


def test_job_postings_in_partner_pages_become_job_offers(fresh_hub: HarvestHub) -> None:
    """schema.org JobPosting, as job boards publish it: a cf:JobOffer published by its hiring organisation,
    its dates, its place and its work mode; the applicant's address in the text is removed like anywhere else."""
    routes = {"/offres/42.html": document(JOB_POSTING_PAGE.encode(), "text/html; charset=utf-8")}
    with serve_site(routes=routes) as site:
        results, _ = fresh_hub.harvest(example("job-postings-web", source=None, pages=[site.url("offres/42.html")]))
    assert results[0].ok, results[0].error
    assert not results[0].report.rejected_records()
    hub = fresh_hub.hub
    graph = fresh_hub.graph("partner", "job-postings-web")
    offer = next(t.subject for t in graph if t.object == hub.term("JobOffer"))
    said = {(t.predicate.value, t.object.value) for t in graph if t.subject == offer}
    assert (hub.term("compensation").value, hub.concept("compensation", "paid").value) in said
    assert (hub.term("workMode").value, hub.concept("work-mode", "remote").value) in said
    assert ("http://schema.org/validThrough", "2027-01-15") in said
    assert ("http://schema.org/validFrom", "2026-11-02") in said
    assert any(p == hub.term("locatedIn").value and o.endswith("/commune/23096") for p, o in said)
    employer = next(ox.NamedNode(o) for p, o in said if p == hub.term("publishedBy").value)
    assert ox.Triple(employer, ox.NamedNode("http://schema.org/name"), ox.Literal("La Quincaillerie")) in graph
    text = " ".join(t.object.value for t in graph)
    assert "marie.durand" not in text and "<b>" not in text
