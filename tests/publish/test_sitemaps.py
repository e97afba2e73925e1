"""robots.txt, the sitemap index and its children (sitemaps.org protocol), the favicon."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import DCT, RDF_TYPE, VOCABULARY
from server import create_app, sitemaps
from tests.publish.conftest import BundledHub

pytestmark = pytest.mark.live

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
PROTOCOL_LIMIT = 50_000


def xml(url: str) -> ET.Element:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith("application/xml") and response.headers["ETag"]
    return ET.fromstring(response.content)


def sitemap_urls(index: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    for child in index.findall("sm:sitemap/sm:loc", NS):
        for url in xml(child.text or "").findall("sm:url", NS):
            yield child.text or "", url


@pytest.fixture(scope="module")
def store(bundled_hub: BundledHub) -> Iterator[EmbeddedStore]:
    """The bundled hub's store, read in-process beside its server."""
    opened = EmbeddedStore(bundled_hub.store_dir / "store", bundled_hub.base)
    yield opened
    opened.close()


def test_robots_allow_everything_and_point_to_the_sitemap(bundled_hub: BundledHub) -> None:
    response = requests.get(bundled_hub.url("robots.txt"), timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines and not any(line.startswith("Disallow") for line in lines)
    assert f"Sitemap: {bundled_hub.url('sitemap.xml')}" in lines


def test_the_sitemap_lists_every_resource_page_with_lastmod_and_english_alternate(
    bundled_hub: BundledHub, store: EmbeddedStore
) -> None:
    index = xml(bundled_hub.url("sitemap.xml"))
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    assert all(s.find("sm:lastmod", NS) is not None for s in index.findall("sm:sitemap", NS))
    listed: dict[str, str] = {}
    per_child: dict[str, int] = {}
    for child, url in sitemap_urls(index):
        loc, lastmod = url.findtext("sm:loc", namespaces=NS), url.findtext("sm:lastmod", namespaces=NS)
        assert loc and lastmod and loc.startswith(bundled_hub.base)
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        assert alternates == {"fr": loc, "en": loc + ("&" if "?" in loc else "?") + "lang=en"}
        listed[loc] = lastmod
        per_child[child] = per_child.get(child, 0) + 1
    assert max(per_child.values()) <= PROTOCOL_LIMIT
    kinds = {loc[len(bundled_hub.base) :].split("/")[0] for loc in listed}
    assert {"initiative", "actor", "concept", "territory", "partner", "report", "graph", "browse"} <= kinds
    snapshot = store.snapshot()
    for cls in ("Initiative", "SupportProgramme", "Actor", "Partner"):
        typed = {q.subject.value for q in snapshot.quads(None, RDF_TYPE, ox.NamedNode(VOCABULARY + f"ontology#{cls}"))}
        assert {iri for iri in typed if "#" not in iri} <= set(listed), cls
    assert not set(bundled_hub.removed) & set(listed)  # removed records are gone for good
    record = next(iri for iri in sorted(listed) if "/initiative/maplabbzh/" in iri)
    modified = next(snapshot.quads(ox.NamedNode(record), ox.NamedNode(DCT + "modified"), None))
    assert listed[record] == modified.object.value  # lastmod: when the record last changed
    for loc in listed:
        assert requests.get(loc, timeout=30).status_code == 200, loc


def test_the_resources_are_split_in_children_of_the_size_limit(
    bundled_hub: BundledHub, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 100)
    client = create_app({"BASE_URL": bundled_hub.base}, store=store).test_client()
    index = ET.fromstring(client.get("/sitemap.xml").data)
    children = [loc.text or "" for loc in index.findall("sm:sitemap/sm:loc", NS)]
    resources = [c for c in children if "/sitemaps/resources-" in c]
    assert len(resources) > 5
    seen: list[str] = []
    for child in resources:
        answer = client.get(child[len(bundled_hub.base) - 1 :])
        assert answer.status_code == 200
        urls = [u.text for u in ET.fromstring(answer.data).findall("sm:url/sm:loc", NS)]
        assert 0 < len(urls) <= 100
        seen += urls
    assert len(seen) == len(set(seen))  # each resource once
    assert client.get(f"/sitemaps/resources-{len(resources) + 1}.xml").status_code == 404
    assert client.get("/sitemaps/resources-0.xml").status_code == 404


def test_the_favicon_is_served_and_named_by_every_page(bundled_hub: BundledHub) -> None:
    icon = requests.get(bundled_hub.url("favicon.ico"), timeout=10)
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00" and "max-age" in icon.headers["Cache-Control"]
    vector = requests.get(bundled_hub.url("static/favicon.svg"), timeout=10)
    assert vector.status_code == 200 and ET.fromstring(vector.content).tag.endswith("svg")
    for page in ("", "partner/maplabbzh", "sparql", "search?q=lab"):
        html = requests.get(bundled_hub.url(page), headers={"Accept": "text/html"}, timeout=10).text
        assert '<link rel="icon" href="/favicon.ico"' in html and 'href="/static/favicon.svg"' in html
