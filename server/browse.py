"""``/browse/``: the hub by theme, audience, method, actor type, region, département and partner.

Each list comes from the version's facet counts and links every value to its own
page, which pages the records of that value (``?page=N``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from carrefour.artifacts.facets import FACET_NAMES
from carrefour.errors import NotFound
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.describe import Page
from server.i18n import choose_language, with_language
from server.site import get_site, page_number
from server.vocabulary import pick

blueprint = Blueprint("browse", __name__)

OVERVIEW_ITEMS = 8
KINDS = ("initiative", "programme", "actor", "concept")  # the columns of a facet's table, where it has any


# Browsing facet -> the catalogue's filter showing its records, one card per initiative.
CATALOGUE_FILTERS = {"theme": "theme", "audience": "audience", "method": "method", "actor-type": "actor-type",
                     "region": "territory", "departement": "territory", "partner": "partner"}  # fmt: skip


def facet_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Facet values with their label in ``lang`` and their records by kind (``kinds``; absent from versions
    counted before kinds were: those give their records in all, ``count``)."""
    return [{**row, "label": pick(row["labels"], lang) or row["iri"], "kinds": row.get("kinds") or {}} for row in rows]


def catalogue_url(facet: str, iri: str, lang: str) -> str:
    """The catalogue filtered on one value of a browsing facet (``/search?territory=region/53``)."""
    hub = get_site().hub
    if facet in ("region", "departement"):
        code = iri.removeprefix(hub.iri("territory") + "/")
    elif facet == "partner":
        code = iri.removeprefix(hub.iri("partner") + "/")
    else:
        code = iri.rstrip("/").rsplit("/", 1)[-1]
    return with_language(url_for("search.search_page"), lang, **{CATALOGUE_FILTERS[facet]: code})


def _answer(template: str, parts: tuple[object, ...], **context: Any) -> Response:
    site = get_site()
    snapshot = site.store.snapshot()
    etag = etag_for(snapshot, *parts)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    response = Response(render_template(template, **context), content_type="text/html; charset=utf-8")
    return cacheable(response, etag, snapshot.info.published)


@blueprint.get("/browse/")
def index() -> Response:
    """The first values of every facet, with links to the full lists."""
    site = get_site()
    lang = choose_language(request)
    facets = site.facets(site.store.snapshot())
    overview = {name: facet_rows(facets.get(name, [])[:OVERVIEW_ITEMS], lang) for name in FACET_NAMES}
    totals = {name: len(facets.get(name, [])) for name in FACET_NAMES}
    return _answer("browse.html", ("browse", lang), overview=overview, totals=totals)


@blueprint.get("/browse/<any(" + ", ".join(f'"{name}"' for name in FACET_NAMES) + "):facet>")
def facet(facet: str) -> Response:
    """Every value of one facet with its number of records, ``page_size`` a page.

    :raises NotFound: the page is past the last one.
    """
    site = get_site()
    lang = choose_language(request)
    number = page_number()
    rows = site.facets(site.store.snapshot()).get(facet, [])
    page = Page(number, site.page_size, len(rows))
    if number > page.last:
        raise NotFound(f"page {number} is past the last page ({page.last})")
    start = (number - 1) * page.size
    return _answer(
        "browse_facet.html",
        ("browse", facet, number, lang),
        facet=facet,
        kinds=[kind for kind in KINDS if any((row.get("kinds") or {}).get(kind) for row in rows)],
        rows=facet_rows(rows[start : start + page.size], lang),
        page=page,
        page_url=lambda n: with_language(url_for("browse.facet", facet=facet), lang, page=n),
        catalogue_url=lambda iri: catalogue_url(facet, iri, lang),
    )
