"""Record history as Memento (RFC 7089): every record IRI is a TimeGate, with a TimeMap and its versions.

* ``GET {record}`` with ``Accept-Datetime``: ``302`` to the version valid then (the
  first one for a date before it), ``Vary: accept-datetime``; ``400`` for a date that
  is not an HTTP date.  Without the header the record answers as always, its ``Link``
  naming itself as ``original timegate`` and its TimeMap.
* ``GET version/{stamp}/{record path}``: the version (a Memento), in every format the
  hub serves, with ``Memento-Datetime`` (a removal is a version too, saying when and
  by whom; the record's own IRI answers ``410``).  A version never changes: immutable,
  like a full page of the event stream.
* ``GET timemap/{record path}``: the versions, in ``application/link-format`` or RDF.

Versions live in the history (carrefour.history); a record's card lists them
("historique", ``history.html``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, redirect, render_template, request
from werkzeug.exceptions import BadRequest
from werkzeug.http import http_date, parse_date

from carrefour import __version__, formats
from carrefour.errors import NotFound
from carrefour.history import read
from carrefour.history.terms import AS, GENERATED_AT, TYPE, Names, time_literal
from carrefour.vocab import DCT
from server.caching import cacheable, not_modified, not_modified_response
from server.memento_links import HISTORY_KINDS, LINK_FORMAT, is_record_path, memento_links
from server.negotiation import RDF_OFFERS, SUFFIXES, best_match, choose_representation
from server.pages import MEDIA_TYPES, split_suffix
from server.site import get_site

blueprint = Blueprint("memento", __name__)

IMMUTABLE = 365 * 24 * 3600
HAS_VERSION = ox.NamedNode(DCT + "hasVersion")
WORDS = {
    "fr": {"history": "Historique", "Create": "création", "Update": "mise à jour", "Delete": "retrait",
           "timemap": "toutes les versions (TimeMap)", "version_of": "Version de", "at": "le"},
    "en": {"history": "History", "Create": "created", "Update": "updated", "Delete": "removed",
           "timemap": "every version (TimeMap)", "version_of": "Version of", "at": "on"},
}  # fmt: skip


def _versions(record: str) -> list[read.Version]:
    site = get_site()
    return read.versions_of(site.store.snapshot(), Names(site.hub), record)


def _valid_at(versions: list[read.Version], moment: datetime) -> read.Version:
    """The version valid at ``moment`` (to the second, as HTTP dates are); the first one before it."""
    valid = [v for v in versions if v.time.replace(microsecond=0) <= moment]
    return valid[-1] if valid else versions[0]


def timegate() -> Response | None:
    """``Accept-Datetime`` on a record IRI: redirect to its version valid then (RFC 7089, 4.1.1)."""
    wanted = request.headers.get("Accept-Datetime")
    if wanted is None:  # every request passes here: most go no further
        return None
    path, suffix = split_suffix(request.path.lstrip("/"))
    if request.method not in ("GET", "HEAD") or not is_record_path(path, HISTORY_KINDS):
        return None
    moment = parse_date(wanted)
    if moment is None:
        raise BadRequest(f"Accept-Datetime must be an HTTP date (RFC 9110), not {wanted!r}")
    hub = get_site().hub
    record = hub.iri(path)
    versions = _versions(record)
    if not versions:
        return None  # no past to choose from: the record answers as it is
    found = _valid_at(versions, moment.astimezone(UTC))
    response = redirect(found.iri.value + (f".{suffix}" if suffix else ""), code=302)
    response.headers["Vary"] = "accept-datetime"
    response.headers["Link"] = memento_links(record, hub.base)
    return response


def _version_or_404(path: str) -> read.Version:
    site = get_site()
    names = Names(site.hub)
    named = names.record_of_version(path)
    found = read.version(site.store.snapshot(), names, site.hub.node(path)) if named else None
    if found is None:
        raise NotFound(f"no version at {path!r}")
    return found


@blueprint.get("/version/<stamp>/<path:rest>")
def version(stamp: str, rest: str) -> Response:
    """One version of a record, in the negotiated representation.

    :raises NotFound: no such version (404).
    :raises NotAcceptable: no representation fits the Accept header (406).
    """
    site = get_site()
    path, suffix = split_suffix(f"version/{stamp}/{rest}")
    choice = choose_representation(request, override=suffix)
    found = _version_or_404(path)
    etag = hashlib.sha256(f"{__version__}\x1f{path}\x1f{choice.name}".encode()).hexdigest()[:32]
    status = 200  # a removal is a version too: the record's own IRI answers 410
    if not_modified(etag, found.time):
        response = not_modified_response(etag, found.time, IMMUTABLE)
    elif choice.name == "html":
        triples = read.version_triples(found, site.hub.base)
        body = render_template("version.html", version=found, triples=triples, words=_words(), http_date=http_date)
        response = cacheable(Response(body, status, content_type=MEDIA_TYPES["html"]), etag, found.time, IMMUTABLE)
    else:
        info = formats.by_name(choice.name)
        assert info is not None
        triples = read.version_triples(found, site.hub.base)
        body = site.writer.write(triples, info, found.iri, site.compactor(site.store.snapshot()))
        content_type = MEDIA_TYPES.get(choice.name, choice.media_type)
        response = cacheable(Response(body, status, content_type=content_type), etag, found.time, IMMUTABLE)
    response.headers["Cache-Control"] += ", immutable"
    response.headers["Memento-Datetime"] = http_date(found.time)
    response.headers["Link"] = memento_links(found.record, site.hub.base)
    response.vary.add("Accept")
    return response


@blueprint.get("/timemap/<path:rest>")
def timemap(rest: str) -> Response:
    """The versions of a record: link-format (RFC 7089, 5) by default, or RDF.

    :raises NotFound: the record has no version (404).
    """
    site = get_site()
    path, suffix = split_suffix(rest)
    record = site.hub.iri(path)
    versions = _versions(record) if is_record_path(path, HISTORY_KINDS) else []
    if not versions:
        raise NotFound(f"no version of <{record}>")
    iri = site.hub.iri("timemap", path)
    offered = [LINK_FORMAT, *(f.media_type for f in RDF_OFFERS)]
    chosen = best_match(request.accept_mimetypes, offered) if request.accept_mimetypes and not suffix else None
    if suffix or chosen not in (None, LINK_FORMAT):
        info = formats.by_name(SUFFIXES.get(suffix, suffix)) if suffix else formats.from_media_type(chosen or "")
        if info is None or info not in RDF_OFFERS:
            raise NotFound(f"no TimeMap at {request.path}")
        triples = [ox.Triple(ox.NamedNode(record), HAS_VERSION, v.iri) for v in versions]
        triples += [t for v in versions for t in _dated(v)]
        body = site.writer.write(triples, info, ox.NamedNode(record), site.compactor(site.store.snapshot()))
        response = Response(body, content_type=MEDIA_TYPES.get(info.name, info.media_type))
    else:
        lines = [f'<{record}>; rel="original timegate"', f'<{iri}>; rel="self"; type="{LINK_FORMAT}"']
        for number, found in enumerate(versions):
            rels = ["first"] * (number == 0) + ["last"] * (number == len(versions) - 1) + ["memento"]
            lines.append(f'<{found.iri.value}>; rel="{" ".join(rels)}"; datetime="{http_date(found.time)}"')
        response = Response(",\n".join(lines) + "\n", content_type=LINK_FORMAT)
    response.vary.add("Accept")
    return cacheable(response, hashlib.sha256(response.get_data()).hexdigest()[:32], versions[-1].time, 60)


def _dated(found: read.Version) -> list[ox.Triple]:
    return [
        ox.Triple(found.iri, TYPE, ox.NamedNode(AS + found.kind)),
        ox.Triple(found.iri, GENERATED_AT, time_literal(found.time)),
    ]


def _words() -> dict[str, str]:
    return WORDS["en" if request.args.get("lang") == "en" else "fr"]


def record_history(iri: str) -> list[tuple[str, str, str]]:
    """(date, what happened, version URL) of each version of a record, newest first, for its card."""
    base = get_site().hub.base
    if not (iri.startswith(base) and is_record_path(iri[len(base) :], HISTORY_KINDS)):
        return []
    return [
        (found.time.strftime("%Y-%m-%d %H:%M"), _words()[found.kind], found.iri.value)
        for found in reversed(_versions(iri))
    ]


def init_app(app: Flask) -> None:
    """Attach the TimeGate (record pages send their own links: server.pages), give record cards their history."""
    app.before_request(timegate)
    app.register_blueprint(blueprint)

    @app.context_processor
    def history() -> dict[str, object]:
        return {"record_history": record_history, "history_words": _words}
