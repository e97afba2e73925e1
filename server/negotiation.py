"""Choose a representation: explicit override first (``?format=`` or a suffix), then Accept.

werkzeug's ``accept_mimetypes.best_match`` handles q-values and specificity; when two
offers tie, the first offered wins, so the order of each offer list is our preference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from carrefour import formats
from carrefour.errors import NotAcceptable
from carrefour.sparql_results import RESULT_FORMATS, RESULT_FORMATS_BY_NAME

HTML = "text/html"

# Triple formats a resource description is offered in, in order of preference for machines.
RDF_OFFERS: tuple[formats.RdfFormatInfo, ...] = tuple(
    f for f in (formats.by_name(n) for n in ("ttl", "jsonld", "rdf", "nt")) if f is not None
)
SUFFIXES = {f.extension: f.name for f in RDF_OFFERS} | {"html": "html", "json": "jsonld", "xml": "rdf"}


@dataclass(frozen=True)
class Choice:
    """The representation to send: ``"html"`` or an RDF format name, and its media type."""

    name: str
    media_type: str


def _offers(html: bool, html_last: bool = False, offers: tuple[formats.RdfFormatInfo, ...] = RDF_OFFERS) -> list[str]:
    rdf = [f.media_type for f in offers]
    if not html:
        return rdf
    return [*rdf, HTML] if html_last else [HTML, *rdf]


@lru_cache(maxsize=1024)
def _best_for_header(header: str, offered: tuple[str, ...]) -> str | None:
    """Clients send few distinct Accept headers: each is parsed and matched once."""
    accept = parse_accept_header(header, MIMEAccept)
    return best_match(accept, list(offered)) if accept else offered[0]


def best_match(accept: MIMEAccept, offered: list[str]) -> str | None:
    """werkzeug's best match, with the client's media type parameters ignored.

    werkzeug only matches ``text/turtle;charset=utf-8`` or
    ``application/ld+json;profile="…"`` with an offer carrying the same parameters;
    the hub's representations have none to choose between, so they match the type.
    """
    bare = MIMEAccept([(value.split(";", 1)[0].strip().lower(), quality) for value, quality in accept])
    return bare.best_match(offered)


def alternatives_text(html: bool = True) -> str:
    return ", ".join(_offers(html))


def choose_representation(
    request: Request,
    *,
    html: bool = True,
    override: str | None = None,
    html_last: bool = False,
    rdf: tuple[formats.RdfFormatInfo, ...] = RDF_OFFERS,
) -> Choice:
    """Pick HTML or an RDF format for a resource page.

    :param override: a format name from the URL (``.ttl`` suffix or ``?format=ttl``).
    :param html_last: for documents meant for machines (service description, VoID, DCAT):
        HTML only when asked for more than RDF, Turtle for ``*/*`` or no Accept header.
    :param rdf: the RDF formats offered, in order of preference (documents without HTML may offer more).
    :raises NotAcceptable: nothing offered matches the Accept header (406).
    """
    override = override or request.args.get("format")
    if override:
        name = SUFFIXES.get(override.lower().lstrip("."), override.lower())
        if name == "html" and html:
            return Choice("html", HTML)
        info = formats.by_name(name)
        if info is None or info not in rdf:
            available = ", ".join(SUFFIXES) if rdf == RDF_OFFERS else ", ".join(f.name for f in rdf)
            raise NotAcceptable(f"unknown format {override!r}; available: html, {available}")
        return Choice(info.name, info.media_type)
    offered = _offers(html, html_last, rdf)
    aliases = [alias for f in rdf for alias in f.aliases]
    media_type = _best_for_header(request.headers.get("Accept", ""), tuple(offered + aliases))
    if media_type is None:
        raise NotAcceptable(
            f"none of the requested types is available; this resource is offered as {', '.join(offered)}"
        )
    if media_type == HTML:
        return Choice("html", HTML)
    info = formats.from_media_type(media_type)
    assert info is not None
    return Choice(info.name, info.media_type)


def choose_results_format(request: Request, override: str | None = None) -> str:
    """A SPARQL results format name (json, xml, csv, tsv) for SELECT and ASK answers.

    :raises NotAcceptable: nothing offered matches (406).
    """
    if override:
        if override.lower() not in RESULT_FORMATS_BY_NAME:
            raise NotAcceptable(f"unknown results format {override!r}; available: {', '.join(RESULT_FORMATS_BY_NAME)}")
        return override.lower()
    offered = [f.media_type for f in RESULT_FORMATS] + ["application/json", "application/xml", "text/plain"]
    if not request.accept_mimetypes:
        return "json"
    media_type = request.accept_mimetypes.best_match(offered)
    if media_type is None:
        available = ", ".join(f.media_type for f in RESULT_FORMATS)
        raise NotAcceptable(f"none of the requested types is available for query results; offered: {available}")
    aliases = {"application/json": "json", "application/xml": "xml", "text/plain": "tsv"}
    if media_type in aliases:
        return aliases[media_type]
    return next(f.name for f in RESULT_FORMATS if f.media_type == media_type)
