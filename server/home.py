"""The home page: what the hub holds, per partner, theme and region, and the search box."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from carrefour.artifacts.stats import read_stats
from carrefour.store.base import Snapshot
from server.browse import facet_rows
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.i18n import choose_language, translate
from server.site import Site, get_site

blueprint = Blueprint("home", __name__)
CURATED = "curated"  # report/curated: the curated data's report, published by `carrefour init`


@blueprint.get("/")
def index() -> Response:
    site = get_site()
    snapshot = site.store.snapshot()
    lang = choose_language(request)
    etag = etag_for(snapshot, "home", lang)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    facets = site.facets(snapshot)
    counts = {name: facet_rows(facets.get(name, []), lang) for name in ("partner", "theme", "region")}
    body = render_template(
        "home.html",
        stats=read_stats(snapshot) or {},
        info=snapshot.info,
        counts=counts,
        reports=_reports(site, snapshot, {row["iri"]: row["label"] for row in counts["partner"]}, lang),
    )
    return cacheable(Response(body, content_type="text/html; charset=utf-8"), etag, snapshot.info.published)


def _reports(site: Site, snapshot: Snapshot, partner_names: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """(report IRI, whose data) of every validation report of the version, the curated data's first."""
    prefix = site.hub.iri("graph", "report") + "/"
    graphs = site.describer.named_graphs.catalogue(snapshot).counts
    ids = sorted((g[len(prefix) :] for g in graphs if g.startswith(prefix)), key=lambda i: (i != CURATED, i))
    return [
        (
            site.hub.iri("report", report_id),
            translate(lang, "curated_data")
            if report_id == CURATED
            else partner_names.get(site.hub.iri("partner", report_id), report_id),
        )
        for report_id in ids
    ]
