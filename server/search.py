"""``/search?q=``: full-text search over names and descriptions, paged, in HTML or JSON.

Backed by the version's FTS5 index (``carrefour.artifacts.search``), which treats
whatever the visitor typed as words, never as query syntax.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from carrefour.artifacts.search import MARK_END, MARK_START, Results, search, search_path
from carrefour.errors import NotFound, StoreUnavailable
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.describe import Page
from server.i18n import choose_language, translate, with_language
from server.negotiation import best_match
from server.site import get_site, page_number
from server.vocabulary import pick

blueprint = Blueprint("search", __name__)

MAX_QUERY_CHARS = 200


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _wants_json() -> bool:
    if request.args.get("format") in ("json", "html"):
        return request.args["format"] == "json"
    offered = ["text/html", "application/json"]
    return bool(request.accept_mimetypes) and best_match(request.accept_mimetypes, offered) == "application/json"


@blueprint.get("/search")
def search_page() -> Response | str:
    """Search results for ``q`` (page ``page``); the form alone when ``q`` is empty.

    :raises StoreUnavailable: the published version has no search index (503).
    :raises NotFound: ``page`` is past the last page of results.
    """
    site = get_site()
    snapshot = site.store.snapshot()
    text = request.args.get("q", "")[:MAX_QUERY_CHARS].strip()
    number = page_number()
    lang = choose_language(request)
    as_json = _wants_json()
    etag = etag_for(snapshot, "search", text, number, lang, as_json)
    published = snapshot.info.published
    if not_modified(etag, published):
        response = not_modified_response(etag, published)
        response.vary.add("Accept")
        return response
    path = search_path(snapshot)
    if path is None:
        raise StoreUnavailable(translate(lang, "search_unavailable"))
    results = search(path, text, (number - 1) * site.page_size, site.page_size, lang) if text else Results(0, [])
    page = Page(number, site.page_size, results.total)
    if number > page.last:
        raise NotFound(f"page {number} is past the last page of results ({page.last})")
    partners = {row["iri"]: pick(row["labels"], lang) for row in site.facets(snapshot).get("partner", [])}
    if as_json:
        response = jsonify(_json(text, page, results))
    else:
        response = Response(
            render_template(
                "search.html",
                query=text,
                results=results,
                page=page,
                partner=lambda partner_id: _partner(site.hub.partner(partner_id).value, partners, partner_id),
                page_url=lambda n: with_language(url_for("search.search_page"), lang, q=text, page=n),
            ),
            content_type="text/html; charset=utf-8",
        )
    response.vary.add("Accept")
    return cacheable(response, etag, published)


def _partner(iri: str, names: dict[str, str | None], fallback: str) -> tuple[str, str]:
    return iri, names.get(iri) or fallback


def _json(text: str, page: Page, results: Results) -> dict[str, Any]:
    return {
        "query": text,
        "total": results.total,
        "page": page.number,
        "pages": page.last,
        "results": [
            {"iri": hit.iri, "kind": hit.kind, "name": _plain(hit.title), "snippet": _plain(hit.snippet)}
            for hit in results.hits
        ],
    }
