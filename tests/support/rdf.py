"""Comparing what the hub serialised with what it meant to, through rdflib's parsers.

rdflib normalises lexical forms when it parses (``…Z`` becomes ``…+00:00``, ``"1"^^xsd:boolean``
becomes ``true``), so the expected triples go through the same parser as the documents
being checked: both sides are then normalised alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from carrefour.vocab import Hub


def parsed_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """``triples`` as rdflib reads them from a document (graph names dropped)."""
    kept = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    return rdflib.Graph().parse(data=ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES), format="nt")


def vocabulary_iris(text: str, hub: Hub) -> str:
    """Test Turtle and SPARQL name the vocabulary's IRIs relatively for brevity (``<ontology#Initiative>``,
    ``<concept/theme/health>``, ``<shapes#…>``): here they are named under the vocabulary's namespace,
    as the hub's files name them; resources stay relative to the base."""
    text = text.replace("<concept/territory>", "<territory>")
    return re.sub(r"<((?:ontology|shapes)(?:[#>])|concept/)", lambda m: f"<{hub.vocabulary}{m.group(1)}", text)
