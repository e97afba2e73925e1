"""Dereferencing: every resource IRI under the base answers with its description.

Policy (the README says the same): the thing's IRI answers directly, no 303, in the
representation negotiated from ``Accept`` (q-values; HTML when there is no Accept
header), with ``Vary: Accept`` and ``Content-Location`` naming the document that was
sent (the IRI with a suffix: ``.html``, ``.ttl``, ``.jsonld``, ``.rdf``, ``.nt``).
Those suffixed URLs, and ``?format=``, choose the representation for people who
paste URLs.  Every answer lists all representations in ``Link: <…>;
rel="alternate"; type="…"``; paged lists add ``rel="first|prev|next|last"``.
``406`` when nothing offered fits the Accept header (listing what is offered),
``404`` for an IRI the hub says nothing about, ``410`` for a record its partner
removed (its removals, in the representation asked for), ``400`` for a malformed ``page``.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import HTTPException

from carrefour import formats
from carrefour.errors import CarrefourError, NotAcceptable, NotFound
from carrefour.store.base import Snapshot
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.calls.notices import call_notice, sought_by
from server.calls.views import today
from server.dataset_facts import current_facts
from server.describe import Description
from server.dump_titles import dump_title
from server.errors import error_response
from server.i18n import DEFAULT, LANGUAGES, choose_language, with_language
from server.map_data import record_placement, territory_map_url
from server.memento_links import is_record_path, memento_links
from server.negotiation import HTML, RDF_OFFERS, SUFFIXES, Choice, choose_representation
from server.page_model import PageBuilder
from server.record_card import build_card, is_record
from server.removals import removal_views
from server.schemaorg import schema_org
from server.site import CachedPage, Site, get_site, page_number

blueprint = Blueprint("pages", __name__)

KINDS = ("initiative", "actor", "call", "offer", "concept", "territory", "partner", "taxonomy", "report", "harvest",
         "change", "link", "graph")  # fmt: skip
DOCUMENTS = ("dataset", "ontology", "shapes", "territory")  # territory: the scheme of the territories
FORMAT_LABELS = {"html": "HTML", "ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF/XML", "nt": "N-Triples"}
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
               "nt": "application/n-triples; charset=utf-8"}  # fmt: skip


@blueprint.get(f"/<any({', '.join(KINDS)}):kind>/<path:rest>")
def resource(kind: str, rest: str) -> Response:
    return dereference(f"{kind}/{rest}")


@blueprint.get(f"/<any({', '.join(DOCUMENTS)}):name>")
@blueprint.get(f"/<any({', '.join(DOCUMENTS)}):name>.<any({', '.join(SUFFIXES)}):suffix>")
def document(name: str, suffix: str | None = None) -> Response:
    return dereference(name if suffix is None else f"{name}.{suffix}")


def split_suffix(path: str) -> tuple[str, str | None]:
    """``initiative/x/y.ttl`` → (``initiative/x/y``, ``ttl``); slugs never hold a dot."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension and extension.lower() in SUFFIXES:
        return stem, extension.lower()
    return path, None


def extension_of(choice: Choice) -> str:
    return "html" if choice.name == "html" else formats.by_name(choice.name).extension  # type: ignore[union-attr]


def alternates(site: Site, path: str) -> list[tuple[str, str, str]]:
    """(label, document URL, media type) of every representation of ``path``."""
    documents = [("html", HTML)] + [(f.extension, f.media_type) for f in RDF_OFFERS]
    return [(FORMAT_LABELS[ext], f"{site.hub.iri(path)}.{ext}", media) for ext, media in documents]


def _link_header(site: Site, path: str, description: Description | None = None) -> str:
    links = [f'<{url}>; rel="alternate"; type="{media}"' for _, url, media in alternates(site, path)]
    collection = description.collection if description else None
    if collection is not None and collection.page.total:
        page = collection.page
        for rel, number in (("first", 1), ("prev", page.previous), ("next", page.next), ("last", page.last)):
            if number:
                links.append(f'<{description.view(number).value}>; rel="{rel}"')  # type: ignore[union-attr]
    return ", ".join(links)


def dereference(path: str) -> Response:
    """Answer for the resource at ``path`` (relative to the base), in the negotiated representation.

    :raises NotFound: the hub says nothing about it (404), or the page is past the last one.
    :raises BadRequest: ``page`` is not a number from 1 (400).
    """
    site = get_site()
    path, suffix = split_suffix(path)
    try:
        choice = choose_representation(request, override=suffix)
    except NotAcceptable as exc:
        response = error_response(406, str(exc))
        response.headers["Link"] = _link_header(site, path)
        response.vary.add("Accept")
        return response
    try:
        return _answer(site, path, choice)
    except (CarrefourError, HTTPException) as exc:
        if suffix is None:
            raise  # the error handler negotiates the shape from Accept
        # a document URL asked for one format: the error comes as that kind of document
        status = exc.status if isinstance(exc, CarrefourError) else exc.code or 500
        message = str(exc) if isinstance(exc, CarrefourError) else exc.description or exc.name
        response = error_response(status, message, shape="text/html" if choice.name == "html" else "text/plain")
        response.vary.add("Accept")
        return response


def _answer(site: Site, path: str, choice: Choice) -> Response:
    number = page_number()
    lang = choose_language(request) if choice.name == "html" else DEFAULT
    snapshot = site.store.snapshot()
    etag = etag_for(snapshot, path, choice.name, number, lang, today())  # calls open and close with the days
    iri = site.hub.iri(path)
    record = is_record_path(path)  # a record names its TimeGate and TimeMap (server.memento)
    headers = {
        "Vary": "Accept, accept-datetime" if record else "Accept",
        "Content-Location": with_language(f"{iri}.{extension_of(choice)}", lang, page=number if number > 1 else None),
    }
    history = memento_links(iri, site.hub.base) if record else None
    published = snapshot.info.published
    if not_modified(etag, published):
        response = not_modified_response(etag, published)
        if history:
            headers["Link"] = history
        response.headers.update(headers)
        return response
    page = site.pages.get(snapshot.info.version, etag)
    headers["X-Cache"] = "miss" if page is None else "hit"
    if page is None:
        description = _describe(site, snapshot, path, number)
        body = (
            render_html(site, snapshot, description, path, lang).encode("utf-8")
            if choice.name == "html"
            else _render_rdf(site, snapshot, description, choice)
        )
        status = 410 if description.removed else 200  # Gone: published once, then removed by its partner
        page = CachedPage(body, _link_header(site, path, description), status)
        site.pages.put(snapshot.info.version, etag, page)
    headers["Link"] = f"{page.link}, {history}" if history else page.link
    content_type = MEDIA_TYPES.get(choice.name, choice.media_type)
    response = Response(page.body, status=page.status, headers=headers, content_type=content_type)
    return cacheable(response, etag, published)


def _describe(site: Site, snapshot: Snapshot, path: str, number: int) -> Description:
    try:
        iri = ox.NamedNode(site.hub.resource_at(path))
    except ValueError as exc:
        raise NotFound(f"no resource at {path!r}") from exc
    description = site.describer.describe(snapshot, iri, number)
    if description is None:
        raise NotFound(f"the hub has no description of <{iri.value}>")
    return description


def _render_rdf(site: Site, snapshot: Snapshot, description: Description, choice: Choice) -> bytes:
    info = formats.by_name(choice.name)
    assert info is not None
    return site.writer.write(description.triples(), info, description.iri, site.compactor(snapshot))


def render_html(site: Site, snapshot: Snapshot, description: Description, path: str, lang: str) -> str:
    """The resource page of ``description`` (inside a request: templates need one)."""
    number = description.collection.page.number if description.collection else 1
    other = next(code for code in LANGUAGES if code != lang)
    here = site.hub.page_of(description.iri.value)  # the vocabulary's IRIs are shown here, under the base
    builder = PageBuilder(site.hub, site.describer, site.vocabulary(snapshot), snapshot, description, lang)
    if description.removed:
        return render_template(
            "gone.html",
            iri=description.iri.value,
            removals=removal_views(builder, site.hub),
            alternates=alternates(site, path)[1:],
            other_lang_url=with_language(here, other),
        )
    page = builder.build()
    card = None
    if is_record(builder):
        placed, approximate = record_placement(site, snapshot, description.iri.value)
        card = build_card(builder, page, placed, approximate)
    return render_template(
        "resource.html",
        page=page,
        card=card,
        territory_map=territory_map_url(site.hub, description.iri.value),
        dump_title=lambda dump: dump_title(dump, lang, site.hub, current_facts(snapshot).partner_names),
        schema=schema_org(site.hub, builder, page),
        call=call_notice(site, snapshot, description.iri.value, lang),
        sought=sought_by(site, snapshot, description.iri.value, lang),
        alternates=alternates(site, path)[1:],
        page_url=lambda number: with_language(here, lang, page=number),
        # the same document whichever URL it was asked by: links name the resource itself
        other_lang_url=with_language(here, other, page=number if number > 1 else None),
    )
