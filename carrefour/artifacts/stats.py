"""What the published version holds, counted once at publication time."""

from __future__ import annotations

import json
from typing import Any

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Hub

STATS_FILE = "stats.json"

_CLASS_COUNT = (
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { "
    "?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class } GROUP BY ?class"
)


def compute_stats(view: Snapshot | Writer, hub: Hub) -> dict[str, Any]:
    names = {
        "initiative": hub.term("Initiative"),
        "programme": hub.term("SupportProgramme"),
        "actor": hub.term("Actor"),
        "partner": hub.term("Partner"),
        "theme": hub.term("Theme"),
        "territory": hub.term("Territory"),
    }
    classes = {}
    for name, term in names.items():
        rows = view.select(_CLASS_COUNT, {"class": term})
        classes[name] = int(rows[0]["n"].value) if rows else 0
    return {
        "version": view.info.version,
        "published": view.info.published.isoformat(),
        "quads": view.count(),
        "graphs": {g.value: view.count(g) for g in view.graphs()},
        "classes": classes,
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
