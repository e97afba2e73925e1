"""``/robots.txt`` and ``/sitemap.xml``: how search engines find every resource page.

robots.txt lets every crawler read everything and names the sitemap.  The sitemap
is an index (https://www.sitemaps.org/protocol.html) of child sitemaps of at most
``URLS_PER_SITEMAP`` URLs (the protocol's limit is 50,000):

- ``sitemaps/hub.xml``: the home page, browsing, the dataset's documents, the
  validation reports, the named graphs and the concept schemes;
- ``sitemaps/resources-{n}.xml``: initiatives, programmes, actors, partners,
  concepts and territories, read from the version's search index by ranges of its
  rows (one indexed range read per child, never a scan of the store).

Each URL is the French page, with its English one as ``hreflang`` alternate, and a
``lastmod``: a record's last change from its harvest's provenance, else the
version's publication (a page made from the hub's data may change with any version).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from flask import Blueprint, Response

from carrefour.artifacts.facets import FACET_NAMES
from carrefour.artifacts.search import search_path
from carrefour.errors import NotFound, StoreUnavailable
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, RDF, SKOS
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.i18n import with_language
from server.site import Site, get_site

blueprint = Blueprint("sitemaps", __name__)

URLS_PER_SITEMAP = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML = "application/xml; charset=utf-8"
HUB_PAGES = ("", "browse/", "dataset", "ontology", "shapes", "sparql", "dumps/", ".well-known/void", "catalog")
_MODIFIED = ox.NamedNode(DCT + "modified")
_SCHEME = ox.NamedNode(SKOS + "ConceptScheme")


@blueprint.get("/robots.txt")
def robots() -> Response:
    """Every crawler may read everything; the sitemap says where it all is."""
    site = get_site()
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site.hub.iri('sitemap.xml')}\n"
    return Response(text, content_type="text/plain; charset=utf-8")


@blueprint.get("/sitemap.xml")
def index() -> Response:
    """The sitemap index: the hub's own pages, then the resources in children of at most URLS_PER_SITEMAP.

    :raises StoreUnavailable: the version's search index is not on this server yet (503).
    """
    site = get_site()
    snapshot = site.store.snapshot()
    etag = etag_for(snapshot, "sitemap-index", URLS_PER_SITEMAP)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    children = ["hub"] + [f"resources-{n}" for n in range(1, _children(_index(snapshot)) + 1)]
    lastmod = _date(snapshot)
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for child in children:
        loc = escape(site.hub.iri("sitemaps", f"{child}.xml"))
        lines.append(f"<sitemap><loc>{loc}</loc><lastmod>{lastmod}</lastmod></sitemap>\n")
    lines.append("</sitemapindex>\n")
    return cacheable(Response("".join(lines), content_type=XML), etag, snapshot.info.published)


@blueprint.get("/sitemaps/<name>.xml")
def child(name: str) -> Response:
    """One child sitemap: ``hub``, or ``resources-{n}`` (rows of the search index).

    :raises NotFound: no such child in this version.
    :raises StoreUnavailable: the version's search index is not on this server yet (503).
    """
    site = get_site()
    snapshot = site.store.snapshot()
    etag = etag_for(snapshot, "sitemap", name, URLS_PER_SITEMAP)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    if name == "hub":
        urls = _hub_urls(site, snapshot)
    else:
        number = name.removeprefix("resources-")
        path = _index(snapshot)
        if not number.isdigit() or not 1 <= int(number) <= _children(path):
            raise NotFound(f"no sitemap {name}.xml: the list is at {site.hub.iri('sitemap.xml')}")
        urls = _resource_urls(site, snapshot, path, int(number))
    body = "".join(_urlset(urls))
    return cacheable(Response(body, content_type=XML), etag, snapshot.info.published)


def _index(snapshot: Snapshot) -> Path:
    path = search_path(snapshot)
    if path is None:
        raise StoreUnavailable("the sitemap is not ready for this version of the data yet: try again in a moment")
    return path


def _rows(path: Path, sql: str, *parameters: int) -> list[tuple[str, ...]]:
    """Rows of the search index (table ``entries`` of carrefour.artifacts.search), read only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def _children(path: Path) -> int:
    """Children of resources: the index's rows are numbered from 1 as they were written."""
    last = _rows(path, "SELECT max(rowid) FROM entries")[0][0] or 0
    return -(-int(last) // URLS_PER_SITEMAP)


def _date(snapshot: Snapshot) -> str:
    return snapshot.info.published.isoformat().replace("+00:00", "Z")


def _record_dates(site: Site, snapshot: Snapshot) -> dict[str, str]:
    """Each harvested record's last change (dct:modified in its partner's provenance graph), once per version."""

    def read() -> dict[str, str]:
        provenance = site.hub.iri("graph", "provenance") + "/"
        dates: dict[str, str] = {}
        for quad in snapshot.quads(None, _MODIFIED, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(provenance):
                dates[quad.subject.value] = max(dates.get(quad.subject.value, ""), quad.object.value)
        return dates

    return site.memo.get(snapshot.info.state, "record-dates", read)


def _resource_urls(site: Site, snapshot: Snapshot, path: Path, number: int) -> list[tuple[str, str]]:
    first = (number - 1) * URLS_PER_SITEMAP + 1
    rows = _rows(path, "SELECT iri FROM entries WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                 first, first + URLS_PER_SITEMAP - 1)  # fmt: skip
    dates, published = _record_dates(site, snapshot), _date(snapshot)
    return [(site.hub.page_of(iri), dates.get(iri, published)) for (iri,) in rows]


def _hub_urls(site: Site, snapshot: Snapshot) -> list[tuple[str, str]]:
    """The hub's own pages, its reports and graphs, and the concept schemes (the partners' taxonomies too)."""
    hub, published = site.hub, _date(snapshot)
    pages = [hub.iri(page) for page in HUB_PAGES]
    pages += [hub.iri("browse", facet) for facet in FACET_NAMES]
    graphs = sorted(site.describer.named_graphs.catalogue(snapshot).counts)
    report_prefix = hub.iri("graph", "report") + "/"
    pages += [hub.iri("report", g[len(report_prefix) :]) for g in graphs if g.startswith(report_prefix)]
    pages += [g for g in graphs if site.describer.named_graphs.kind(g) is not None]
    schemes = {q.subject.value for q in snapshot.quads(None, ox.NamedNode(RDF + "type"), _SCHEME)}
    pages += sorted(hub.page_of(s) for s in schemes if hub.is_local(s) and "#" not in s)
    return [(page, published) for page in dict.fromkeys(pages)]


def _urlset(urls: Iterable[tuple[str, str]]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n'
    for loc, lastmod in urls:
        english = with_language(loc, "en")
        yield (
            f"<url><loc>{escape(loc)}</loc><lastmod>{escape(lastmod)}</lastmod>"
            f'<xhtml:link rel="alternate" hreflang="fr" href={quoteattr(loc)}/>'
            f'<xhtml:link rel="alternate" hreflang="en" href={quoteattr(english)}/></url>\n'
        )
    yield "</urlset>\n"
