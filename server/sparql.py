"""``/sparql``: the public SPARQL 1.1 endpoint (https://www.w3.org/TR/sparql11-protocol/).

A query comes by GET (``?query=``), by POST form or by POST ``application/sparql-query``,
with ``default-graph-uri`` / ``named-graph-uri`` naming its dataset.  Without a query,
GET answers with the service description, or the query editor for people.

Public means hostile: every query passes one gate (:mod:`carrefour.sparql.gate`) that
parses it once, refuses updates, SERVICE to hosts the operator did not allow and
functions that are not SPARQL 1.1's, and hands the store a canonical text written
from the parsed query, never the client's; the query text is bounded, and the query
runs in a killable process under a time limit and a result cap
(``Snapshot.run_public_query``); a capped answer says so in its headers.  Answers are cached until the next
publication and carry an ETag, so repeating a query costs nothing.  A CONSTRUCT or
DESCRIBE answered in JSON-LD is compacted with the hub's context (``/context.jsonld``),
like every description the hub dereferences.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from carrefour.artifacts.stats import partner_graphs
from carrefour.errors import CarrefourError
from carrefour.sparql.gate import GatePolicy, gate
from carrefour.sparql_results import RESULT_FORMATS
from carrefour.store.base import PublicQuery, QueryAnswer, Snapshot
from carrefour.vocab import Hub
from server.dataset_facts import current_facts
from server.errors import http_error, hub_error
from server.i18n import choose_language
from server.jsonld import compact_answer
from server.negotiation import HTML, RDF_OFFERS, choose_representation, choose_results_format
from server.rdf_documents import document_response, serialize_document
from server.service_description import PREFIXES, service_description
from server.site import get_site
from server.sparql_cache import AnswerCache, AnswerKey
from server.sparql_examples import examples
from server.sparql_protocol import ProtocolRequest, format_override, read_protocol_request

blueprint = Blueprint("sparql", __name__)

CACHE_CONTROL = "public, max-age=60"
_CACHE_KEY = "carrefour.sparql_cache"
_POLICY_KEY = "carrefour.sparql_policy"

# Errors here are read by scripts and by the query editor: plain text unless asked otherwise.
blueprint.register_error_handler(CarrefourError, partial(hub_error, plain_first=True))
blueprint.register_error_handler(HTTPException, partial(http_error, plain_first=True))


def _negotiate(form: str | None, values: tuple[str, ...]) -> tuple[str, str]:
    """(results format, graph format): the one this query's form uses is negotiated."""
    override = format_override(form, values)
    if form in ("SELECT", "ASK"):
        return choose_results_format(request, override), "ttl"
    return "json", choose_representation(request, html=False, override=override).name


def _prefers_html() -> bool:
    """A browser following a link: HTML wanted more than any results or RDF format."""
    machine = [f.media_type for f in RESULT_FORMATS] + [f.media_type for f in RDF_OFFERS]
    return bool(request.accept_mimetypes) and request.accept_mimetypes.best_match([*machine, HTML]) == HTML


def _policy() -> GatePolicy:
    """What public queries may do here: SERVICE hosts, the base and the prefixes known without PREFIX."""
    policy = current_app.extensions.get(_POLICY_KEY)
    if policy is None:
        config = current_app.config["CARREFOUR"]
        hub: Hub = current_app.extensions["carrefour.hub"]
        policy = GatePolicy.of(hub.base, config["SPARQL_SERVICE_ALLOW"], hub.prefixes())
        current_app.extensions[_POLICY_KEY] = policy
    return policy


def _cache() -> AnswerCache:
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        megabytes = float(current_app.config["CARREFOUR"]["SPARQL_CACHE_MB"])
        cache = current_app.extensions.setdefault(_CACHE_KEY, AnswerCache(int(megabytes * 1024 * 1024)))
    return cache


def _answer_headers(response: Response, answer: QueryAnswer, public: PublicQuery, cache_status: str) -> None:
    response.headers["Vary"] = "Accept"
    response.headers["X-Cache"] = cache_status
    response.headers["X-SPARQL-Result-Cap"] = str(public.cap)
    response.headers["X-SPARQL-Result-Capped"] = "true" if answer.capped else "false"
    response.headers["X-SPARQL-Result-Count"] = str(answer.count)
    response.headers["X-SPARQL-Result-Max-Bytes"] = str(public.max_bytes)


def answer_query(snapshot: Snapshot, protocol: ProtocolRequest, config: dict[str, Any]) -> Response:
    """Run (or find in the cache) one public query and send its answer.

    :raises QueryRefused: an update or a SERVICE call to a host not allowed (403).
    :raises QueryError: the query is malformed (400, with the parser's message).
    :raises NotAcceptable: no format of this query's form matches the request (406).
    :raises QueryOverLimit: the query ran out of time or memory (503).
    """
    gated = gate(protocol.query, _policy())
    select_format, graph_format = _negotiate(gated.form, protocol.formats)
    public = PublicQuery(
        query=gated,
        select_format=select_format,
        graph_format=graph_format,
        default_graphs=protocol.default_graphs,
        named_graphs=protocol.named_graphs,
        timeout=float(config["SPARQL_TIMEOUT"]),
        cap=int(config["SPARQL_RESULT_CAP"]),
        max_bytes=int(float(config["SPARQL_RESULT_MAX_MB"]) * 1024 * 1024),
        prefixes=_policy().prefixes,  # the hub's: readable Turtle and RDF/XML answers
    )
    result_format = select_format if gated.form in ("SELECT", "ASK") else graph_format
    key = AnswerKey(gated.text, result_format, public.default_graphs, public.named_graphs, public.cap, public.max_bytes)
    version = snapshot.info.version
    cacheable = gated.cacheable
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
        answer = snapshot.run_public_query(public)
        if gated.form not in ("SELECT", "ASK") and graph_format == "jsonld":  # with the context of dereferencing
            answer = replace(answer, body=compact_answer(answer.body, get_site().compactor(snapshot)))
        if cacheable:
            cache.put(version, key, answer)
    response = Response(answer.body, mimetype=answer.media_type)
    _answer_headers(response, answer, public, cache_status)
    if etag is not None:
        response.set_etag(etag)
        response.last_modified = snapshot.info.published
        if request.method != "POST":
            response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def partners_by_initiatives(snapshot: Snapshot, hub: Hub) -> list[str]:
    """The published partners' ids, those with most initiatives first (the facet counts), then by id."""
    initiatives = {
        row["iri"]: (row.get("kinds") or {}).get("initiative", 0)
        for row in get_site().facets(snapshot).get("partner", [])
    }
    ids = sorted(partner_graphs(snapshot, hub))
    return sorted(ids, key=lambda partner_id: -initiatives.get(hub.partner(partner_id).value, 0))


def editor_page(snapshot: Snapshot, hub: Hub, config: dict[str, Any]) -> Response:
    """The query editor, with the example queries, its limits and the other ways in."""
    found = examples(hub, partners_by_initiatives(snapshot, hub))
    lang = choose_language(request)
    page = render_template(
        "sparql.html",
        examples=[{"title": e.title, "title_en": e.title_en, "label": e.label(lang), "query": e.query} for e in found],
        timeout=float(config["SPARQL_TIMEOUT"]),
        cap=int(config["SPARQL_RESULT_CAP"]),
        formats=RDF_OFFERS,
        vocabulary=hub.vocabulary,
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
