"""The RDF formats the hub reads and writes: one table, looked up three ways."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormatInfo:
    name: str  # short name used in ?format= and CLI options
    media_type: str
    extension: str
    oxigraph: ox.RdfFormat
    rdflib: str
    datasets: bool  # can carry named graphs
    aliases: tuple[str, ...] = ()  # other media types clients send


RDF_FORMATS: tuple[RdfFormatInfo, ...] = (
    RdfFormatInfo("ttl", "text/turtle", "ttl", ox.RdfFormat.TURTLE, "turtle", False, ("application/x-turtle",)),
    RdfFormatInfo(
        "jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, "json-ld", True, ("application/json",)
    ),
    RdfFormatInfo("rdf", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, "xml", False, ("application/xml",)),
    RdfFormatInfo("nt", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, "nt", False, ("text/plain",)),
    RdfFormatInfo("nq", "application/n-quads", "nq", ox.RdfFormat.N_QUADS, "nquads", True),
    RdfFormatInfo("trig", "application/trig", "trig", ox.RdfFormat.TRIG, "trig", True),
)

_BY_NAME = {f.name: f for f in RDF_FORMATS}
_BY_EXTENSION = {f.extension: f for f in RDF_FORMATS} | {"json": _BY_NAME["jsonld"], "xml": _BY_NAME["rdf"]}
_BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS} | {alias: f for f in RDF_FORMATS for alias in f.aliases}


def by_name(name: str) -> RdfFormatInfo | None:
    return _BY_NAME.get(name.lower())


def from_extension(extension: str) -> RdfFormatInfo | None:
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def from_media_type(media_type: str) -> RdfFormatInfo | None:
    return _BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())
