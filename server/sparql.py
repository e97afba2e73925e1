"""``/sparql``: the public SPARQL 1.1 endpoint (https://www.w3.org/TR/sparql11-protocol/).

A query comes by GET (``?query=``), by POST form or by POST ``application/sparql-query``,
with ``default-graph-uri`` / ``named-graph-uri`` naming its dataset.  Without a query,
GET answers with the service description, or the query editor for people.

Public means hostile: updates are refused by every method, SERVICE only reaches the
hosts the operator allows, the query text is bounded, and the query runs in a
killable process under a time limit and a result cap (``Snapshot.run_public_query``);
a capped answer says so in its headers.  Answers are cached until the next
publication and carry an ETag, so repeating a query costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from carrefour.artifacts.dumps import partner_graphs
from carrefour.errors import CarrefourError, NotAcceptable, QueryError, QueryRefused
from carrefour.sparql_results import RESULT_FORMATS
from carrefour.sparql_text import check_public_query
from carrefour.store.base import PublicQuery, QueryAnswer, Snapshot
from carrefour.vocab import Hub
from server.dataset_facts import current_facts
from server.errors import http_error, hub_error
from server.negotiation import HTML, RDF_OFFERS, choose_representation, choose_results_format
from server.rdf_documents import document_response, serialize_document
from server.service_description import PREFIXES, service_description
from server.sparql_cache import AnswerCache, AnswerKey, is_cacheable
from server.sparql_examples import examples

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, …) is refused"
CACHE_CONTROL = "public, max-age=60"
_CACHE_KEY = "carrefour.sparql_cache"

# Errors here are read by scripts and by the query editor: plain text unless asked otherwise.
blueprint.register_error_handler(CarrefourError, partial(hub_error, plain_first=True))
blueprint.register_error_handler(HTTPException, partial(http_error, plain_first=True))


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation as the protocol defines it."""

    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  # the ``format`` parameter(s), overriding Accept


def _graph_uris(values: list[str], name: str) -> tuple[str, ...]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise QueryError(f"{name} {value!r} is not an absolute IRI") from exc
    return tuple(values)


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False).decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise QueryError(f"the query body is not valid {charset} text") from exc


def read_protocol_request(max_query_bytes: int) -> ProtocolRequest | None:
    """The query operation of this request, or None for a GET without a query.

    :raises QueryRefused: an update operation, by any method (403).
    :raises QueryError: no query, several, or an invalid graph IRI (400).
    :raises UnsupportedMediaType: a POST body of another type (415).
    :raises RequestEntityTooLarge: a query text above ``max_query_bytes`` (413).
    """
    params = request.args
    if request.method == "POST":
        if request.mimetype == FORM:
            params = request.values  # the form body, then the URL's own parameters
            if "update" in request.form:
                raise QueryRefused(READ_ONLY)
            queries = request.form.getlist("query")
        elif request.mimetype == QUERY_BODY:
            queries = [_body_text()]
        elif request.mimetype == UPDATE_BODY:
            raise QueryRefused(READ_ONLY)
        else:
            raise UnsupportedMediaType(
                f"a SPARQL query is sent as {FORM} (query=…) or as {QUERY_BODY}, not {request.mimetype or 'no type'}"
            )
    else:
        if "update" in params:
            raise QueryRefused(READ_ONLY)
        queries = params.getlist("query")
        if not queries:
            return None
    if len(queries) != 1:
        raise QueryError(f"a request carries exactly one query; this one has {len(queries)}")
    text = queries[0]
    size = len(text.encode("utf-8"))
    if size > max_query_bytes:
        raise RequestEntityTooLarge(
            f"the query is {size} bytes long; this endpoint accepts at most {max_query_bytes} "
            "(setting SPARQL_MAX_QUERY_BYTES)"
        )
    if not text.strip():
        raise QueryError("the query is empty")
    return ProtocolRequest(
        query=text,
        default_graphs=_graph_uris(params.getlist("default-graph-uri"), "default-graph-uri"),
        named_graphs=_graph_uris(params.getlist("named-graph-uri"), "named-graph-uri"),
        formats=tuple(value for value in params.getlist("format") if value),
    )


# ``format`` values clients send (SPARQLWrapper sends ``format=turtle``, ``format=json-ld``, and
# sometimes the media type as a second value), by query form.
RESULTS_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"} | {
    f.media_type: f.name for f in RESULT_FORMATS
}
GRAPH_ALIASES = {
    "ttl": "ttl", "turtle": "ttl", "n3": "ttl", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "rdf": "rdf", "xml": "rdf", "rdf+xml": "rdf", "rdfxml": "rdf", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
} | {alias: f.name for f in RDF_OFFERS for alias in (f.media_type, *f.aliases)}  # fmt: skip


def _override(form: str | None, values: tuple[str, ...]) -> str | None:
    """The first ``format`` value that names a format of this query's form.

    :raises NotAcceptable: ``format`` was given and names none (406).
    """
    if not values:
        return None
    aliases = RESULTS_ALIASES if form in ("SELECT", "ASK") else GRAPH_ALIASES
    for value in values:
        name = aliases.get(value.strip().lower())
        if name is not None:
            return name
    kind = "SELECT and ASK" if form in ("SELECT", "ASK") else "CONSTRUCT and DESCRIBE"
    offered = ", ".join(sorted(set(aliases.values())))
    raise NotAcceptable(f"format {', '.join(values)!r} is not one of the formats of {kind} answers: {offered}")


def _negotiate(form: str | None, values: tuple[str, ...]) -> tuple[str, str]:
    """(results format, graph format): the one this query's form uses is negotiated."""
    override = _override(form, values)
    if form in ("SELECT", "ASK"):
        return choose_results_format(request, override), "ttl"
    return "json", choose_representation(request, html=False, override=override).name


def _prefers_html() -> bool:
    """A browser following a link: HTML wanted more than any results or RDF format."""
    machine = [f.media_type for f in RESULT_FORMATS] + [f.media_type for f in RDF_OFFERS]
    return bool(request.accept_mimetypes) and request.accept_mimetypes.best_match([*machine, HTML]) == HTML


def _cache() -> AnswerCache:
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        megabytes = float(current_app.config["CARREFOUR"]["SPARQL_CACHE_MB"])
        cache = current_app.extensions.setdefault(_CACHE_KEY, AnswerCache(int(megabytes * 1024 * 1024)))
    return cache


def _answer_headers(response: Response, answer: QueryAnswer, cap: int, cache_status: str) -> None:
    response.headers["Vary"] = "Accept"
    response.headers["X-Cache"] = cache_status
    response.headers["X-SPARQL-Result-Cap"] = str(cap)
    response.headers["X-SPARQL-Result-Capped"] = "true" if answer.capped else "false"
    response.headers["X-SPARQL-Result-Count"] = str(answer.count)


def answer_query(snapshot: Snapshot, protocol: ProtocolRequest, config: dict[str, Any]) -> Response:
    """Run (or find in the cache) one public query and send its answer.

    :raises QueryRefused: an update or a SERVICE call to a host not allowed (403).
    :raises QueryError: the query is malformed (400, with the parser's message).
    :raises NotAcceptable: no format of this query's form matches the request (406).
    :raises QueryTimeout: the query ran out of time (503).
    """
    shape = check_public_query(protocol.query, list(config["SPARQL_SERVICE_ALLOW"]))
    select_format, graph_format = _negotiate(shape.form, protocol.formats)
    cap = int(config["SPARQL_RESULT_CAP"])
    result_format = select_format if shape.form in ("SELECT", "ASK") else graph_format
    key = AnswerKey(protocol.query, result_format, protocol.default_graphs, protocol.named_graphs, cap)
    version = snapshot.info.version
    cacheable = is_cacheable(protocol.query, shape)
    etag = key.digest(version) if cacheable else None
    if etag is not None and request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Vary"] = "Accept"
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
    cache = _cache()
    answer = cache.get(version, key) if cacheable else None
    cache_status = "hit" if answer is not None else ("miss" if cacheable else "bypass")
    if answer is None:
        answer = snapshot.run_public_query(
            PublicQuery(
                text=protocol.query,
                select_format=select_format,
                graph_format=graph_format,
                default_graphs=protocol.default_graphs,
                named_graphs=protocol.named_graphs,
                timeout=float(config["SPARQL_TIMEOUT"]),
                cap=cap,
            )
        )
        if cacheable:
            cache.put(version, key, answer)
    response = Response(answer.body, mimetype=answer.media_type)
    _answer_headers(response, answer, cap, cache_status)
    if etag is not None:
        response.set_etag(etag)
        response.last_modified = snapshot.info.published
        response.headers["Cache-Control"] = CACHE_CONTROL if request.method != "POST" else "no-cache"
    return response


def editor_page(snapshot: Snapshot, hub: Hub, config: dict[str, Any]) -> Response:
    """The query editor, with the example queries, its limits and the other ways in."""
    found = examples(hub, sorted(partner_graphs(snapshot, hub)))
    page = render_template(
        "sparql.html",
        examples=[{"title": e.title, "title_en": e.title_en, "query": e.query} for e in found],
        timeout=float(config["SPARQL_TIMEOUT"]),
        cap=int(config["SPARQL_RESULT_CAP"]),
        formats=RDF_OFFERS,
    )
    response = Response(page, mimetype=HTML)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol's query operation; the service description or the editor without a query."""
    config = current_app.config["CARREFOUR"]
    hub: Hub = current_app.extensions["carrefour.hub"]
    protocol = read_protocol_request(int(config["SPARQL_MAX_QUERY_BYTES"]))
    snapshot = current_app.extensions["carrefour.store"].snapshot()
    if protocol is None:
        choice = choose_representation(request, html=True, html_last=True)
        if choice.name == "html":
            return editor_page(snapshot, hub, config)
        facts = current_facts(snapshot)
        body = serialize_document(service_description(hub, config, facts), choice.name, PREFIXES)
        return document_response(
            body, choice, version=snapshot.info.version, published=snapshot.info.published, name="sparql"
        )
    if request.method == "GET" and not protocol.formats and _prefers_html():
        return editor_page(snapshot, hub, config)  # the editor runs the query from the page's URL
    return answer_query(snapshot, protocol, config)
