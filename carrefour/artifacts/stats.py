"""What the published version holds, counted once at publication time.

Besides the counts, the facts that describe the dataset (VoID, DCAT, the service
description) and need a scan of the whole store are gathered here, once per
publication, rather than by every web worker on its first request after it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from carrefour.artifacts.kinds import values_clause, with_subclasses
from carrefour.history.terms import history_graph
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, Graphs, Hub

STATS_FILE = "stats.json"


def _class_counts(view: Snapshot | Writer, classes: dict[str, ox.NamedNode]) -> dict[str, int]:
    """Resources of each class or of one of its subclasses, each counted once.

    The subclasses are looked up first (the vocabulary is small), then the typed
    resources counted from the type index in one query: a property path from each
    resource would walk every type statement of the dataset once per class.
    """
    pairs = with_subclasses(view, classes)
    query = f"SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {values_clause(pairs)} ?s a ?type }} GROUP BY ?kind"
    counts = {row["kind"].value: int(row["n"].value) for row in view.select(query)}
    return {name: counts.get(name, 0) for name in classes}


# The first resource of a class in a graph, by IRI: MIN reads the type index once, where
# ORDER BY … LIMIT 1 would sort every resource of the class (two seconds at 40,000).
_EXAMPLE = (
    f"SELECT ?graph ?class (MIN(STR(?s)) AS ?first) WHERE {{ GRAPH ?graph {{ ?s <{RDF}type> ?class }} "
    "FILTER(isIRI(?s)) } GROUP BY ?graph ?class"
)
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# A triple two graphs hold is one triple of the union (the SPARQL default graph, the union dumps).
_UNION = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"


def partner_graphs(view: Snapshot | Writer, hub: Hub) -> dict[str, ox.NamedNode]:
    """Partner id -> the partner's data graph (``graph/partner/{id}``)."""
    prefix = hub.iri("graph", "partner") + "/"
    return {g.value[len(prefix) :]: g for g in view.graphs() if g.value.startswith(prefix)}


def union_triples(view: Snapshot | Writer) -> int:
    """The distinct triples of the union of the graphs (the store hashes them: about 1.8 s and 300 MB a
    million quads, so publication counts them once, here, and the dumps read the count back)."""
    return int(view.select(_UNION)[0]["n"].value)


def dumped_triples(union: int, graphs: dict[str, int], hub: Hub) -> int:
    """The distinct triples of the whole-hub dumps: the union but the history, whose statements are about
    its own version nodes only (carrefour.history.append), so no other graph holds them."""
    return union - graphs.get(history_graph(hub).value, 0)


def dataset_predicates(view: Snapshot | Writer) -> list[str]:
    """Every predicate the named graphs use."""
    return sorted(row["p"].value for row in view.select(_PREDICATES))


def graph_examples(view: Snapshot | Writer, hub: Hub, graph: ox.NamedNode) -> list[str]:
    """The first initiative of a graph (by IRI), or its first actor when it has no initiative."""
    for cls in (hub.term("Initiative"), hub.term("Actor")):
        rows = view.select(_EXAMPLE, {"graph": graph, "class": cls})
        found = [row["first"].value for row in rows if "first" in row]
        if found:
            return found
    return []


def graph_counts(view: Snapshot | Writer) -> dict[str, int]:
    """Triples per named graph, counted in one pass over the store."""
    counts = {row["g"].value: int(row["n"].value) for row in view.select(_COUNTS)}
    return {g.value: counts.get(g.value, 0) for g in view.graphs()}


def described_graphs(view: Snapshot | Writer, hub: Hub) -> list[ox.NamedNode]:
    """The graphs VoID and DCAT describe as datasets of their own: the partners' and the curated data."""
    return [*partner_graphs(view, hub).values(), Graphs(hub).curated]


def compute_stats(view: Snapshot | Writer, hub: Hub) -> dict[str, Any]:
    names = {
        "initiative": hub.term("Initiative"),
        "programme": hub.term("SupportProgramme"),
        "actor": hub.term("Actor"),
        "partner": hub.term("Partner"),
        "theme": hub.term("Theme"),
        "territory": hub.term("Territory"),
    }
    graphs, union = graph_counts(view), union_triples(view)
    return {
        "version": view.info.version,
        "published": view.info.published.isoformat(),
        "quads": view.count(),
        "triples": union,
        "dumped_triples": dumped_triples(union, graphs, hub),
        "graphs": graphs,
        "classes": _class_counts(view, names),
        "predicates": dataset_predicates(view),
        "examples": {graph.value: graph_examples(view, hub, graph) for graph in described_graphs(view, hub)},
    }


def build_stats(writer: Writer, hub: Hub) -> None:
    stats = compute_stats(writer, hub)
    (writer.artifacts / STATS_FILE).write_text(json.dumps(stats, indent=1), encoding="utf-8")


def read_stats(snapshot: Snapshot) -> dict[str, Any] | None:
    if snapshot.info.artifacts is None:
        return None
    return stats_in(snapshot.info.artifacts)


def stats_in(folder: Path) -> dict[str, Any] | None:
    """The statistics written in an artifacts folder, if any."""
    try:
        return json.loads((folder / STATS_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
