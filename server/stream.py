"""``/stream/…``: the hub's Linked Data Event Streams, one for the hub and one per partner.

``stream/hub``, ``stream/curated`` and ``stream/partner/{id}`` are the streams;
``…/view``, ``…/block/{b}`` and ``…/page/{n}`` their nodes (server.stream_documents).
Every document comes in every RDF format the hub serves (negotiated, or a suffix:
``…/page/3.ttl``), JSON-LD with the hub's own context, and in HTML for browsers.  A full page, and a block of
full pages, is immutable: ``Cache-Control: immutable`` for a year, and an ETag that
does not depend on the dataset version; the rest (the stream, its view, the latest
page and block) changes with every session that adds versions: one minute.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, render_template, request

from carrefour import __version__, formats
from carrefour.errors import NotFound
from carrefour.history.terms import HUB, TREE, Names
from server import stream_documents as documents
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.i18n import choose_language
from server.negotiation import RDF_OFFERS, choose_representation
from server.pages import MEDIA_TYPES
from server.site import get_site

blueprint = Blueprint("stream", __name__)

# Every RDF format the hub writes, the dataset formats last: clients that prefer them (ldes-client) get them
OFFERS = (*RDF_OFFERS, *(f for f in formats.RDF_FORMATS if f.datasets and f not in RDF_OFFERS))
EXTENSIONS = {f.extension: f.name for f in OFFERS}
LATEST_MAX_AGE = 60
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
TITLES = {"hub": "Carrefour: versions of every record", "curated": "Carrefour: versions of the curated records"}


def _split_suffix(path: str) -> tuple[str, str | None]:
    """``page/3.ttl`` → (``page/3``, ``ttl``)."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension and extension in EXTENSIONS:
        return stem, EXTENSIONS[extension]
    return path, None


def _scope(parts: list[str]) -> tuple[str, list[str]] | None:
    """(scope, the node's path within the stream) of a path below ``stream/``."""
    if parts[:1] in (["hub"], ["curated"]):
        return parts[0], parts[1:]
    if parts[:1] == ["partner"] and len(parts) >= 2 and parts[1]:
        return f"partner/{parts[1]}", parts[2:]
    return None


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise NotFound(f"no node {text!r} in this stream")
    return int(text)


def _document(scope: str, node: list[str]) -> documents.StreamDocument | None:
    site = get_site()
    snapshot, names = site.store.snapshot(), Names(site.hub)
    match node:
        case []:
            return documents.collection(snapshot, names, scope, TITLES.get(scope, f"Carrefour: versions of {scope}"))
        case ["view"]:
            return documents.root(snapshot, names, scope)
        case ["block", number]:
            return documents.block(snapshot, names, scope, _number(number))
        case ["page", number]:
            return documents.page(snapshot, names, scope, _number(number), site.hub.base)
    return None


def _body(document: documents.StreamDocument, name: str, path: str) -> bytes:
    site = get_site()
    if name == "html":
        prefix = site.hub.iri("stream") + "/"
        nodes = sorted({t.object.value for t in document.triples if t.predicate.value == TREE + "node"})
        nodes = [node for node in nodes if node.startswith(prefix)]
        alternates = [(f.name, f"{site.hub.iri('stream', path)}.{f.extension}", f.media_type) for f in OFFERS]
        page = render_template("stream.html", iri=document.iri.value, triples=document.triples, nodes=nodes,
                               alternates=alternates)  # fmt: skip
        return page.encode()
    info = formats.by_name(name)
    assert info is not None
    return site.writer.write(document.triples, info, document.iri, site.compactor(site.store.snapshot()))


@blueprint.get("/stream/<path:rest>")
def stream_node(rest: str) -> Response:
    """A stream, its view, a block or a page, in the negotiated RDF format.

    :raises NotFound: no such stream or node (404; a partner whose records have no version yet has no stream).
    :raises NotAcceptable: no RDF format fits the Accept header (406).
    """
    path, suffix = _split_suffix(rest)
    choice = choose_representation(request, override=suffix, rdf=OFFERS, html_last=True)
    found = _scope(path.split("/"))
    if found is None:
        raise NotFound(f"no event stream at stream/{path}: try stream/{HUB}")
    site = get_site()
    snapshot = site.store.snapshot()
    document = _document(*found)
    if document is None:
        raise NotFound(f"no event stream node at stream/{path}")
    language = choose_language(request) if choice.name == "html" else ""
    if document.immutable:
        etag = hashlib.sha256(f"{__version__}\x1f{path}\x1f{choice.name}\x1f{language}".encode()).hexdigest()[:32]
        modified, max_age = document.modified or snapshot.info.published, IMMUTABLE_MAX_AGE
    else:
        etag = etag_for(snapshot, "stream", path, choice.name, language)
        modified, max_age = snapshot.info.published, LATEST_MAX_AGE
    headers = {"Vary": "Accept", "Content-Location": f"{site.hub.iri('stream', path)}.{choice.name}"}
    if not_modified(etag, modified):
        response = not_modified_response(etag, modified, max_age)
    else:
        body = _body(document, choice.name, path)
        response = Response(body, content_type=MEDIA_TYPES.get(choice.name, choice.media_type))
        response = cacheable(response, etag, modified, max_age)
    response.headers.update(headers)
    if document.immutable:
        response.headers["Cache-Control"] += ", immutable"
    return response
