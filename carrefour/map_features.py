"""The GeoJSON every map of the hub reads: one Feature per real initiative, actor or programme.

The shape is shared with the search page's ``format=geojson`` answers: a
FeatureCollection whose Features have a Point ``[lon, lat]`` and the properties
``name``, ``kind`` (initiative, programme or actor), ``commune`` (its name), ``url``
(the record's page) and ``approximate`` (placed at its commune's centre), plus a
top-level ``unplaced`` count of the records that could not be placed.

Records two partners describe (identity-linked twins) are one initiative: they
make one Feature, pointing to the page that shows what each partner says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from carrefour.vocab import Hub

Row = dict[str, Any]


def _representative(row: Row, chosen: dict[str, Row]) -> bool:
    """Whether ``row`` stands for its group: the one with its own coordinates, then the first by IRI."""
    group = [row["iri"], *row.get("twins", ())]
    candidates = [chosen[iri] for iri in group if iri in chosen]
    best = min(candidates, key=lambda r: ("lat" not in r, r.get("approximate", False), r["iri"]))
    return best is row


def feature(row: Row, hub: Hub, lang: str) -> dict[str, Any]:
    name = row.get("nameEn", row["name"]) if lang == "en" else row["name"]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "properties": {
            "name": name,
            "kind": row["kind"],
            "commune": row.get("communeName") or row.get("locality", ""),
            "url": hub.page_of(row["iri"]),
            "approximate": bool(row.get("approximate", False)),
        },
    }


def feature_collection(
    rows: Sequence[Row], hub: Hub, lang: str, extra: Iterable[tuple[str, Any]] = (), merge_twins: bool = True
) -> dict[str, Any]:
    """The FeatureCollection of ``rows`` (twins among them shown once unless ``merge_twins`` is false: a
    record's own map shows where each partner places it), and how many could not be placed."""
    chosen = {row["iri"]: row for row in rows}
    features, unplaced = [], 0
    for row in rows:
        if merge_twins and row.get("twins") and not _representative(row, chosen):
            continue
        if "lat" in row:
            features.append(feature(row, hub, lang))
        else:
            unplaced += 1
    return {"type": "FeatureCollection", "unplaced": unplaced, **dict(extra), "features": features}
