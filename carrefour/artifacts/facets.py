"""How many records each theme, audience, method, actor type, region, département and partner has.

Counted once at publication (``facets.json``) for the home page and the browsing
lists, which would otherwise group the whole dataset on every visit.  A record is
counted once per value, whichever of its nodes carries the value; each value also
counts its records by kind (initiatives, programmes among them, actors, concepts:
:mod:`carrefour.artifacts.kinds`), so that a page never adds actors to initiatives.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from carrefour.artifacts.kinds import record_classes, values_clause, with_subclasses
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import SCHEMA, SKOS, Hub

FACETS_FILE = "facets.json"
FACET_NAMES = ("theme", "audience", "method", "actor-type", "region", "departement", "partner")
_PROPERTIES = {"theme": "theme", "audience": "audience", "method": "method", "actor-type": "actorType"}


# A record is counted once per value, whichever of its nodes (``…/x`` or ``…/x#address``) carries it.
_RECORD = 'IF(CONTAINS(STR(?s), "#"), STRBEFORE(STR(?s), "#"), STR(?s))'
_PAIRS = (
    f"SELECT DISTINCT ?o ?record WHERE {{ ?s ?property ?o FILTER(isIRI(?s) && isIRI(?o)) BIND({_RECORD} AS ?record) }}"
)
# the kinds of the records apart, joined here: joined by the store after the BIND above, every pair of the
# two was compared (8 s for 2,000 records, growing with the square of their number)
_KINDS = "SELECT DISTINCT ?record ?kind WHERE { ?record a ?type ?values FILTER(isIRI(?record)) }"
_PER_GRAPH = (
    "SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?type } "
    'FILTER(isIRI(?s) && !CONTAINS(STR(?s), "#")) } GROUP BY ?g'
)
_PER_GRAPH_AND_KIND = (
    "SELECT ?g ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?type } ?values "
    'FILTER(isIRI(?s) && !CONTAINS(STR(?s), "#")) } GROUP BY ?g ?kind'
)

Counts = dict[str, int]
KindCounts = dict[str, dict[str, int]]  # value IRI -> kind -> records


def _grouped(view: Snapshot | Writer, queries: tuple[str, str], key: str) -> tuple[Counts, KindCounts]:
    """Records per value (``key``), then per value and kind, counted by the store."""
    counts = {row[key].value: int(row["n"].value) for row in view.select(queries[0])}
    kinds: KindCounts = {}
    for row in view.select(queries[1]):
        kinds.setdefault(row[key].value, {})[row["kind"].value] = int(row["n"].value)
    return counts, kinds


def _record_kinds(view: Snapshot | Writer, values: str) -> dict[str, list[str]]:
    """Record IRI -> its kinds."""
    kinds: dict[str, list[str]] = {}
    for row in view.select(_KINDS.replace("?values", values)):
        kinds.setdefault(row["record"].value, []).append(row["kind"].value)
    return kinds


def _per_value(view: Snapshot | Writer, prop: ox.NamedNode, kinds: dict[str, list[str]]) -> tuple[Counts, KindCounts]:
    """Value IRI -> records having it through ``prop``, in all and per kind."""
    counts: Counts = {}
    by_kind: KindCounts = {}
    for row in view.select(_PAIRS.replace("?property", str(prop))):
        value = row["o"].value
        counts[value] = counts.get(value, 0) + 1
        for kind in kinds.get(row["record"].value, ()):
            per_kind = by_kind.setdefault(value, {})
            per_kind[kind] = per_kind.get(kind, 0) + 1
    return counts, by_kind


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


def _only(found: tuple[Counts, KindCounts], prefix: str) -> tuple[Counts, KindCounts]:
    counts, kinds = found
    return {iri: n for iri, n in counts.items() if iri.startswith(prefix)}, kinds


def compute_facets(view: Snapshot | Writer, hub: Hub) -> dict[str, list[dict[str, Any]]]:
    values = values_clause(with_subclasses(view, record_classes(hub)))
    kinds = _record_kinds(view, values)
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, local in _PROPERTIES.items():
        facets[name] = _rows(view, *_per_value(view, hub.term(local), kinds))
    located = _per_value(view, hub.term("locatedIn"), kinds)
    for level in ("region", "departement"):
        facets[level] = _rows(view, *_only(located, hub.iri("territory", level) + "/"))
    counts, kinds = _grouped(view, (_PER_GRAPH, _PER_GRAPH_AND_KIND.replace("?values", values)), "g")
    prefix = hub.iri("graph", "partner") + "/"
    partners = {g: hub.partner(g[len(prefix) :]).value for g in counts if g.startswith(prefix)}
    by_partner = {partners[g]: kinds.get(g, {}) for g in partners}
    facets["partner"] = _rows(view, {partners[g]: counts[g] for g in partners}, by_partner)
    return facets


def build_facets(writer: Writer, hub: Hub) -> None:
    data = compute_facets(writer, hub)
    (writer.artifacts / FACETS_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def read_facets(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]] | None:
    if snapshot.info.artifacts is None:
        return None
    try:
        return json.loads((snapshot.info.artifacts / FACETS_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
