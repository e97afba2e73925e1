"""How many records each theme, audience, method, actor type, region, département and partner has.

Counted once at publication (``facets.json``) for the home page and the browsing
lists, which would otherwise group the whole dataset on every visit.  A record is
counted once per value, whichever of its nodes carries the value.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub

FACETS_FILE = "facets.json"
FACET_NAMES = ("theme", "audience", "method", "actor-type", "region", "departement", "partner")
_PROPERTIES = {"theme": "theme", "audience": "audience", "method": "method", "actor-type": "actorType"}


def _record(subject: ox.NamedNode | ox.BlankNode) -> str | None:
    return subject.value.split("#", 1)[0] if isinstance(subject, ox.NamedNode) else None


def _labels(view: Snapshot | Writer, iri: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for predicate in (SKOS + "prefLabel", SCHEMA + "name"):
        for quad in view.quads(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                labels.setdefault(quad.object.language or "", quad.object.value)
    return labels


def _rows(view: Snapshot | Writer, counts: dict[str, set[str]]) -> list[dict[str, Any]]:
    rows = [{"iri": iri, "labels": _labels(view, iri), "count": len(records)} for iri, records in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["iri"]))


def compute_facets(view: Snapshot | Writer, hub: Hub) -> dict[str, list[dict[str, Any]]]:
    facets: dict[str, list[dict[str, Any]]] = {}
    for name, local in _PROPERTIES.items():
        counts: dict[str, set[str]] = defaultdict(set)
        for quad in view.quads(None, hub.term(local), None):
            record = _record(quad.subject)
            if record is not None and isinstance(quad.object, ox.NamedNode):
                counts[quad.object.value].add(record)
        facets[name] = _rows(view, counts)
    territories: dict[str, dict[str, set[str]]] = {"region": defaultdict(set), "departement": defaultdict(set)}
    for quad in view.quads(None, hub.term("locatedIn"), None):
        record = _record(quad.subject)
        for level, counts in territories.items():
            if record is not None and quad.object.value.startswith(hub.iri("territory", level) + "/"):
                counts[quad.object.value].add(record)
    for level, counts in territories.items():
        facets[level] = _rows(view, counts)
    partners: dict[str, set[str]] = defaultdict(set)
    prefix = hub.iri("graph", "partner") + "/"
    for graph in view.graphs():
        if graph.value.startswith(prefix):
            records = partners[hub.partner(graph.value[len(prefix) :]).value]
            for quad in view.quads(None, ox.NamedNode(RDF + "type"), None, graph):
                if isinstance(quad.subject, ox.NamedNode) and "#" not in quad.subject.value:
                    records.add(quad.subject.value)
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
