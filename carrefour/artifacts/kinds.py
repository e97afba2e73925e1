"""The kinds of records people count: initiatives, support programmes, actors, concepts.

A support programme is an initiative (the ontology says ``cf:SupportProgramme
rdfs:subClassOf cf:Initiative``) but its records are typed only ``cf:SupportProgramme``,
and the store draws no inference: every count of a class is made over the class and
its subclasses, as the published ontology declares them.  So programmes count as
initiatives wherever initiatives are counted, and a subclass added later will too,
without publishing a second type on every record.
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDFS, SKOS, Hub

_SUBCLASSES = f"SELECT DISTINCT ?type ?class WHERE {{ ?type <{RDFS}subClassOf>+ ?class }}"


def record_classes(hub: Hub) -> dict[str, ox.NamedNode]:
    """Kind -> class of the records browsing counts ("programme" is also counted as "initiative")."""
    return {
        "initiative": hub.term("Initiative"),
        "programme": hub.term("SupportProgramme"),
        "actor": hub.term("Actor"),
        "concept": ox.NamedNode(SKOS + "Concept"),
    }


def with_subclasses(view: Snapshot | Writer, classes: dict[str, ox.NamedNode]) -> list[tuple[str, ox.NamedNode]]:
    """(name, type) for each class of ``classes`` and each of its subclasses, sorted."""
    pairs = []
    for name, term in classes.items():
        found = {row["type"] for row in view.select(_SUBCLASSES, {"class": term})}
        types = {term, *(t for t in found if isinstance(t, ox.NamedNode))}
        pairs += [(name, t) for t in sorted(types, key=lambda t: t.value)]
    return pairs


def values_clause(pairs: list[tuple[str, ox.NamedNode]]) -> str:
    """``VALUES (?kind ?type) { … }`` for the pairs: the names are the code's own keys, the types IRIs."""
    rows = " ".join(f'("{name}" {term})' for name, term in pairs)
    return f"VALUES (?kind ?type) {{ {rows} }}"
