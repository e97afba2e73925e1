"""Where each record is, and what the maps and charts filter it by, gathered once at publication.

``places.json`` holds one row per initiative, support programme and actor: its names,
kind, point (its own coordinates, else its commune's centre, then marked
approximate), commune, département and region, domains, audiences, support types,
partners, when the hub first published it, and its identity-linked twins.  The maps,
the territory pages, the widget and the charts read it instead of querying the store
for every visit; the map of every record in France is written beside it, gzipped,
since it is what most visitors ask for (:mod:`server.map_data` serves both).
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox

from carrefour.artifacts.changes import RecordChanges, memory_view
from carrefour.artifacts.kinds import values_clause, with_subclasses
from carrefour.artifacts.read_ahead import take
from carrefour.centres import centre
from carrefour.map_features import feature_collection
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import DCT, GEO, OWL, SCHEMA, Hub

PLACES_FILE = "places.json"
FRANCE_MAP_FILE = "map-france.geojson.gz"
FACETS = {"theme": "theme", "audience": "audience", "supportType": "support"}  # property -> row key
_LEVELS = ("region", "departement", "commune")
_FR, _EN = ("fr", "", "en"), ("en", "", "fr")  # which name a page in each language shows first
_KINDS = "SELECT ?s ?kind ?g WHERE { GRAPH ?g { ?s a ?type } ?values FILTER(isIRI(?s) && !CONTAINS(STR(?s), '#')) }"

View = Snapshot | Writer
Row = dict[str, Any]


def record_kinds(hub: Hub) -> dict[str, ox.NamedNode]:
    """Map kind -> class; a programme is also an initiative, its own kind wins (it is listed after)."""
    return {"actor": hub.term("Actor"), "initiative": hub.term("Initiative"), "programme": hub.term("SupportProgramme")}


def _record(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> str | None:
    return node.value.split("#", 1)[0] if isinstance(node, ox.NamedNode) else None


def _objects(view: View, predicate: ox.NamedNode, rows: dict[str, Row]) -> Iterable[tuple[Row, ox.Quad]]:
    """(row, quad) for each statement with ``predicate`` made by a record or one of its fragment nodes."""
    for quad in view.quads(None, predicate, None):
        row = rows.get(_record(quad.subject) or "")
        if row is not None:
            yield row, quad


def _number(literal: ox.NamedNode | ox.BlankNode | ox.Literal, limit: float) -> float | None:
    try:
        value = float(literal.value) if isinstance(literal, ox.Literal) else None
    except ValueError:
        return None
    return value if value is not None and -limit <= value <= limit else None


def _keep_least(row: dict[str, Any], key: str, value: str) -> None:
    """Where a record says several things, the least: the same row whatever order the store reads them in."""
    if key not in row or value < row[key]:
        row[key] = value


def _records(view: View, hub: Hub) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    ranks = {kind: rank for rank, kind in enumerate(record_kinds(hub))}
    partner_prefix = hub.iri("graph", "partner") + "/"
    query = _KINDS.replace("?values", values_clause(with_subclasses(view, record_kinds(hub))))
    for solution in view.select(query):
        iri, kind, graph = solution["s"].value, solution["kind"].value, solution["g"].value
        row = rows.setdefault(iri, {"iri": iri, "kind": kind, "name": "", "partners": []})
        if ranks[kind] > ranks[row["kind"]]:
            row["kind"] = kind
        if graph.startswith(partner_prefix) and graph[len(partner_prefix) :] not in row["partners"]:
            row["partners"].append(graph[len(partner_prefix) :])
    for row in rows.values():
        row["partners"].sort()
    return rows


def _add_names(view: View, rows: dict[str, Row]) -> None:
    """``name`` for French pages, ``nameEn`` when English pages show another (partners rarely tag names)."""
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for row, quad in _objects(view, ox.NamedNode(SCHEMA + "name"), rows):
        if quad.subject.value == row["iri"] and isinstance(quad.object, ox.Literal):
            _keep_least(names[row["iri"]], quad.object.language or "", quad.object.value)
    for iri, found in names.items():
        french, english = (next((found[k] for k in order if k in found), "") for order in (_FR, _EN))
        rows[iri]["name"] = french or next(iter(found.values()))
        if english and english != rows[iri]["name"]:
            rows[iri]["nameEn"] = english


def _add_points(view: View, rows: dict[str, Row]) -> None:
    latitudes = {q.subject.value: _number(q.object, 90) for q in view.quads(None, ox.NamedNode(GEO + "lat"), None)}
    for row, quad in _objects(view, ox.NamedNode(GEO + "long"), rows):
        latitude, longitude = latitudes.get(quad.subject.value), _number(quad.object, 180)
        if latitude is not None and longitude is not None:
            point = (round(latitude, 5), round(longitude, 5))
            if "lat" not in row or point < (row["lat"], row["lon"]):
                row["lat"], row["lon"] = point
    for row, quad in _objects(view, ox.NamedNode(SCHEMA + "addressLocality"), rows):
        _keep_least(row, "locality", quad.object.value)


def _add_territories(view: View, hub: Hub, rows: dict[str, Row]) -> None:
    prefixes = {level: hub.iri("territory", level) + "/" for level in _LEVELS}
    for row, quad in _objects(view, hub.term("locatedIn"), rows):
        for level, prefix in prefixes.items():
            if quad.object.value.startswith(prefix):
                _keep_least(row, level, quad.object.value[len(prefix) :])
    for row in rows.values():
        commune = centre("commune", row.get("commune", ""))
        if commune is not None:
            row.setdefault("departement", commune.departement)
            row.setdefault("region", commune.region)
            row["communeName"] = commune.name
            if "lat" not in row:
                row["lat"], row["lon"], row["approximate"] = commune.latitude, commune.longitude, True


def _add_facets(view: View, hub: Hub, rows: dict[str, Row]) -> None:
    prefix = hub.vocabulary + "concept/"  # concepts are named concept/{scheme}/{code}
    for local, key in FACETS.items():
        for row, quad in _objects(view, hub.term(local), rows):
            if quad.object.value.startswith(prefix):
                code = quad.object.value[len(prefix) :].split("/", 1)[-1]
                if code not in row.setdefault(key, []):
                    row[key].append(code)
    for row in rows.values():
        for key in FACETS.values():
            if key in row:
                row[key].sort()


def _add_history(view: View, hub: Hub, rows: dict[str, Row]) -> None:
    """When the hub first published each record (its partner's provenance graph, ``dct:created``)."""
    provenance = hub.iri("graph", "provenance") + "/"
    for quad in view.quads(None, ox.NamedNode(DCT + "created"), None):
        row = rows.get(quad.subject.value)
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if row is not None and graph.startswith(provenance) and quad.object.value < row.get("created", "\uffff"):
            row["created"] = quad.object.value


def _add_twins(view: View, hub: Hub, rows: dict[str, Row]) -> None:
    """Each record's identity-linked twins (graph/links), the whole group of records one initiative is."""
    linked: dict[str, set[str]] = defaultdict(set)
    for quad in view.quads(None, ox.NamedNode(OWL + "sameAs"), None, hub.graph("links")):
        a, b = quad.subject.value, quad.object.value
        if a in rows and b in rows:
            linked[a].add(b)
            linked[b].add(a)
    seen: set[str] = set()
    for start in sorted(linked):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current not in group:
                group.add(current)
                todo.extend(linked[current])
        seen |= group
        for iri in group:
            rows[iri]["twins"] = sorted(group - {iri})


def compute_places(view: View, hub: Hub) -> list[Row]:
    """One row per record, sorted by IRI (see the module's docstring)."""
    rows = _records(view, hub)
    _add_names(view, rows)
    _add_points(view, rows)
    _add_territories(view, hub, rows)
    _add_facets(view, hub, rows)
    _add_history(view, hub, rows)
    _add_twins(view, hub, rows)
    return [rows[iri] for iri in sorted(rows)]


def updated_places(view: View, hub: Hub, changes: RecordChanges) -> list[Row] | None:
    """The previous version's rows, those of the resources changed made again from what ``view`` says of them
    now, and every record's twins drawn again; None when the previous rows cannot be read."""
    try:
        previous = take(rows_in, changes.previous / PLACES_FILE)
    except (OSError, ValueError):
        return None
    changed = changes.resources
    rows = {row["iri"]: row for row in previous if row["iri"] not in changed}
    fresh = compute_places(memory_view(view, changed, hub), hub)
    rows |= {row["iri"]: row for row in fresh if row["iri"] in changed}
    for row in rows.values():
        row.pop("twins", None)
    _add_twins(view, hub, rows)
    return [rows[iri] for iri in sorted(rows)]


def build_places(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write the rows and the map of France; with ``changes``, from the previous version's rows."""
    places = updated_places(writer, hub, changes) if changes is not None else None
    if places is None:
        places = compute_places(writer, hub)
    # orjson: a tenth of json's time (0.53 s for both files at 40,000 records)
    (writer.artifacts / PLACES_FILE).write_bytes(orjson.dumps(places))
    body = orjson.dumps(feature_collection(places, hub, "fr"))
    (writer.artifacts / FRANCE_MAP_FILE).write_bytes(gzip.compress(body, 6, mtime=0))


def read_places(snapshot: Snapshot) -> list[Row] | None:
    """The version's rows, or None when it was published without them."""
    if snapshot.info.artifacts is None:
        return None
    try:
        return rows_in(snapshot.info.artifacts / PLACES_FILE)
    except FileNotFoundError:
        return None


def rows_in(path: Path) -> list[Row]:
    """The rows of a places file."""
    return orjson.loads(path.read_bytes())  # type: ignore[no-any-return]
