"""How VoID and DCAT point to the event streams: a distribution that conforms to LDES."""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.history.terms import TYPE, Names
from carrefour.vocab import DCAT, DCT, RDFS, Hub

LDES_SPECIFICATION = ox.NamedNode("https://w3id.org/ldes/specification")
TITLE = ox.NamedNode(DCT + "title")


def stream_distribution(
    hub: Hub, dataset: ox.NamedNode, scope: str, rights: ox.NamedNode, licence: ox.NamedNode | None = None
) -> list[ox.Triple]:
    """``dataset`` has the stream ``scope`` as a DCAT distribution (and ``rdfs:seeAlso``): under ``licence``
    when the stream's records have one (a partner's), otherwise with ``rights`` saying theirs."""
    stream = Names(hub).stream(scope)
    node = ox.NamedNode(f"{stream.value}#distribution")
    return [
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), stream),
        ox.Triple(dataset, ox.NamedNode(DCAT + "distribution"), node),
        ox.Triple(node, TYPE, ox.NamedNode(DCAT + "Distribution")),
        ox.Triple(node, TITLE, ox.Literal("Flux des versions (Linked Data Event Stream)", language="fr")),
        ox.Triple(node, TITLE, ox.Literal("Versions as a Linked Data Event Stream", language="en")),
        ox.Triple(node, ox.NamedNode(DCAT + "accessURL"), stream),
        ox.Triple(node, ox.NamedNode(DCT + "conformsTo"), LDES_SPECIFICATION),
        ox.Triple(node, ox.NamedNode(DCT + "license"), licence)
        if licence is not None
        else ox.Triple(node, ox.NamedNode(DCT + "rights"), rights),
    ]
