"""What the published version is made of, for the documents that describe it.

The service description, VoID and DCAT all say the same things: which graphs, how
many triples each, which partner publishes each under which licence, which dumps
exist, which vocabularies the data uses, a few example resources.  These facts are
gathered once per version (statistics and the dumps manifest are read from the
version's artifacts; the rest takes a handful of queries) and kept until the next
publication.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from flask import current_app

from carrefour.artifacts.dumps import DumpFile, manifest_files, partner_graphs, read_manifest
from carrefour.artifacts.stats import dataset_predicates, graph_examples, read_stats
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, FOAF, SCHEMA, Graphs, Hub

_EXTENSION_KEY = "carrefour.dataset_facts"

_PARTNERS = f"""
SELECT ?registry ?class ?partner ?name ?homepage ?licence WHERE {{
  GRAPH ?registry {{
    ?partner a ?class .
    OPTIONAL {{ ?partner <{SCHEMA}name> ?name }}
    OPTIONAL {{ ?partner <{FOAF}homepage> ?homepage }}
    OPTIONAL {{ ?partner <{DCT}license> ?licence }}
  }}
}}"""
_GRAPH_LICENCE = f"SELECT ?registry ?graph ?licence WHERE {{ GRAPH ?registry {{ ?graph <{DCT}license> ?licence }} }}"


@dataclass
class PartnerFacts:
    id: str
    graph: ox.NamedNode
    node: ox.NamedNode
    name: str
    homepage: ox.NamedNode | None
    licence: ox.NamedNode | None
    triples: int
    examples: list[ox.NamedNode] = field(default_factory=list)


@dataclass
class DatasetFacts:
    version: str
    state: str  # the version and whether its artifacts were here (DatasetInfo.state)
    published: datetime
    graph_counts: dict[str, int]
    partners: list[PartnerFacts]
    classes: dict[str, int]
    vocabularies: list[str]
    dumps: list[DumpFile]

    @property
    def triples(self) -> int:
        return sum(self.graph_counts.values())

    def examples(self) -> list[ox.NamedNode]:
        return [example for partner in self.partners for example in partner.examples]

    def dumps_of(self, graph: ox.NamedNode | None) -> list[DumpFile]:
        return [d for d in self.dumps if d.graph == (graph.value if graph is not None else None)]


def vocabulary_of(predicate: str) -> str:
    """The namespace of a predicate IRI: up to its last ``#`` or ``/``."""
    cut = max(predicate.rfind("#"), predicate.rfind("/"))
    return predicate[: cut + 1]


def _partners(
    snapshot: Snapshot, hub: Hub, counts: dict[str, int], examples: dict[str, list[str]]
) -> list[PartnerFacts]:
    registry = Graphs(hub).partners
    described = {
        row["partner"].value: row
        for row in snapshot.select(_PARTNERS, {"registry": registry, "class": hub.term("Partner")})
    }
    graph_licences = {
        row["graph"].value: row["licence"]
        for row in snapshot.select(_GRAPH_LICENCE, {"registry": registry})
        if isinstance(row["licence"], ox.NamedNode)
    }
    partners = []
    for partner_id, graph in sorted(partner_graphs(snapshot, hub).items()):
        node = hub.partner(partner_id)
        row = described.get(node.value, {})
        licence = graph_licences.get(graph.value) or row.get("licence")
        homepage = row.get("homepage")
        name = row.get("name")
        partners.append(
            PartnerFacts(
                id=partner_id,
                graph=graph,
                node=node,
                name=name.value if name is not None else partner_id,
                homepage=homepage if isinstance(homepage, ox.NamedNode) else None,
                licence=licence if isinstance(licence, ox.NamedNode) else None,
                triples=counts.get(graph.value, 0),
                examples=[ox.NamedNode(iri) for iri in examples.get(graph.value, [])],
            )
        )
    return partners


def gather_facts(snapshot: Snapshot, hub: Hub) -> DatasetFacts:
    """Read the facts of ``snapshot``'s version from its artifacts and a few queries.

    Versions published before the statistics held predicates and examples get them by queries.
    """
    stats = read_stats(snapshot) or {}
    counts: dict[str, int] = stats.get("graphs") or {g.value: snapshot.count(g) for g in snapshot.graphs()}
    predicates: list[str] = stats.get("predicates") or dataset_predicates(snapshot)
    examples: dict[str, list[str]] = stats.get("examples") or {
        graph.value: graph_examples(snapshot, hub, graph) for graph in partner_graphs(snapshot, hub).values()
    }
    return DatasetFacts(
        version=snapshot.info.version,
        state=snapshot.info.state,
        published=snapshot.info.published,
        graph_counts=counts,
        partners=_partners(snapshot, hub, counts, examples),
        classes=stats.get("classes", {}),
        vocabularies=sorted({vocabulary_of(p) for p in predicates}),
        dumps=list(manifest_files(read_manifest(snapshot))),
    )


class _FactsHolder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.facts: DatasetFacts | None = None


def current_facts(snapshot: Snapshot) -> DatasetFacts:
    """The facts of the published version, gathered on first use after each publication."""
    holder: _FactsHolder = current_app.extensions.setdefault(_EXTENSION_KEY, _FactsHolder())
    with holder.lock:
        if holder.facts is None or holder.facts.state != snapshot.info.state:
            holder.facts = gather_facts(snapshot, current_app.extensions["carrefour.hub"])
        return holder.facts


# How the hub names and presents itself in the documents that describe its dataset.
TITLES = {"fr": "Carrefour des innovations sociales", "en": "Carrefour of social innovations"}
DESCRIPTIONS = {
    "fr": "Le commun des initiatives d'innovation sociale en France : initiatives, acteurs et dispositifs "
    "documentés par les plateformes partenaires, moissonnés, alignés sur un vocabulaire commun et validés.",
    "en": "The commons of social-innovation initiatives in France: initiatives, actors and support programmes "
    "documented by partner platforms, harvested, aligned on one vocabulary and validated.",
}
KEYWORDS = ("innovation sociale", "économie sociale et solidaire", "tiers-lieux", "initiatives", "données ouvertes")


def dataset_node(hub: Hub) -> ox.NamedNode:
    """The dataset as a whole (the resource ``dataset``, see the IRI contracts)."""
    return hub.node("dataset")


def publisher_node(hub: Hub) -> ox.NamedNode:
    return ox.NamedNode(hub.iri("catalog") + "#publisher")


def dump_url(hub: Hub, dump: DumpFile) -> ox.NamedNode:
    return ox.NamedNode(hub.iri("dumps", dump.file))
