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
from carrefour.artifacts.stale import current_previous
from carrefour.history.terms import history_graph
from carrefour.store.base import Snapshot, Writer
from carrefour.store.delta import Delta, holds
from carrefour.vocab import RDF, RDFS, Graphs, Hub

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


def counted_classes(hub: Hub) -> dict[str, ox.NamedNode]:
    """The classes whose resources the statistics count, by name."""
    names = {"initiative": "Initiative", "programme": "SupportProgramme", "actor": "Actor", "partner": "Partner",
             "theme": "Theme", "territory": "Territory"}  # fmt: skip
    return {name: hub.term(local) for name, local in names.items()}


def compute_stats(view: Snapshot | Writer, hub: Hub) -> dict[str, Any]:
    names = counted_classes(hub)
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


def _used(view: Snapshot | Writer, predicate: ox.NamedNode) -> bool:
    return next(iter(view.quads(predicate=predicate)), None) is not None


# A statement of the session costs some 50 µs of lookups (before and after, in its graph and anywhere); counting
# the store again 4 µs a quad (4.5 s at 1.15 million): past a twelfth of the store, counting is cheaper (the first
# harvest of 2,000 records, 90,000 statements into 100,000, spent 6.5 s adjusting).
LOOKUPS_PER_COUNT = 12


def short_beside(delta: Delta, previous: dict[str, Any]) -> bool:
    """Whether the session's list of statements is short beside the store the ``previous`` statistics count:
    what is worth looking up statement by statement rather than reading whole."""
    return (len(delta.added) + len(delta.removed)) * LOOKUPS_PER_COUNT <= int(previous.get("quads", 0))


def adjusted_stats(writer: Writer, hub: Hub) -> dict[str, Any] | None:
    """The previous version's statistics adjusted by what the session changed, when it kept the list
    (carrefour.store.delta), the list is short beside the store and the previous statistics are that version's
    own; None otherwise.

    Each statement the session really added or removed counts in its graph; its triple counts in the union
    when some graph holds it, looked up before and after.  Classes are counted again, and a graph's example
    found again, only when a type statement changed.
    """
    delta, before = writer.delta, writer.previous
    if delta is None or before is None:
        return None
    folder = current_previous(writer)
    old = stats_in(folder) if folder is not None else None
    if old is None or not short_beside(delta, old):
        return None
    removed, added = delta.removed_and_added(before, writer)
    changed = {**dict.fromkeys(removed, False), **dict.fromkeys(added, True)}  # -> added (else removed)
    # a statement removed was held before (in its graph), one added is now: each triple is looked up once at most
    was = {ox.Quad(q.subject, q.predicate, q.object) for q in removed}
    now = {ox.Quad(q.subject, q.predicate, q.object) for q in added}
    graphs = {g.value: old["graphs"].get(g.value, 0) for g in writer.graphs()}
    for quad, added in changed.items():
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in graphs:
            graphs[quad.graph_name.value] += 1 if added else -1
    union = old["triples"]
    for triple in was | now:
        union += (triple in now or holds(writer, triple, anywhere=True)) - (
            triple in was or holds(before, triple, anywhere=True)
        )
    predicates = set(old["predicates"]) | {q.predicate.value for q, added in changed.items() if added}
    # each predicate that lost a statement looked up once (a 1 % change at 40,000 records removes some 3,000
    # statements of a dozen predicates)
    predicates -= {p.value for p in {q.predicate for q, added in changed.items() if not added} if not _used(writer, p)}
    typed = {q.graph_name.value for q in changed if q.predicate.value in (RDF + "type", RDFS + "subClassOf")}
    examples = {
        graph.value: old["examples"][graph.value]
        if graph.value in old["examples"] and graph.value not in typed
        else graph_examples(writer, hub, graph)
        for graph in described_graphs(writer, hub)
    }
    return {
        "version": writer.info.version,
        "published": writer.info.published.isoformat(),
        "quads": old["quads"] + sum(graphs.values()) - sum(old["graphs"].values()),
        "triples": union,
        "dumped_triples": dumped_triples(union, graphs, hub),
        "graphs": graphs,
        "classes": _class_counts(writer, counted_classes(hub)) if typed else old["classes"],
        "predicates": sorted(predicates),
        "examples": examples,
    }


def build_stats(writer: Writer, hub: Hub) -> None:
    stats = adjusted_stats(writer, hub) or compute_stats(writer, hub)
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
