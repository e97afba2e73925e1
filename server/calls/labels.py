"""Names the brokerage pages show: concepts of the schemes calls use, territories, publishers (once per version)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import SCHEMA, SKOS, Hub
from server.calls.board import Board

SCHEMES = ("skill", "theme", "compensation", "work-mode")
_CONCEPTS = """
SELECT ?concept ?label WHERE {
  VALUES ?scheme { %s }
  ?concept <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ;
           <http://www.w3.org/2004/02/skos/core#prefLabel> ?label .
}
"""


@dataclass
class Labels:
    concepts: dict[str, dict[str, dict[str, str]]]  # scheme → code → language → label
    names: dict[str, dict[str, str]]  # IRI (territories, publishers) → language → name

    def of(self, scheme: str, code: str, lang: str) -> str:
        found = self.concepts.get(scheme, {}).get(code, {})
        return found.get(lang) or found.get("fr") or code

    def name(self, iri: str, lang: str) -> str:
        found = self.names.get(iri, {})
        return found.get(lang) or found.get("fr") or found.get("") or iri

    def options(self, scheme: str, lang: str) -> list[tuple[str, str]]:
        """(code, label) of every concept of the scheme, in the order of their labels."""
        return sorted(((code, self.of(scheme, code, lang)) for code in self.concepts.get(scheme, {})),
                      key=lambda pair: pair[1].casefold())  # fmt: skip


def read_labels(snapshot: Snapshot, hub: Hub, boards: list[Board]) -> Labels:
    concepts: dict[str, dict[str, dict[str, str]]] = {scheme: {} for scheme in SCHEMES}
    query = _CONCEPTS % " ".join(f"<{hub.concept(scheme).value}>" for scheme in SCHEMES)
    for row in snapshot.select(query):
        iri, label = row["concept"].value, row["label"]
        scheme, _, code = iri[len(hub.vocabulary + "concept/") :].partition("/")
        if scheme in concepts and isinstance(label, ox.Literal):
            concepts[scheme].setdefault(code, {})[label.language or ""] = label.value
    items = [item for board in boards for item in board.items]
    wanted = {hub.iri("territory", key) for item in items for key in item.places + item.served}
    wanted |= {publisher for item in items for publisher in item.publishers}
    names: dict[str, dict[str, str]] = {}
    predicates = [ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(SCHEMA + "name")]
    for quad in snapshot.lookup([ox.NamedNode(iri) for iri in sorted(wanted)], predicates):
        if isinstance(quad.object, ox.Literal):
            names.setdefault(quad.subject.value, {}).setdefault(quad.object.language or "", quad.object.value)
    return Labels(concepts, names)
