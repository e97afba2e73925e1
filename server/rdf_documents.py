"""Small RDF documents about the hub (service description, VoID, DCAT) as negotiated responses.

They are a few hundred triples at most and change only with the published version,
so the response carries the version in its ETag and answers conditional requests
with 304.  Turtle, RDF/XML and N-Triples come from pyoxigraph's writers; JSON-LD is
compacted by rdflib against the prefixes, so that people can read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pyoxigraph as ox
import rdflib
from flask import Response, request

from carrefour import formats
from server.negotiation import RDF_OFFERS, Choice

CACHE_CONTROL = "public, max-age=300"


def serialize_document(triples: Iterable[ox.Triple], format_name: str, prefixes: dict[str, str]) -> bytes:
    """``triples`` (each once, sorted by subject) in one of the hub's RDF formats, with ``prefixes`` where possible."""
    kept = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if format_name == "jsonld":
        graph = rdflib.Graph().parse(data=ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph.serialize(format="json-ld", context=prefixes, indent=1, encoding="utf-8")
    info = formats.by_name(format_name)
    if info is None or info.datasets:
        raise ValueError(f"not a triples format: {format_name!r}")
    return ox.serialize(kept, format=info.oxigraph, prefixes=prefixes)


def alternate_links(path: str) -> str:
    """``Link`` header naming the document in every RDF format."""
    return ", ".join(f'<{path}?format={f.name}>; rel="alternate"; type="{f.media_type}"' for f in RDF_OFFERS)


def document_response(body: bytes | str, choice: Choice, *, version: str, published: datetime, name: str) -> Response:
    """A negotiated document of the published version, with validators and 304 on a match."""
    response = Response(body, mimetype=choice.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = alternate_links(request.path)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(f"{name}-{version}-{choice.name}")
    response.last_modified = published
    return response.make_conditional(request)
