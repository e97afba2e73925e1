"""What the published version holds, counted once at publication time."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Hub

STATS_FILE = "stats.json"

_RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_SUBCLASSES = "SELECT DISTINCT ?type ?class WHERE { ?type " + _RDFS_SUBCLASS + "+ ?class }"


def _class_counts(view: Snapshot | Writer, classes: dict[str, ox.NamedNode]) -> dict[str, int]:
    """Resources of each class or of one of its subclasses, each counted once.

    The subclasses are looked up first (the vocabulary is small), then the typed
    resources counted from the type index in one query: a property path from each
    resource would walk every type statement of the dataset once per class.
    """
    pairs = []
    for name, term in classes.items():
        types = {term, *(row["type"] for row in view.select(_SUBCLASSES, {"class": term}))}
        pairs += [f'("{name}" {t})' for t in sorted(types, key=lambda t: t.value) if isinstance(t, ox.NamedNode)]
    # the names are the literal keys above and the types validated IRIs: nothing from the data is spliced
    query = (
        "SELECT ?name (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES (?name ?type) { " + " ".join(pairs) + " } "
        "?s a ?type } GROUP BY ?name"
    )
    counts = {row["name"].value: int(row["n"].value) for row in view.select(query)}
    return {name: counts.get(name, 0) for name in classes}


def compute_stats(view: Snapshot | Writer, hub: Hub) -> dict[str, Any]:
    names = {
        "initiative": hub.term("Initiative"),
        "programme": hub.term("SupportProgramme"),
        "actor": hub.term("Actor"),
        "partner": hub.term("Partner"),
        "theme": hub.term("Theme"),
        "territory": hub.term("Territory"),
    }
    return {
        "version": view.info.version,
        "published": view.info.published.isoformat(),
        "quads": view.count(),
        "graphs": {g.value: view.count(g) for g in view.graphs()},
        "classes": _class_counts(view, names),
    }


def build_stats(writer: Writer, hub: Hub) -> None:
    stats = compute_stats(writer, hub)
    (writer.artifacts / STATS_FILE).write_text(json.dumps(stats, indent=1), encoding="utf-8")


def read_stats(snapshot: Snapshot) -> dict[str, Any] | None:
    if snapshot.info.artifacts is None:
        return None
    try:
        return json.loads((snapshot.info.artifacts / STATS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
