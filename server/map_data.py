"""``/map/``: the map of the hub's records, and the GeoJSON every map of the hub reads.

``/map/data.geojson`` answers the filters of :mod:`server.map_query` (``record=`` an
IRI gives one record with its twins, as the record pages show them) with the shape of
:mod:`carrefour.map_features`, gzipped for clients that accept it; with no filter, it
is the file written at publication.  ``/map/communes.json?q=`` finds the communes a
visitor names for "autour de".  Both are computed from the version's ``places.json``.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import BadRequest

from carrefour.artifacts.places import FRANCE_MAP_FILE, read_places
from carrefour.centres import find_communes
from carrefour.errors import StoreUnavailable
from carrefour.map_features import feature_collection
from carrefour.store.base import Snapshot
from carrefour.vocab import Hub
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.catalogue_i18n import word
from server.i18n import choose_language
from server.map_query import LEVELS, MapQuery, parse_query
from server.memo import VersionCache
from server.site import Site, get_site

blueprint = Blueprint("map", __name__)

GEOJSON = "application/geo+json"
BODY_CACHE_BYTES = 16 * 1024 * 1024  # per web worker: the maps of the territories people look at
Row = dict[str, Any]


def places(site: Site, snapshot: Snapshot) -> list[Row]:
    """The version's rows (see carrefour.artifacts.places).

    :raises StoreUnavailable: the version was published without them (503).
    """
    rows = site.memo.get(snapshot.info.state, "places", lambda: read_places(snapshot))
    if rows is None:
        raise StoreUnavailable("this version of the hub has no map data yet")
    return rows


def places_by_iri(site: Site, snapshot: Snapshot) -> dict[str, Row]:
    return site.memo.get(snapshot.info.state, "places-by-iri", lambda: {r["iri"]: r for r in places(site, snapshot)})


def record_placement(site: Site, snapshot: Snapshot, iri: str) -> tuple[bool, bool]:
    """Whether a record (or a twin of it) is on the map, and whether it is there at its commune's centre
    (or, placed by its twins only, they all are)."""
    if site.memo.get(snapshot.info.state, "places", lambda: read_places(snapshot)) is None:
        return False, False
    placed = [row for row in _record_rows(site, snapshot, iri) if "lat" in row]
    own = [row for row in placed if row["iri"] == iri] or placed
    return bool(placed), bool(own) and all(row.get("approximate") for row in own)


def territory_map_url(hub: Hub, iri: str) -> str | None:
    """The GeoJSON of a territory page's map: its records (every record for France); None for other pages."""
    prefix = hub.iri("territory") + "/"
    if iri == hub.iri("territory", "fr"):
        return hub.iri("map", "data.geojson")
    level = iri[len(prefix) :].split("/", 1)[0] if iri.startswith(prefix) else ""
    return hub.iri("map", "data.geojson") + f"?territory={iri[len(prefix) :]}" if level in LEVELS else None


def _record_rows(site: Site, snapshot: Snapshot, iri: str) -> list[Row]:
    by_iri = places_by_iri(site, snapshot)
    row = by_iri.get(iri)
    return [] if row is None else [row, *(by_iri[twin] for twin in row.get("twins", ()) if twin in by_iri)]


def _collection(site: Site, snapshot: Snapshot, query: MapQuery, record: str, lang: str) -> dict[str, Any]:
    if record:
        rows = _record_rows(site, snapshot, record)
        return feature_collection(rows, site.hub, lang, merge_twins=False)
    extra = [("around", {"name": query.around, "radiusKm": query.radius_km})] if query.around else []
    return feature_collection(query.select(places(site, snapshot)), site.hub, lang, extra)


def _bodies() -> VersionCache[tuple[Any, ...], bytes]:
    return current_app.extensions["carrefour.map_bodies"]  # type: ignore[no-any-return]


def _send(body_gz: bytes, etag: str, snapshot: Snapshot) -> Response:
    """The gzipped body as it is to clients that accept gzip, unpacked for the others."""
    accepts = "gzip" in request.accept_encodings
    response = Response(body_gz if accepts else gzip.decompress(body_gz), content_type=GEOJSON)
    if accepts:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return cacheable(response, etag, snapshot.info.published)


@blueprint.get("/map/data.geojson")
def data() -> Response:
    """The records the query string selects, as a GeoJSON FeatureCollection (``unplaced``: those without a place).

    :raises BadRequest: a filter's value is malformed (400).
    :raises StoreUnavailable: the version has no map data (503).
    """
    site = get_site()
    snapshot = site.store.snapshot()
    query = parse_query(request.args)
    record = request.args.get("record", "")
    if record and not site.hub.is_local(record):
        raise BadRequest("record: an IRI of this hub")
    lang = choose_language(request)
    key = ("map", query.key, record, lang)
    etag = etag_for(snapshot, *key)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    body = _bodies().get(snapshot.info.state, key)
    if body is None:
        france = snapshot.info.artifacts / FRANCE_MAP_FILE if snapshot.info.artifacts else None
        if query.empty and not record and lang == "fr" and france is not None and france.exists():
            body = france.read_bytes()
        else:
            collection = _collection(site, snapshot, query, record, lang)
            text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
            body = gzip.compress(text.encode("utf-8"), 6, mtime=0)
        _bodies().put(snapshot.info.state, key, body)
    return _send(body, etag, snapshot)


@blueprint.get("/map/communes.json")
def communes() -> Response:
    """The communes matching ``q`` (a name, postal code or INSEE code): name, code, postal codes, centre."""
    found = find_communes(request.args.get("q", "")[:80])
    return jsonify(
        [
            {
                "name": p.name,
                "code": p.code,
                "postalCodes": list(p.postal_codes),
                "departement": p.departement,
                "latitude": p.latitude,
                "longitude": p.longitude,
            }  # fmt: skip
            for p in found
        ]
    )


@blueprint.get("/map/")
def page() -> Response:
    """The map of every record the hub can place, with its list equivalent."""
    site = get_site()
    snapshot = site.store.snapshot()
    lang = choose_language(request)
    etag = etag_for(snapshot, "map-page", lang)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    html = render_template("map.html", title=word(lang, "map_title"))
    return cacheable(Response(html, content_type="text/html; charset=utf-8"), etag, snapshot.info.published)


def init_app(app: Flask) -> None:
    """Register the blueprint and each worker's cache of map bodies."""
    app.extensions["carrefour.map_bodies"] = VersionCache(BODY_CACHE_BYTES, lambda key, body: len(body) + 200)
    app.register_blueprint(blueprint)
