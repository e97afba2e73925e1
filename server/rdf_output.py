"""A description's triples in Turtle, N-Triples, RDF/XML (pyoxigraph) or compact JSON-LD.

Turtle declares only the prefixes the document uses, so a description starts with
its content, not with twenty prefix lines; RDF/XML declares the namespaces of its
properties.  The hub's own resources are written as full IRIs: they are the links
people follow.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from carrefour.formats import RdfFormatInfo
from carrefour.vocab import Hub
from server.jsonld import Compactor
from server.vocabulary import vocabulary_prefixes

_PREFIX_LINE = re.compile(rb"@prefix ([A-Za-z][\w-]*): <[^>]*> \.\n")


class RdfWriter:
    def __init__(self, hub: Hub) -> None:
        self.prefixes = vocabulary_prefixes(hub)
        self._by_namespace = {namespace: name for name, namespace in self.prefixes.items()}

    def write(self, triples: list[ox.Triple], format: RdfFormatInfo, main: ox.NamedNode, compactor: Compactor) -> bytes:
        """``triples`` serialised in ``format`` (JSON-LD compacted with ``compactor``'s context)."""
        if format.oxigraph == ox.RdfFormat.JSON_LD:
            return compactor.serialize(triples, main)
        if format.oxigraph == ox.RdfFormat.TURTLE:
            return _drop_unused_prefixes(ox.serialize(triples, format=format.oxigraph, prefixes=self.prefixes))
        if format.oxigraph == ox.RdfFormat.RDF_XML:
            return ox.serialize(triples, format=format.oxigraph, prefixes=self._property_namespaces(triples))
        return ox.serialize(triples, format=format.oxigraph)

    def _property_namespaces(self, triples: list[ox.Triple]) -> dict[str, str]:
        used = {}
        for predicate in {triple.predicate.value for triple in triples}:
            namespace = predicate[: max(predicate.rfind("#"), predicate.rfind("/")) + 1]
            name = self._by_namespace.get(namespace)
            if name is not None:
                used[name] = namespace
        return used


def _drop_unused_prefixes(turtle: bytes) -> bytes:
    """pyoxigraph writes every prefix it is given, first: keep those the body uses."""
    header_end = 0
    for match in _PREFIX_LINE.finditer(turtle):
        if match.start() != header_end:
            break
        header_end = match.end()
    header, body = turtle[:header_end], turtle[header_end:]
    kept = [m.group(0) for m in _PREFIX_LINE.finditer(header) if m.group(1) + b":" in body]
    return b"".join(kept) + body
