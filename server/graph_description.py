"""What a named graph's IRI answers: the graph described, never listed.

Pages name the graphs their statements come from (``graph/partner/{p}``,
``graph/curated``…), so each graph IRI dereferences like any resource.  It answers
with the graph's description in VoID and SPARQL Service Description terms: its size
(``void:triples``), the partner it belongs to, its licence where the hub knows it, its
dumps, the harvest that last wrote it and when, the version it is served from and its
entry points (``void:rootResource``).  Never its triples, which can number a million:
they are in its dump, and a SPARQL query away.

Every graph the version holds answers, and the hub's own graphs (``graph/changes``
before any removal) answer even when empty.  Sizes and dumps come from the
version's statistics and dumps manifest, read once per version.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from carrefour.artifacts.dumps import WHOLE_QUADS, DumpFile, manifest_files, read_manifest
from carrefour.artifacts.licences import graph_licence
from carrefour.artifacts.stats import read_stats
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, OWL, PROV, RDF, RDFS, SCHEMA, SD, SH, SKOS, VOID, XSD, Graphs, Hub
from server.memo import LruMemo

TYPE = ox.NamedNode(RDF + "type")
LICENSE = ox.NamedNode(DCT + "license")
GENERATED_AT = ox.NamedNode(PROV + "generatedAtTime")
GENERATED_BY = ox.NamedNode(PROV + "wasGeneratedBy")
MAX_ROOTS = 50

# The hub's own graphs: (French title, English title).
HUB_GRAPHS = {
    "ontology": ("Vocabulaire du Carrefour", "The Carrefour vocabulary"),
    "shapes": ("Règles de validation (SHACL)", "Validation rules (SHACL)"),
    "concepts": ("Schémas de concepts du Carrefour", "The Carrefour concept schemes"),
    "territories": ("Territoires", "Territories"),
    "curated": ("Données éditées par le hub", "The hub's curated data"),
    "partners": ("Les partenaires et leurs graphes", "The partners and their graphs"),
    "links": ("Liens d'identité entre partenaires", "Identity links between partners"),
    "changes": ("Retraits de fiches (flux des changements)", "Record removals (the change feed)"),
    "history": (
        "Historique des fiches (leurs versions, les flux d'évènements)",
        "Record history (versions, event streams)",
    ),
}
# A partner's graphs, titled with its name.
PARTNER_GRAPHS = {
    "partner": ("Fiches de {name}", "Records of {name}"),
    "provenance": ("Provenance des fiches de {name}", "Provenance of the records of {name}"),
    "report": ("Rapport de validation : {name}", "Validation report: {name}"),
    "taxonomy": ("Taxonomie de {name}", "Taxonomy of {name}"),
}
ROOT_TYPES = (OWL + "Ontology", SKOS + "ConceptScheme", SH + "ValidationReport")
HUB_ROOT_TYPES = ("HarvestActivity", "Country", "Partner")  # of the hub's vocabulary


@dataclass(frozen=True)
class Catalogue:
    """The graphs of one version with their sizes, and its dumps."""

    counts: dict[str, int]
    dumps: list[DumpFile]


@dataclass(frozen=True)
class GraphAccess:
    """How to get a graph's triples: its own dumps, the whole hub's, a query."""

    own: list[DumpFile]
    whole: list[DumpFile]
    query_url: str


class NamedGraphs:
    """Describes the graphs of the hub; one per application, shared by its threads."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.prefix = hub.iri("graph") + "/"
        self.dataset = hub.node("dataset")
        self._graphs = Graphs(hub)
        self._catalogues = LruMemo(4)
        self._root_types = [ox.NamedNode(t) for t in ROOT_TYPES] + [hub.term(t) for t in HUB_ROOT_TYPES]

    def catalogue(self, snapshot: Snapshot) -> Catalogue:
        """Sizes and dumps of the version (its statistics, else counted), read once per version."""
        key = snapshot.info.state
        found = self._catalogues.get(key)
        if found is None:
            stats = read_stats(snapshot) or {}
            counts = stats.get("graphs") or {g.value: snapshot.count(g) for g in snapshot.graphs()}
            found = Catalogue(counts, list(manifest_files(read_manifest(snapshot))))
            self._catalogues.put(key, found)
        return found  # type: ignore[no-any-return]

    def kind(self, iri: str) -> tuple[str, str | None] | None:
        """(kind, partner id) of a graph IRI of the hub: ``("report", "maplabbzh")``, ``("curated", None)``."""
        if not iri.startswith(self.prefix):
            return None
        rest = iri[len(self.prefix) :]
        if rest in HUB_GRAPHS:
            return rest, None
        kind, _, partner = rest.partition("/")
        if kind in PARTNER_GRAPHS and partner and "/" not in partner and "#" not in partner:
            return kind, partner
        return None

    def held(self, snapshot: Snapshot, iri: ox.NamedNode) -> tuple[str, str | None] | None:
        """The graph's kind when the version has it (the hub's own graphs always)."""
        kind = self.kind(iri.value)
        if kind is None or (kind[1] is not None and iri.value not in self.catalogue(snapshot).counts):
            return None
        return kind

    def statements(self, snapshot: Snapshot, iri: ox.NamedNode) -> list[ox.Quad]:
        """The description of the graph ``iri``; empty when it is not a graph of this version."""
        kind = self.held(snapshot, iri)
        if kind is None:
            return []
        name, partner_id = kind
        count = self.catalogue(snapshot).counts.get(iri.value, 0)
        facts = [
            (TYPE, ox.NamedNode(SD + "NamedGraph")),
            (TYPE, ox.NamedNode(VOID + "Dataset")),
            (ox.NamedNode(SD + "name"), iri),
            (ox.NamedNode(VOID + "triples"), ox.Literal(str(count), datatype=ox.NamedNode(XSD + "integer"))),
            (ox.NamedNode(DCT + "isPartOf"), self.dataset),
            (ox.NamedNode(VOID + "sparqlEndpoint"), self.hub.node("sparql")),
            (self.hub.term("datasetVersion"), ox.Literal(snapshot.info.version)),
        ]
        partner = self.hub.partner(partner_id) if partner_id is not None else None
        partner_name = self._partner_name(snapshot, partner) if partner is not None else None
        if partner is not None and partner_name is not None:
            facts.append((self.hub.term("partner"), partner))
        titles = self._titles(snapshot, name, partner_id, partner_name)
        facts += [(ox.NamedNode(DCT + "title"), ox.Literal(title, language=lang)) for lang, title in titles.items()]
        licence = self._licence(snapshot, iri)
        if licence is not None:
            facts.append((LICENSE, licence))
        facts += self._written(snapshot, name, partner_id)
        access = self.access(snapshot, iri)
        facts += [(ox.NamedNode(VOID + "dataDump"), self.hub.node("dumps", dump.file)) for dump in access.own]
        if not access.own:  # the whole hub's N-Quads hold every named graph, this one too
            facts += [(ox.NamedNode(RDFS + "seeAlso"), self.hub.node("dumps", d.file)) for d in access.whole]
        facts += [(ox.NamedNode(VOID + "rootResource"), root) for root in self._roots(snapshot, iri)]
        return [ox.Quad(iri, predicate, value) for predicate, value in facts]

    def access(self, snapshot: Snapshot, iri: ox.NamedNode) -> GraphAccess:
        """The graph's dumps (its own, else those of the whole hub that keep named graphs) and a query."""
        dumps = self.catalogue(snapshot).dumps
        own = [d for d in dumps if d.graph == iri.value]
        whole = [d for d in dumps if d.file == WHOLE_QUADS]  # the open dump holds only some graphs
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri.value}> {{ ?s ?p ?o }} }} LIMIT 100"
        return GraphAccess(own, whole, self.hub.iri("sparql") + "?" + urlencode({"query": query}))

    def _titles(
        self, snapshot: Snapshot, name: str, partner_id: str | None, partner_name: str | None
    ) -> dict[str, str]:
        """The graph's title per language; a report graph that is no partner's (the curated data's): its report's."""
        if name in HUB_GRAPHS:
            return dict(zip(("fr", "en"), HUB_GRAPHS[name], strict=True))
        if name == "report" and partner_name is None and partner_id is not None:
            labels = snapshot.lookup([self.hub.node("report", partner_id)], [ox.NamedNode(RDFS + "label")])
            found = {q.object.language: q.object.value for q in labels if isinstance(q.object, ox.Literal)}
            if found.keys() >= {"fr", "en"}:
                return {lang: found[lang] for lang in ("fr", "en")}
        shown = partner_name or partner_id or ""
        return {lang: title.format(name=shown) for lang, title in zip(("fr", "en"), PARTNER_GRAPHS[name], strict=True)}

    @staticmethod
    def _partner_name(snapshot: Snapshot, partner: ox.NamedNode) -> str | None:
        """The partner's name, None when it is no partner of the hub (``report/curated``)."""
        names = [q.object.value for q in snapshot.lookup([partner], [ox.NamedNode(SCHEMA + "name")])]
        return names[0] if names else None

    def _licence(self, snapshot: Snapshot, iri: ox.NamedNode) -> ox.NamedNode | None:
        """The partner's for its data and taxonomy, the hub's for its own data and its account of the data,
        a document's own (:func:`carrefour.artifacts.licences.graph_licence`)."""
        licence = graph_licence(snapshot, self.hub, iri.value)
        return ox.NamedNode(licence) if licence is not None else None

    def _written(
        self, snapshot: Snapshot, name: str, partner_id: str | None
    ) -> list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]:
        """When the graph was last written, and by which harvest, where the data says so.

        A partner's four graphs are written together by its harvest, whose provenance
        dates the data graph; a report dates itself (the curated data's: ``carrefour init``).
        """
        if partner_id is None:
            return []
        source = self.hub.node("report", partner_id) if name == "report" else self._graphs.partner_data(partner_id)
        facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = []
        for quad in snapshot.lookup([source], [GENERATED_AT, GENERATED_BY]):
            if quad.predicate == GENERATED_AT and isinstance(quad.object, ox.Literal):
                facts.append((ox.NamedNode(DCT + "modified"), quad.object))
            elif isinstance(quad.object, ox.NamedNode):
                facts.append((GENERATED_BY, quad.object))
        return list(dict.fromkeys(facts))

    def _roots(self, snapshot: Snapshot, iri: ox.NamedNode) -> list[ox.NamedNode]:
        """Where to start reading the graph: its ontology, concept schemes, report, harvest, partners."""
        roots: dict[ox.NamedNode, None] = {}
        for root_type in self._root_types:
            for quad in snapshot.quads(None, TYPE, root_type, iri):
                if isinstance(quad.subject, ox.NamedNode) and len(roots) < MAX_ROOTS:
                    roots[quad.subject] = None
        return list(roots)
