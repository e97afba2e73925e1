"""A description's triples in Turtle, N-Triples, RDF/XML (pyoxigraph) or compact JSON-LD.

Turtle and RDF/XML declare only the prefixes of the properties, types and datatypes
the document uses, so a description starts with its content, not with twenty prefix
lines.  The hub's own resources are written as full IRIs: they are the links
people follow.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from carrefour.formats import RdfFormatInfo
from carrefour.vocab import Hub
from server.describe import TYPE
from server.jsonld import Compactor
from server.vocabulary import vocabulary_prefixes


class RdfWriter:
    def __init__(self, hub: Hub) -> None:
        self.prefixes = vocabulary_prefixes(hub)
        self._by_namespace = {namespace: name for name, namespace in self.prefixes.items()}
        self._prefix_of = lru_cache(maxsize=4096)(self._prefix)  # the same vocabulary terms in every document

    def write(self, triples: list[ox.Triple], format: RdfFormatInfo, main: ox.NamedNode, compactor: Compactor) -> bytes:
        """``triples`` serialised in ``format`` (JSON-LD compacted with ``compactor``'s context)."""
        if format.oxigraph == ox.RdfFormat.JSON_LD:
            return compactor.serialize(triples, main)
        if format.oxigraph == ox.RdfFormat.N_TRIPLES:
            return ox.serialize(triples, format=format.oxigraph)
        return ox.serialize(triples, format=format.oxigraph, prefixes=self.used_prefixes(triples))

    def used_prefixes(self, triples: list[ox.Triple]) -> dict[str, str]:
        """The prefixes of the properties, types and datatypes of ``triples``.

        Other IRIs of those namespaces are then written in full: as correct, a little longer.
        """
        terms: set[str] = set()
        for triple in triples:
            predicate, value = triple.predicate, triple.object
            terms.add(predicate.value)
            if type(value) is ox.Literal:
                terms.add(value.datatype.value)
            elif predicate == TYPE:
                terms.add(value.value)
        return dict(prefix for prefix in map(self._prefix_of, terms) if prefix is not None)

    def _prefix(self, iri: str) -> tuple[str, str] | None:
        """(name, namespace) of the prefix ``iri`` is written with, if any."""
        namespace = iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]
        name = self._by_namespace.get(namespace)
        return None if name is None else (name, namespace)
