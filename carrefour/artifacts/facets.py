"""How many records each theme, audience, method, actor type, region, département and partner has.

Counted once at publication (``facets.json``) for the home page and the browsing
lists, which would otherwise group the whole dataset on every visit.  A record is
counted once per value, whichever of its nodes carries the value; each value also
counts its records by kind (initiatives, programmes among them, actors, concepts:
:mod:`carrefour.artifacts.kinds`), so that a page never adds actors to initiatives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from carrefour.artifacts.changes import RecordChanges, memory_view
from carrefour.artifacts.kinds import record_classes, with_subclasses
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub

FACETS_FILE = "facets.json"
FACET_NAMES = ("theme", "audience", "method", "actor-type", "region", "departement", "partner")
_PROPERTIES = {"theme": "theme", "audience": "audience", "method": "method", "actor-type": "actorType"}


Counts = dict[str, int]
KindCounts = dict[str, dict[str, int]]  # value IRI -> kind -> records
Tally = tuple[Counts, KindCounts]
TYPE = ox.NamedNode(RDF + "type")

# Read by pattern, not by SPARQL: at 40,000 records the store's SELECT DISTINCT with a BIND per statement
# took 10 of the 13 s the facets cost (bench.harvest), where decoding the same statements takes a third.


def _record(iri: str) -> str:
    """A record is counted once per value, whichever of its nodes (``…/x`` or ``…/x#address``) carries it."""
    return iri.split("#", 1)[0]


def _per_value(
    view: Snapshot | Writer, prop: ox.NamedNode, kinds: dict[str, list[str]], only: frozenset[str] | None
) -> Tally:
    """Value IRI -> records having it through ``prop``, in all and per kind (``only``: of those records)."""
    pairs = {
        (quad.object.value, _record(quad.subject.value))
        for quad in view.quads(None, prop, None)
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode)
    }
    counts: Counts = {}
    by_kind: KindCounts = {}
    for value, record in pairs:
        if only is not None and record not in only:
            continue
        counts[value] = counts.get(value, 0) + 1
        for kind in kinds.get(record, ()):
            per_kind = by_kind.setdefault(value, {})
            per_kind[kind] = per_kind.get(kind, 0) + 1
    return counts, by_kind


@dataclass
class Typed:
    """What the ``rdf:type`` statements tell, read in one pass."""

    kinds: dict[str, list[str]]  # record IRI -> its kinds
    per_graph: Counts  # named graph -> typed resources it holds (not fragment nodes)
    per_graph_and_kind: KindCounts  # named graph -> kind -> records of that kind it holds


def _typed(
    view: Snapshot | Writer, kinds_of_types: dict[ox.NamedNode, list[str]], only: frozenset[str] | None
) -> Typed:
    kinds: dict[str, list[str]] = {}
    typed: dict[str, set[str]] = {}
    by_kind: dict[str, dict[str, set[str]]] = {}
    for quad in view.quads(None, TYPE, None):
        subject, graph = quad.subject, quad.graph_name
        if not isinstance(subject, ox.NamedNode):
            continue
        names = kinds_of_types.get(quad.object, ())  # type: ignore[call-overload]
        if names:
            found = kinds.setdefault(subject.value, [])
            found += [name for name in names if name not in found]
        counted = only is None or subject.value in only
        if isinstance(graph, ox.NamedNode) and "#" not in subject.value and counted:
            typed.setdefault(graph.value, set()).add(subject.value)
            for name in names:
                by_kind.setdefault(graph.value, {}).setdefault(name, set()).add(subject.value)
    per_graph = {graph: len(subjects) for graph, subjects in typed.items()}
    per_kind = {graph: {name: len(s) for name, s in found.items()} for graph, found in by_kind.items()}
    return Typed(kinds, per_graph, per_kind)


def _labels(view: Snapshot | Writer, iri: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for predicate in (SKOS + "prefLabel", SCHEMA + "name"):
        for quad in view.quads(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                labels.setdefault(quad.object.language or "", quad.object.value)
    return labels


def _rows(view: Snapshot | Writer, counts: Counts, kinds: KindCounts) -> list[dict[str, Any]]:
    rows = [
        {"iri": iri, "labels": _labels(view, iri), "count": count, "kinds": kinds.get(iri, {})}
        for iri, count in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["iri"]))


def _only(found: Tally, prefix: str) -> Tally:
    counts, kinds = found
    return {iri: n for iri, n in counts.items() if iri.startswith(prefix)}, kinds


def tally(view: Snapshot | Writer, hub: Hub, only: frozenset[str] | None = None) -> dict[str, Tally]:
    """Facet -> what its values count; ``only``: what these records (and resources) alone count."""
    kinds_of_types: dict[ox.NamedNode, list[str]] = {}
    for name, kind_type in with_subclasses(view, record_classes(hub)):
        kinds_of_types.setdefault(kind_type, []).append(name)
    typed = _typed(view, kinds_of_types, only)
    kinds = typed.kinds
    found = {name: _per_value(view, hub.term(local), kinds, only) for name, local in _PROPERTIES.items()}
    located = _per_value(view, hub.term("locatedIn"), kinds, only)
    for level in ("region", "departement"):
        found[level] = _only(located, hub.iri("territory", level) + "/")
    counts, by_graph = typed.per_graph, typed.per_graph_and_kind
    prefix = hub.iri("graph", "partner") + "/"
    partners = {g: hub.partner(g[len(prefix) :]).value for g in counts if g.startswith(prefix)}
    found["partner"] = (
        {partners[g]: counts[g] for g in partners},
        {partners[g]: by_graph.get(g, {}) for g in partners},
    )
    return found


def compute_facets(view: Snapshot | Writer, hub: Hub) -> dict[str, list[dict[str, Any]]]:
    return {name: _rows(view, *found) for name, found in tally(view, hub).items()}


def _moved(kept: Tally, gone: Tally, come: Tally) -> Tally:
    """``kept`` less what ``gone`` counted, plus what ``come`` counts; values no record has any more go."""
    counts, kinds = dict(kept[0]), {value: dict(found) for value, found in kept[1].items()}
    for sign, (their_counts, their_kinds) in ((-1, gone), (1, come)):
        for value, count in their_counts.items():
            counts[value] = counts.get(value, 0) + sign * count
        for value, found in their_kinds.items():
            per_kind = kinds.setdefault(value, {})
            for kind, count in found.items():
                per_kind[kind] = per_kind.get(kind, 0) + sign * count
    counts = {value: count for value, count in counts.items() if count > 0}
    kinds = {value: {k: n for k, n in found.items() if n > 0} for value, found in kinds.items() if value in counts}
    return counts, kinds


def updated_facets(view: Snapshot | Writer, hub: Hub, changes: RecordChanges) -> dict[str, list[dict[str, Any]]] | None:
    """The previous version's counts, less what the resources changed counted then, plus what they count now;
    None when the previous counts cannot be read."""
    try:
        previous = json.loads((changes.previous / FACETS_FILE).read_text(encoding="utf-8"))
        kept = {name: ({r["iri"]: r["count"] for r in rows}, {r["iri"]: r["kinds"] for r in rows})
                for name, rows in previous.items()}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    gone = tally(changes.before(), hub, changes.resources)
    come = tally(memory_view(view, changes.resources, hub), hub, changes.resources)
    if set(kept) != set(come):
        return None
    return {name: _rows(view, *_moved(kept[name], gone[name], come[name])) for name in kept}


def build_facets(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write ``facets.json``; with ``changes``, from the previous version's counts."""
    data = updated_facets(writer, hub, changes) if changes is not None else None
    if data is None:
        data = compute_facets(writer, hub)
    (writer.artifacts / FACETS_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def read_facets(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]] | None:
    if snapshot.info.artifacts is None:
        return None
    try:
        return json.loads((snapshot.info.artifacts / FACETS_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
