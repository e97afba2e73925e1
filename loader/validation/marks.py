"""Facts worked out once per validation and kept in a graph of their own, for every query to look up.

Which nodes each shape targets, and which nodes are instances of each class that
``sh:class`` names (``rdf:type/rdfs:subClassOf*`` over records and context, as pySHACL
reads it).  Following those paths again for every value costs several times more
than looking up one stored fact.
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.vocab import RDF, RDFS

MARKS = ox.NamedNode("urn:x-carrefour:validation:marks")
_FOCUS_OF = ox.NamedNode("urn:x-carrefour:validation:focus-of")
_INSTANCE_OF = ox.NamedNode("urn:x-carrefour:validation:instance-of")


def shape_marker(number: int) -> ox.NamedNode:
    return ox.NamedNode(f"urn:x-carrefour:validation:shape:{number}")


def focus_marks(marker: ox.NamedNode, focus: str) -> str:
    """The CONSTRUCT query marking each node ``focus`` (a pattern binding ``?this``) selects."""
    return f"CONSTRUCT {{ ?this {_FOCUS_OF} {marker} }} WHERE {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}"


def is_focus(marker: ox.NamedNode) -> str:
    """A pattern true when ``?this`` is a focus node of the marked shape."""
    return f"GRAPH {MARKS} {{ ?this {_FOCUS_OF} {marker} }}"


def type_path(cls: str) -> str:
    return f"<{RDF}type>/<{RDFS}subClassOf>* <{cls}>"


def instance_marks(cls: str) -> str:
    """The CONSTRUCT query marking every IRI that is an instance of ``cls``.

    Marks are stored through N-Triples, which renames blank nodes, so only IRIs are
    marked; ``is_not_instance`` follows the path itself for anything else.
    """
    return (
        f"CONSTRUCT {{ ?node {_INSTANCE_OF} <{cls}> }} "
        f"WHERE {{ SELECT DISTINCT ?node WHERE {{ ?node {type_path(cls)} FILTER(isIRI(?node)) }} }}"
    )


def is_not_instance(variable: str, cls: str) -> str:
    """An expression true when ``variable`` is not an instance of ``cls``: IRIs are looked up, the rest followed."""
    marked = f"GRAPH {MARKS} {{ {variable} {_INSTANCE_OF} <{cls}> }}"
    return f"IF(isIRI({variable}), NOT EXISTS {{ {marked} }}, NOT EXISTS {{ {variable} {type_path(cls)} }})"
