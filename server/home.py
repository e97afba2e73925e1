"""The home page: what the hub holds, per partner, theme and region, and the search box."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from carrefour.artifacts.stats import read_stats
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.i18n import choose_language
from server.site import get_site
from server.vocabulary import pick

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> Response:
    site = get_site()
    snapshot = site.store.snapshot()
    lang = choose_language(request)
    etag = etag_for(snapshot, "home", lang)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    facets = site.facets(snapshot)
    counts = {
        name: [(row["iri"], pick(row["labels"], lang) or row["iri"], row["count"]) for row in facets.get(name, [])]
        for name in ("partner", "theme", "region")
    }
    body = render_template("home.html", stats=read_stats(snapshot) or {}, info=snapshot.info, counts=counts)
    return cacheable(Response(body, content_type="text/html; charset=utf-8"), etag, snapshot.info.published)
