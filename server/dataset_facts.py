"""What the published version is made of, for the documents that describe it.

The service description, VoID and DCAT all say the same things: which graphs, how
many triples each, which partner publishes each under which licence (the curated
data: the hub, under its own), which dumps exist, which vocabularies the data uses,
a few example resources, and that the whole mixes licences, open or not.  These facts are
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

from carrefour.artifacts.dumps import OPEN_QUADS, DumpFile, manifest_files, read_manifest
from carrefour.artifacts.licences import CURATED_LICENCE, OPEN_DEFINITION, is_open, known
from carrefour.artifacts.stats import (
    dataset_predicates,
    described_graphs,
    graph_examples,
    partner_graphs,
    read_stats,
    union_triples,
)
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
class CuratedFacts:
    """The hub's own records (``graph/curated``), published by the hub under its licence."""

    graph: ox.NamedNode
    triples: int
    examples: list[ox.NamedNode]
    licence: ox.NamedNode = ox.NamedNode(CURATED_LICENCE)


@dataclass
class DatasetFacts:
    version: str
    state: str  # the version and whether its artifacts were here (DatasetInfo.state)
    published: datetime
    graph_counts: dict[str, int]
    triples: int  # of the union: a triple two graphs hold counts once
    partners: list[PartnerFacts]
    curated: CuratedFacts | None
    classes: dict[str, int]
    vocabularies: list[str]
    dumps: list[DumpFile]

    @property
    def partner_names(self) -> dict[str, str]:
        return {partner.id: partner.name for partner in self.partners}

    def examples(self) -> list[ox.NamedNode]:
        curated = self.curated.examples if self.curated is not None else []
        return [example for partner in self.partners for example in partner.examples] + curated

    def dumps_of(self, graph: ox.NamedNode) -> list[DumpFile]:
        return [d for d in self.dumps if d.graph == graph.value]

    def whole_dumps(self) -> list[DumpFile]:
        """The dumps of the whole dataset, every licence mixed."""
        return [d for d in self.dumps if d.graph is None and d.file != OPEN_QUADS]

    def open_dumps(self) -> list[DumpFile]:
        """The dump of the graphs under an open licence."""
        return [d for d in self.dumps if d.file == OPEN_QUADS]


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


def _curated(graph: ox.NamedNode, counts: dict[str, int], examples: dict[str, list[str]]) -> CuratedFacts | None:
    if graph.value not in counts:
        return None
    return CuratedFacts(graph, counts[graph.value], [ox.NamedNode(iri) for iri in examples.get(graph.value, [])])


def gather_facts(snapshot: Snapshot, hub: Hub) -> DatasetFacts:
    """Read the facts of ``snapshot``'s version from its artifacts and a few queries.

    Versions published before the statistics held predicates and examples get them by queries.
    """
    stats = read_stats(snapshot) or {}
    counts: dict[str, int] = stats.get("graphs") or {g.value: snapshot.count(g) for g in snapshot.graphs()}
    predicates: list[str] = stats.get("predicates") or dataset_predicates(snapshot)
    examples: dict[str, list[str]] = stats.get("examples") or {
        graph.value: graph_examples(snapshot, hub, graph) for graph in described_graphs(snapshot, hub)
    }
    return DatasetFacts(
        version=snapshot.info.version,
        state=snapshot.info.state,
        published=snapshot.info.published,
        graph_counts=counts,
        triples=stats["triples"] if "triples" in stats else union_triples(snapshot),
        partners=_partners(snapshot, hub, counts, examples),
        curated=_curated(Graphs(hub).curated, counts, examples),
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
CURATED_DESCRIPTIONS = {
    "fr": "Les acteurs, dispositifs d'accompagnement et initiatives que nomment les documents fondateurs du "
    "Carrefour des innovations sociales, publiés par le hub sous la Licence Ouverte 2.0.",
    "en": "The actors, support programmes and initiatives the founding documents of the Carrefour des "
    "innovations sociales name, published by the hub under the Licence Ouverte 2.0.",
}
OPEN_TITLES = {"fr": "Les données sous licence ouverte", "en": "The openly licensed data"}
KEYWORDS = ("innovation sociale", "économie sociale et solidaire", "tiers-lieux", "initiatives", "données ouvertes")


def dataset_node(hub: Hub) -> ox.NamedNode:
    """The dataset as a whole (the resource ``dataset``, see the IRI contracts)."""
    return hub.node("dataset")


def publisher_node(hub: Hub) -> ox.NamedNode:
    return ox.NamedNode(hub.iri("catalog") + "#publisher")


def dump_url(hub: Hub, dump: DumpFile) -> ox.NamedNode:
    return ox.NamedNode(hub.iri("dumps", dump.file))


def rights_node(hub: Hub) -> ox.NamedNode:
    """The statement of the whole dataset's rights: its licences are mixed."""
    return ox.NamedNode(hub.iri("catalog") + "#rights")


def open_node(hub: Hub) -> ox.NamedNode:
    """The part of the dataset under open licences, with its own dump (``carrefour-open.nq.gz``)."""
    return ox.NamedNode(hub.iri("dataset") + "#open")


def licence_name(iri: str, lang: str) -> str:
    found = known(iri)
    return iri if found is None else found.fr if lang == "fr" else found.en


def _by_licence(facts: DatasetFacts, lang: str) -> list[tuple[str, list[str], bool]]:
    """(licence name, whose data, open or not), the curated data first, then by licence."""
    held: dict[str, list[str]] = {}
    if facts.curated is not None:
        held.setdefault(facts.curated.licence.value, []).append(CURATED_NAMES[lang])
    for partner in facts.partners:
        held.setdefault(partner.licence.value if partner.licence else "", []).append(partner.name)
    return [
        (licence_name(iri, lang) if iri else UNKNOWN_LICENCE[lang], names, is_open(iri or None))
        for iri, names in held.items()
    ]


def rights_texts(facts: DatasetFacts) -> dict[str, str]:
    """The whole dataset's licences said plainly, in French and English: mixed, whose is which, what is open."""
    texts = {}
    for lang, words in RIGHTS_WORDS.items():
        licences = _by_licence(facts, lang)
        parts = [f"{name}{words['colon']}{', '.join(names)}" for name, names, _ in licences]
        closed = ", ".join(name for name, _, opened in licences if not opened) or "—"
        details = words["open"].format(definition=OPEN_DEFINITION, closed=closed, file=OPEN_QUADS)
        texts[lang] = words["mixed"] + words["separator"].join(parts) + ". " + details
    return texts


def open_texts() -> dict[str, str]:
    """What the open dump holds and how to reuse it, in French and English."""
    return {lang: words["open_part"].format(definition=OPEN_DEFINITION) for lang, words in RIGHTS_WORDS.items()}


CURATED_NAMES = {"fr": "données éditées par le hub", "en": "the hub's curated data"}
UNKNOWN_LICENCE = {"fr": "licence inconnue", "en": "licence unknown"}
RIGHTS_WORDS = {
    "fr": {
        "mixed": "Licences mêlées : chaque graphe garde la licence de sa source. ",
        "separator": " ; ",
        "colon": " : ",
        "open": "Seuls les graphes sous une licence ouverte au sens de l'Open Definition ({definition} : CC0, "
        "CC BY, CC BY-SA, ODbL, Licence Ouverte…) sont dans le fichier {file} ; ceux sous "
        "{closed} n'y sont pas, ni les liens d'identité entre partenaires, qui citent leurs fiches.",
        "open_part": "Les graphes sous une licence ouverte au sens de l'Open Definition ({definition}), chacun dans "
        "son graphe nommé : citez la source de chacun (voir la licence de chaque graphe).",
    },
    "en": {
        "mixed": "Mixed licences: each graph keeps the licence of its source. ",
        "separator": "; ",
        "colon": ": ",
        "open": "Only the graphs under an open licence as the Open Definition has it ({definition}: CC0, CC BY, "
        "CC BY-SA, ODbL, Licence Ouverte…) are in the file {file}; those under {closed} are "
        "not, nor are the identity links between partners, which quote their records.",
        "open_part": "The graphs under an open licence as the Open Definition has it ({definition}), each in its "
        "named graph: credit the source of each (see each graph's licence).",
    },
}
