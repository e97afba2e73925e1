"""``/search`` and ``/dispositifs``: the catalogue, by text and combinable filters, in five formats.

Both read the version's catalogue index (``server.catalogue.index``) and answer in HTML
(the page for people), JSON (one page of cards, with the facet counts), CSV, GeoJSON
and JSON-LD (every match, to take away), chosen by ``format=`` or the ``Accept``
header.  ``/dispositifs`` is the same catalogue opened on the support programmes
(records typed so, and actors that describe the support they give), with the filters a
project leader needs first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask import Blueprint, Response, render_template, request, stream_with_context

from carrefour.artifacts.catalogue import catalogue_path
from carrefour.artifacts.search import MARK_END, MARK_START
from carrefour.catalogue.french import fold
from carrefour.errors import NotAcceptable, NotFound, StoreUnavailable
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.calls.notices import sought_by
from server.calls.views import today
from server.catalogue.cards import Labels, cards
from server.catalogue.engine import Answer, distances_of, run
from server.catalogue.exports import csv_lines, geojson, jsonld
from server.catalogue.index import CatalogueIndex
from server.catalogue.query import FILTERS, Query, parse_query
from server.catalogue.words import word
from server.describe import Page
from server.display import number
from server.i18n import LANGUAGES, choose_language
from server.negotiation import best_match
from server.site import Site, get_site, page_number

blueprint = Blueprint("search", __name__)  # the name /search has always had: templates link to it

FORMATS = {"html": "text/html", "json": "application/json", "csv": "text/csv", "geojson": "application/geo+json",
           "jsonld": "application/ld+json"}  # fmt: skip
WHOLE = ("csv", "geojson", "jsonld")  # formats that hold every match, not one page
FACETS_SHOWN = 12  # values listed under a facet before "see all"


@dataclass(frozen=True)
class View:
    name: str  # the endpoint
    title: str  # a word key
    intro: str
    facets: tuple[str, ...]  # shown, in order
    programmes: bool = False  # only support programmes


VIEWS = {
    "search": View("search.search_page", "catalogue_title", "catalogue_intro", FILTERS),
    "programmes": View("search.programmes", "programmes_title", "programmes_intro",
                       ("support", "territory", "audience", "stage", "theme", "partner"), programmes=True),
}  # fmt: skip


def _index(site: Site) -> CatalogueIndex:
    snapshot = site.store.snapshot()
    path = catalogue_path(snapshot)
    if path is None:
        raise StoreUnavailable(word(choose_language(request), "search_unavailable"))
    return site.memo.get(snapshot.info.state, ("catalogue", str(path)), lambda: CatalogueIndex(path))


def _programme_scope(site: Site, index: CatalogueIndex) -> np.ndarray:
    """Support programmes, and actors that describe the support types they provide."""

    def scope() -> np.ndarray:
        kinds, support = index.facets["kind"], index.facets["support"]
        chosen = np.zeros(index.size, dtype=bool)
        if "programme" in kinds.by_code:
            chosen[kinds.values[kinds.by_code["programme"]].groups] = True
        chosen[support.postings] = True
        return chosen

    return site.memo.get(site.store.snapshot().info.state, ("programme-scope", str(index.path)), scope)


def _format() -> str:
    asked = request.args.get("format")
    if asked in FORMATS:
        return asked
    if asked:
        raise NotAcceptable(f"no format {asked!r}; offered: {', '.join(FORMATS)}")
    accept = request.accept_mimetypes
    chosen = best_match(accept, list(FORMATS.values())) if accept else None
    return next((name for name, media in FORMATS.items() if media == chosen), "html")


@blueprint.get("/search")
def search_page() -> Response:
    """The catalogue: text and filters over initiatives, programmes and actors.

    :raises BadRequest: a malformed filter, sort or page (400).
    :raises NotFound: a page past the last one (404).
    :raises NotAcceptable: an unknown ``format`` (406).
    :raises StoreUnavailable: the version has no catalogue index yet (503).
    """
    return _answer(VIEWS["search"])


@blueprint.get("/dispositifs")
def programmes() -> Response:
    """Every support programme, filterable by support type, territory, audience and stage (same errors)."""
    return _answer(VIEWS["programmes"])


def _answer(view: View) -> Response:
    site = get_site()
    snapshot = site.store.snapshot()
    lang, form = choose_language(request), _format()
    query = parse_query(request.args, page_number())
    etag = etag_for(snapshot, view.name, query.params(), lang, form, today())  # the cards say which calls are open
    if not_modified(etag, snapshot.info.published):
        response = not_modified_response(etag, snapshot.info.published)
        response.vary.add("Accept")
        return response
    index = _index(site)
    limit = None if form in WHOLE else query.page * site.page_size
    answer = run(index, query, _programme_scope(site, index) if view.programmes else None, limit)
    path = request.path
    if form in WHOLE:
        response = _whole(form, index, answer, query, path, lang)
    else:
        page = Page(query.page, site.page_size, answer.total)
        if query.page > page.last:
            raise NotFound(f"page {query.page} is past the last page of results ({page.last})")
        groups = answer.page(query.page, site.page_size)
        shown = cards(index, groups, answer.keys_text or query.text, lang, distances_of(index, answer, groups))
        for card in shown:
            card.seeks = [call for record in card.records for call in sought_by(site, snapshot, record.iri, lang)]
        if form == "json":
            response = Response(json.dumps(_json(index, view, query, answer, page, shown, lang), ensure_ascii=False),
                                content_type="application/json")  # fmt: skip
        else:
            response = Response(_html(index, view, query, answer, page, shown, lang, path),
                                content_type="text/html; charset=utf-8")  # fmt: skip
    response.headers["Link"] = ", ".join(
        f'<{query.url(path, lang, format=name)}>; rel="alternate"; type="{media}"' for name, media in FORMATS.items()
    )
    response.vary.add("Accept")
    return cacheable(response, etag, snapshot.info.published)


def _whole(form: str, index: CatalogueIndex, answer: Answer, query: Query, path: str, lang: str) -> Response:
    hub, labels = get_site().hub, Labels(index, lang)
    if form == "csv":
        response = Response(stream_with_context(csv_lines(index, answer.order, labels, hub)),
                            content_type="text/csv; charset=utf-8")  # fmt: skip
        response.headers["Content-Disposition"] = 'attachment; filename="carrefour.csv"'
        return response
    if form == "geojson":
        body = geojson(index, answer.order, labels, hub)
    else:
        body = jsonld(index, answer.order, hub, hub.base + query.url(path.lstrip("/"), lang))  # the view's IRI
    return Response(json.dumps(body, ensure_ascii=False), content_type=FORMATS[form])


@dataclass(frozen=True)
class FacetLink:
    """A value of a facet as the page lists it (objects, not dicts: a template reads their attributes fast)."""

    code: str
    label: str
    count: str  # written in the page's language
    selected: bool
    url: str  # the view with the value added, or removed when it is chosen


@dataclass(frozen=True)
class FacetList:
    name: str
    links: list[FacetLink]
    open: bool


def _facets(index: CatalogueIndex, view: View, query: Query, answer: Answer, lang: str, path: str) -> list[FacetList]:
    labels = Labels(index, lang)
    shown = []
    for facet in view.facets:
        counts = answer.facets.get(facet, [])
        links = [FacetLink(c.code, labels.of(facet, c.code), number(c.count, lang), c.selected,
                           query.toggled(facet, c.code).url(path, lang)) for c in counts]  # fmt: skip
        if facet == "territory":  # places are looked for by name
            links.sort(key=lambda link: (not link.selected, link.code.count("/") > 1, fold(link.label)))
        if links:
            shown.append(FacetList(facet, links, bool(query.selected(facet))))
    return shown


def _html(index: CatalogueIndex, view: View, query: Query, answer: Answer, page: Page, shown: list, lang: str,
          path: str) -> str:  # fmt: skip
    labels = Labels(index, lang)
    active = [FacetLink(code, labels.of(facet, code), "", True, query.toggled(facet, code).url(path, lang))
              for facet, codes in query.filters for code in codes]  # fmt: skip
    other = next(code for code in LANGUAGES if code != lang)
    sorts = ["relevance", "name", "modified"] + (["distance"] if answer.reference is not None else [])
    return render_template(
        "catalogue.html",
        view=view,
        state=query,
        query=query.text,  # the header's search box shows it
        answer=answer,
        cards=shown,
        page=page,
        facets=_facets(index, view, query, answer, lang, path),
        active=active,
        clear_url=Query(query.text).url(path, lang),
        literal_url=Query(query.text, query.filters, query.sort, query.near, True).url(path, lang),
        sorts=sorts,
        downloads={name: query.url(path, lang, format=name) for name in WHOLE},
        geojson_url=query.url(path, lang, format="geojson"),
        page_url=lambda n: Query(query.text, query.filters, query.sort, query.near, query.literal, n).url(path, lang),
        see_also=_see_also(index, answer),
        w=lambda key, **values: word(lang, key, **values),
        other_lang_url=query.url(path, other),
        alternates={media: query.url(path, lang, format=name) for name, media in FORMATS.items() if name != "html"},
    )


def _see_also(index: CatalogueIndex, answer: Answer) -> list[dict[str, str]]:
    if not answer.see_also:
        return []
    marks = ",".join("?" * len(answer.see_also))
    with index.connect() as connection:
        rows = connection.execute(f"SELECT id, iri, kind, name FROM records WHERE id IN ({marks})", answer.see_also)  # noqa: S608
        found = {row[0]: {"iri": row[1], "kind": row[2], "name": row[3]} for row in rows}
    return [found[r] for r in answer.see_also if r in found]


def _json(index: CatalogueIndex, view: View, query: Query, answer: Answer, page: Page, shown: list,
          lang: str) -> dict[str, Any]:  # fmt: skip
    labels = Labels(index, lang)
    return {
        "query": query.text,
        "total": answer.total,
        "records": answer.records,
        "page": page.number,
        "pages": page.last,
        "sort": answer.sort,
        "places": [
            {"words": words, "territories": [p.code for p in places]} for words, places in answer.reading.places
        ],
        "results": [
            {
                "iri": card.iri,
                "kind": card.kind,
                "name": _plain(card.name),
                "snippet": _plain(card.snippet),
                "place": card.place,
                "distance_km": card.distance,
                "records": [{"iri": r.iri, "partner": r.partner, "name": r.name} for r in card.records],
            }
            for card in shown
        ],  # fmt: skip
        "facets": {
            facet: [
                {"code": c.code, "label": labels.of(facet, c.code), "count": c.count, "selected": c.selected}
                for c in counts
            ]
            for facet, counts in answer.facets.items()
            if facet in view.facets
        },  # fmt: skip
        "see_also": _see_also(index, answer),
    }


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")
