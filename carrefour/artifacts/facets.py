"""How many records each theme, audience, method, actor type, region, département and partner has.

Counted once at publication (``facets.json``) for the home page and the browsing
lists, which would otherwise group the whole dataset on every visit.  A record is
counted once per value, whichever of its nodes carries the value.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

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
_PER_GRAPH = (
    "SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?type } "
    'FILTER(isIRI(?s) && !CONTAINS(STR(?s), "#")) } GROUP BY ?g'
)


def _per_value(view: Snapshot | Writer, prop: ox.NamedNode) -> dict[str, int]:
    """Value IRI -> records having it through ``prop`` (counted by the store, not row by row here)."""
    rows = view.select(_PER_VALUE.replace("?property", str(prop)))
    return {row["o"].value: int(row["n"].value) for row in rows}


def _labels(view: Snapshot | Writer, iri: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for predicate in (SKOS + "prefLabel", SCHEMA + "name"):
        for quad in view.quads(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                labels.setdefault(quad.object.language or "", quad.object.value)
    return labels


def _rows(view: Snapshot | Writer, counts: dict[str, int]) -> list[dict[str, Any]]:
    rows = [{"iri": iri, "labels": _labels(view, iri), "count": count} for iri, count in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["iri"]))


def compute_facets(view: Snapshot | Writer, hub: Hub) -> dict[str, list[dict[str, Any]]]:
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, local in _PROPERTIES.items():
        facets[name] = _rows(view, _per_value(view, hub.term(local)))
    located = _per_value(view, hub.term("locatedIn"))
    for level in ("region", "departement"):
        prefix = hub.iri("territory", level) + "/"
        facets[level] = _rows(view, {iri: count for iri, count in located.items() if iri.startswith(prefix)})
    prefix = hub.iri("graph", "partner") + "/"
    partners = {
        hub.partner(row["g"].value[len(prefix) :]).value: int(row["n"].value)
        for row in view.select(_PER_GRAPH)
        if row["g"].value.startswith(prefix)
    }
    facets["partner"] = _rows(view, partners)
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
