"""The SPARQL 1.1 Protocol's query operation, read from a request (https://www.w3.org/TR/sparql11-protocol/).

GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=``), or POST
``application/sparql-query`` (the query is the body); ``default-graph-uri`` and
``named-graph-uri`` may repeat.  Update operations are refused whichever way they come.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from carrefour.errors import NotAcceptable, QueryError, QueryRefused
from carrefour.sparql_results import RESULT_FORMATS
from server.negotiation import RDF_OFFERS

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, …) is refused"


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


def _refuse_invalid_utf8(encoded: bytes) -> None:
    """Refuse a ``query`` whose percent-encoded bytes are not UTF-8, which the form decoder leaves undecoded.

    :raises QueryError: 400, rather than running a query the client did not write.
    """
    for pair in encoded.split(b"&"):
        name, _, value = pair.partition(b"=")
        if unquote_to_bytes(name.replace(b"+", b" ")) != b"query":
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QueryError(f"the query is not valid UTF-8 once percent-decoded (byte {exc.start})") from None


def read_protocol_request(max_query_bytes: int) -> ProtocolRequest | None:
    """The query operation of this request, or None for a GET without a query.

    :raises QueryRefused: an update operation, by any method (403).
    :raises QueryError: no query, several, or an invalid graph IRI (400).
    :raises UnsupportedMediaType: a POST body of another type (415).
    :raises RequestEntityTooLarge: a query text above ``max_query_bytes`` (413).
    """
    params = request.args
    if "update" in params:  # in the URL of any request, whatever its body says
        raise QueryRefused(READ_ONLY)
    encoded = request.query_string  # what the client percent-encoded, checked as UTF-8 below
    if request.method == "POST":
        if request.mimetype == FORM:
            encoded += b"&" + request.get_data(cache=True)  # read first: the form is then parsed from it
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
        queries = params.getlist("query")
        if not queries:
            return None
    if len(queries) != 1:
        raise QueryError(f"a request carries exactly one query; this one has {len(queries)}")
    text = queries[0]
    _refuse_invalid_utf8(encoded)
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


def format_override(form: str | None, values: tuple[str, ...]) -> str | None:
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
