"""RDF files (Turtle, RDF/XML, N-Triples, N-Quads, TriG, JSON-LD) from partners that publish linked data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from carrefour import formats
from carrefour.errors import HarvestError
from loader.feeds.items import Problem, Record
from loader.feeds.jsonld import parse_jsonld_file
from loader.feeds.resources import resource_records
from loader.feeds.spec import FeedSpec

ALIASES = {"turtle": "ttl", "xml": "rdf"}


def rdf_format(spec: FeedSpec, path: Path, content_type: str) -> formats.RdfFormatInfo:
    """The format named in the config, else given by the server, else by the file extension.

    :raises HarvestError: none of them tells.
    """
    if spec.rdf_format:
        found = formats.by_name(ALIASES.get(spec.rdf_format, spec.rdf_format))
    else:
        found = formats.from_media_type(content_type) if content_type else None
        found = found or formats.from_extension(Path(spec.source).suffix) or formats.from_extension(path.suffix)
    if found is None:
        raise HarvestError(f"{spec.source}: cannot tell its RDF format: set 'rdf_format' in the partner's [feed]")
    return found


def refuse_declarations(path: Path, name: str) -> None:
    """Refuse an XML document that has a DOCTYPE, before any parser can expand its entities.

    Entity declarations let a few hundred bytes expand to gigabytes in memory ("billion
    laughs"), and HARVEST_MAX_BYTES only counts the bytes read; RDF/XML needs no DTD.
    Only the prolog is read: a DOCTYPE cannot come after the root element starts.

    :raises HarvestError: the document declares a DOCTYPE (and so possibly entities).
    """
    try:
        with path.open("rb") as handle:
            next(ElementTree.iterparse(handle, events=("start",), forbid_dtd=True), None)
    except DefusedXmlException as exc:
        raise HarvestError(
            f"{name}: DOCTYPE and entity declarations are not accepted in RDF/XML (entities can expand a small "
            "file to gigabytes): not read"
        ) from exc
    except ElementTree.ParseError:
        pass  # not well-formed: the RDF/XML parser says where


def parse_rdf(path: Path, info: formats.RdfFormatInfo, name: str, base: str | None) -> list[ox.Quad]:
    """:raises HarvestError: the file is not valid RDF in that format, with the parser's message."""
    if info.name == "jsonld":
        return parse_jsonld_file(path, name, base)
    if info.oxigraph == ox.RdfFormat.RDF_XML:
        refuse_declarations(path, name)
    try:
        return list(ox.parse(path=path, format=info.oxigraph, base_iri=base))
    except (SyntaxError, ValueError, OSError) as exc:
        hint = " (relative IRIs need a base: set 'base' in the partner's [feed])" if "relative" in str(exc) else ""
        raise HarvestError(f"{name}: not valid {info.name.upper()}: {exc}{hint}") from exc


def read_rdf(spec: FeedSpec, path: Path, name: str, content_type: str = "") -> Iterator[Record | Problem]:
    info = rdf_format(spec, path, content_type)
    base = spec.base or (spec.source if spec.remote else None)
    quads = parse_rdf(path, info, name, base)
    yield from resource_records(quads, spec.record_types, spec.prefixes)
