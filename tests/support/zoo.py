"""A small dataset with every kind of term the hub stores, and hostile partner text.

It is written through the Store seam and read back through it: whatever a backend
changes (a lexical form, a blank node, an escape) shows as a difference.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.store.base import Store
from carrefour.vocab import RDF_TYPE, SCHEMA, XSD, Hub

HOSTILE = [
    'Café "Solidaire" } ; DROP GRAPH <http://x/> ; #',
    "deux\nlignes\r\tet une tabulation",
    "\\u0022 } INSERT DATA { <a:b> <a:c> <a:d> } #",  # the text of an escape, not a quote
    'antislash \\ et \'apostrophe\' et """ triple',
    "non-BMP 𝄞 et ☃ et é",
    "]]></literal><uri>http://evil/</uri>",
]


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


TYPED = {
    "startDate": typed("2011-01-01T00:00:00Z", "dateTime"),
    "endDate": typed("2020-06-30T18:30:00+02:00", "dateTime"),
    "foundingDate": typed("2011-03-15", "date"),
    "year": typed("2011", "gYear"),
    "amount": typed("32.5", "decimal"),
    "count": typed("14", "integer"),
    "ratio": typed("0.25", "double"),
    "active": typed("true", "boolean"),
}


@dataclass
class Zoo:
    hub: Hub
    quads: list[ox.Quad]

    @property
    def alpha(self) -> ox.NamedNode:
        return self.hub.graph("partner", "alpha")

    @property
    def beta(self) -> ox.NamedNode:
        return self.hub.graph("partner", "beta")

    @property
    def one(self) -> ox.NamedNode:
        return self.hub.node("initiative", "alpha", "one")

    def graph(self, name: ox.NamedNode) -> list[ox.Quad]:
        return [q for q in self.quads if q.graph_name == name]

    def graphs(self) -> list[ox.NamedNode]:
        return sorted({q.graph_name for q in self.quads}, key=lambda g: g.value)  # type: ignore[union-attr]


def s(local: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + local)


def build(hub: Hub, beta_size: int = 40) -> Zoo:
    """Two partner graphs: one resource with fragments, typed and hostile literals, blank nodes; a plain list."""
    alpha, beta = hub.graph("partner", "alpha"), hub.graph("partner", "beta")
    one = hub.node("initiative", "alpha", "one")
    address, funding, amount = (ox.NamedNode(f"{one.value}#{part}") for part in ("address", "funding-1", "amount"))
    contact = ox.BlankNode("contact")
    quads = [
        ox.Quad(one, RDF_TYPE, hub.term("Initiative"), alpha),
        ox.Quad(one, s("name"), ox.Literal("Un café", language="fr"), alpha),
        ox.Quad(one, s("name"), ox.Literal("A café", language="en-GB"), alpha),
        ox.Quad(one, s("address"), address, alpha),
        ox.Quad(address, s("postalCode"), ox.Literal("75011"), alpha),
        ox.Quad(address, s("streetAddress"), ox.Literal(HOSTILE[0]), alpha),
        ox.Quad(one, hub.term("funding"), funding, alpha),
        ox.Quad(funding, s("amount"), amount, alpha),  # a fragment reached through another fragment
        ox.Quad(amount, s("value"), TYPED["amount"], alpha),
        ox.Quad(one, s("contactPoint"), contact, alpha),
        ox.Quad(contact, s("name"), ox.Literal("Accueil"), alpha),
        ox.Quad(contact, s("knowsAbout"), ox.BlankNode("topic"), alpha),
        ox.Quad(ox.BlankNode("topic"), s("name"), ox.Literal("Sujet"), alpha),
        ox.Quad(one, s("sameAs"), hub.node("initiative", "beta", "0"), alpha),
        ox.Quad(ox.NamedNode(one.value + "-other"), s("name"), ox.Literal("not a fragment of one"), alpha),
    ]
    quads += [ox.Quad(one, s(name), literal, alpha) for name, literal in TYPED.items()]
    quads += [ox.Quad(one, s("description"), ox.Literal(text), alpha) for text in HOSTILE]
    for i in range(beta_size):
        node = hub.node("initiative", "beta", str(i))
        quads += [
            ox.Quad(node, RDF_TYPE, hub.term("Initiative"), beta),
            ox.Quad(node, s("name"), ox.Literal(f"Initiative {i:03d}", language="fr"), beta),
            ox.Quad(node, s("position"), typed(str(i), "integer"), beta),
        ]
    quads.append(ox.Quad(one, RDF_TYPE, hub.term("Initiative"), beta))  # the same triple in two graphs
    return Zoo(hub, quads)


BIG = 15_000  # more rows than Virtuoso's ResultSetMaxRows (10,000) and the hub's cap


def big_graph(hub: Hub, size: int = BIG) -> list[ox.Quad]:
    """One graph of ``size`` identifiers: an answer bigger than the stores' and the hub's row limits."""
    graph = hub.graph("partner", "big")
    return [
        ox.Quad(hub.node("initiative", "big", str(i)), s("identifier"), ox.Literal(str(i)), graph) for i in range(size)
    ]


def publish(store: Store, graphs: dict[ox.NamedNode, Iterable[ox.Quad | ox.Triple]]) -> str:
    """Replace these graphs in one write session; the version it published."""
    with store.writer() as writer:
        for graph, quads in graphs.items():
            writer.replace_graph(graph, quads)
        return writer.info.version


def publish_zoo(store: Store, zoo: Zoo) -> str:
    return publish(store, {g: zoo.graph(g) for g in zoo.graphs()})


def canonical(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """A hash per graph that ignores blank node labels and order."""
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[str(quad.graph_name)].append(quad)
    hashes = {}
    for name, members in by_graph.items():
        dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in members)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        lines = sorted(str(q) for q in dataset)
        hashes[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return hashes
