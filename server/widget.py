"""The embeddable widget: a partner or a local authority shows the hub's map and list on its own site.

``/widget/embed?…`` is a page made to sit in an ``<iframe>``: the map and list of the
records the filters of :mod:`server.map_query` select, crediting the Carrefour and
the partners whose records it shows; its links open the hub in a new tab.
``/widget/`` builds the snippet to paste, from the same filters, with a preview.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.catalogue_i18n import word
from server.charts import labeller
from server.i18n import choose_language
from server.map_data import places
from server.map_query import LISTS, parse_query
from server.site import get_site

blueprint = Blueprint("widget", __name__)
FILTERS = ("territory", "kind", *LISTS, "around", "radius")


def _filters() -> list[tuple[str, str]]:
    """The widget's filters as given (validated by parsing them), for its URLs."""
    parse_query(request.args)
    return [(name, value) for name in FILTERS for value in request.args.getlist(name) if value.strip()]


def _page(template: str, parts: tuple[object, ...], **context: object) -> Response:
    snapshot = get_site().store.snapshot()
    etag = etag_for(snapshot, *parts)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    response = Response(render_template(template, **context), content_type="text/html; charset=utf-8")
    return cacheable(response, etag, snapshot.info.published)


@blueprint.get("/widget/embed")
def embed() -> Response:
    """The map and list of the selected records, for an ``<iframe>`` on another site.

    :raises BadRequest: a filter's value is malformed (400).
    """
    site = get_site()
    lang = choose_language(request)
    filters = _filters()
    query = parse_query(request.args)
    shown = query.select(places(site, site.store.snapshot()))
    partner_iris = sorted({site.hub.iri("partner", partner) for row in shown for partner in row.get("partners", ())})
    names = labeller(site, site.store.snapshot(), lang)(partner_iris)
    language = [("lang", lang)] if lang != "fr" else []
    data_url = url_for("map.data") + "?" + urlencode(filters + language)
    return _page(
        "widget_embed.html",
        ("widget", tuple(filters), lang),
        data_url=data_url,
        partners=[(iri, names.get(iri) or iri.rsplit("/", 1)[1]) for iri in partner_iris],
        hub_url=site.hub.base,
        title=word(lang, "map_title"),
    )


@blueprint.get("/widget/")
def builder() -> Response:
    """The snippet to paste for the filters given, and its preview."""
    site = get_site()
    lang = choose_language(request)
    filters = _filters()
    language = [("lang", lang)] if lang != "fr" else []
    embed_url = site.hub.iri("widget", "embed") + ("?" + urlencode(filters + language) if filters or language else "")
    snippet = (
        f'<iframe src="{embed_url}" title="{word(lang, "map_title")} — Carrefour des innovations sociales" '
        'width="100%" height="640" style="border:0" loading="lazy"></iframe>'
    )
    return _page(
        "widget.html",
        ("widget-builder", tuple(filters), lang),
        embed_url=embed_url,
        snippet=snippet,
        values=dict(filters),
    )
