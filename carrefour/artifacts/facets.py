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
_PER_VALUE = (
    "SELECT ?o (COUNT(DISTINCT ?record) AS ?n) WHERE { ?s ?property ?o FILTER(isIRI(?s) && isIRI(?o)) "
    f"BIND({_RECORD} AS ?record) }} GROUP BY ?o"
)
_PER_VALUE_AND_KIND = (
    "SELECT ?o ?kind (COUNT(DISTINCT ?record) AS ?n) WHERE { ?s ?property ?o FILTER(isIRI(?s) && isIRI(?o)) "
    f"BIND(IRI({_RECORD}) AS ?record) ?record a ?type ?values }} GROUP BY ?o ?kind"
)
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


def _per_value(view: Snapshot | Writer, prop: ox.NamedNode, values: str) -> tuple[Counts, KindCounts]:
    """Value IRI -> records having it through ``prop``, in all and per kind."""
    total, by_kind = (q.replace("?property", str(prop)) for q in (_PER_VALUE, _PER_VALUE_AND_KIND))
    return _grouped(view, (total, by_kind.replace("?values", values)), "o")


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
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, local in _PROPERTIES.items():
        facets[name] = _rows(view, *_per_value(view, hub.term(local), values))
    located = _per_value(view, hub.term("locatedIn"), values)
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
