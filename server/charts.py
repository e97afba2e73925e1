"""``/charts/``: the data-design views, each drawn from a JSON address partners can reuse.

``/charts/{name}.json`` (``region``, ``departement``, ``theme``, ``audience``,
``support``, ``partner``, ``history``) answers ``{"chart", "title", "version",
"rows"}`` (rows as :mod:`server.chart_data` makes them, labels in the ``lang``
asked); the page draws each with the vendored Chart.js, or on a map of proportional
circles for the regions and départements, and gives every chart's values as a table.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound

from carrefour.store.base import Snapshot
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.catalogue_i18n import word
from server.chart_data import CHARTS, Labeller, chart
from server.i18n import choose_language
from server.map_data import places
from server.site import Site, get_site
from server.vocabulary import pick

blueprint = Blueprint("charts", __name__)
TITLES = {"region": "chart_regions_map", "departement": "chart_departements_map", "theme": "chart_theme",
          "audience": "chart_audience", "support": "chart_support", "partner": "chart_partner",
          "history": "chart_history"}  # fmt: skip


def labeller(site: Site, snapshot: Snapshot, lang: str) -> Labeller:
    """IRIs -> their name in ``lang`` (schema:name, skos:prefLabel), looked up together."""

    def labels(iris: list[str]) -> dict[str, str]:
        found = site.describer.labels_of(snapshot, [ox.NamedNode(iri) for iri in iris])
        named = {}
        for node, triples in found.items():
            texts: dict[str, str] = {}
            for triple in triples:
                if isinstance(triple.object, ox.Literal):
                    texts.setdefault(triple.object.language or "", triple.object.value)
            named[node.value] = pick(texts, lang) or ""
        return named

    return labels


def rows_of(name: str, lang: str) -> list[dict[str, Any]]:
    site = get_site()
    snapshot = site.store.snapshot()
    key = ("chart", name, lang)
    return site.memo.get(
        snapshot.info.state, key, lambda: chart(name, places(site, snapshot), site.hub, labeller(site, snapshot, lang))
    )


def _cached(parts: tuple[object, ...], make: Any) -> Response:
    snapshot = get_site().store.snapshot()
    etag = etag_for(snapshot, *parts)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    return cacheable(make(), etag, snapshot.info.published)


@blueprint.get("/charts/<name>.json")
def data(name: str) -> Response:
    """The rows of one chart.

    :raises NotFound: no chart has that name (404).
    :raises StoreUnavailable: the version has no places (503).
    """
    if name not in CHARTS:
        raise NotFound(f"no chart named {name!r}: {', '.join(CHARTS)}")
    lang = choose_language(request)
    version = get_site().store.snapshot().info.version
    return _cached(
        ("chart", name, lang),
        lambda: jsonify(chart=name, title=word(lang, TITLES[name]), version=version, rows=rows_of(name, lang)),
    )


@blueprint.get("/charts/")
def page() -> Response:
    """Every chart, with its JSON address and its table of values."""
    lang = choose_language(request)
    charts = [
        {
            "name": name,
            "title": word(lang, TITLES[name]),
            "rows": rows_of(name, lang),
            "json": url_for("charts.data", name=name, lang=lang if lang != "fr" else None),
        }  # fmt: skip
        for name in CHARTS
    ]
    return _cached(
        ("charts-page", lang),
        lambda: Response(
            render_template("charts.html", charts=charts, chart_script=url_for("static", filename="charts/charts.js")),
            content_type="text/html; charset=utf-8",
        ),
    )
