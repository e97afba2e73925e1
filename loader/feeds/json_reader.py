"""JSON and GeoJSON feeds: the records are the items of a list found by a dotted path.

GeoJSON features become their ``properties``, plus ``_latitude`` / ``_longitude``
from a Point geometry (GeoJSON writes ``[longitude, latitude]``) and ``_id`` from
the feature's own id.  A file that is not JSON, or not in the declared encoding,
is refused as a whole with the line and column of the fault: a half-read JSON
document would silently lose records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from carrefour.errors import HarvestError
from loader.feeds.csv_reader import python_encoding
from loader.feeds.items import Problem, Record
from loader.feeds.spec import FeedSpec


def _line_and_column(text: bytes, offset: int) -> str:
    line = text.count(b"\n", 0, offset) + 1
    column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def load_json(path: Path, encoding: str, name: str) -> Any:
    """The parsed document.

    :raises HarvestError: undecodable bytes or invalid JSON, with where.
    """
    data = path.read_bytes()
    try:
        text = data.decode(python_encoding(encoding))
    except UnicodeDecodeError as exc:
        raise HarvestError(
            f"{name}: bytes {data[exc.start : exc.start + 4]!r} at {_line_and_column(data, exc.start)} are not "
            f"valid {encoding}: set 'encoding' in the partner's [feed]"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarvestError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise HarvestError(f"{name}: JSON nested too deeply to be read") from exc


def _at_path(document: Any, path: str, name: str) -> list[Any]:
    value = document
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise HarvestError(f"{name}: no {path!r} in the document (option 'records')")
    if isinstance(value, dict) and value.get("type") == "Feature":
        return [value]
    if not isinstance(value, list):
        where = f"{path!r}" if path else "the document"
        kind = type(value).__name__
        raise HarvestError(f"{name}: {where} is a JSON {kind}, not a list of records (option 'records')")
    return value


def geojson_fields(feature: dict[str, Any]) -> dict[str, Any]:
    """A feature's properties with its point's coordinates and its id."""
    properties = feature.get("properties")
    fields = dict(properties) if isinstance(properties, dict) else {}
    if "id" in feature:
        fields["_id"] = feature["id"]
    geometry = feature.get("geometry")
    if isinstance(geometry, dict):
        fields["_geometry_type"] = geometry.get("type")
        coordinates = geometry.get("coordinates")
        if (
            geometry.get("type") == "Point"
            and isinstance(coordinates, list)
            and len(coordinates) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2])
        ):
            fields["_longitude"], fields["_latitude"] = coordinates[0], coordinates[1]
    return fields


def read_json(spec: FeedSpec, path: Path, name: str) -> Iterator[Record | Problem]:
    """Records of a JSON (or GeoJSON) document."""
    items = _at_path(load_json(path, spec.encoding, name), spec.records, name)
    prefix = "$" + "".join(f".{p}" for p in spec.records.split(".") if p)
    for index, item in enumerate(items):
        origin = f"{prefix}[{index}]"
        if not isinstance(item, dict):
            yield Problem(origin, f"a JSON {type(item).__name__} where a record (an object) was expected", record=True)
            continue
        if spec.format == "geojson":
            if item.get("type") != "Feature":
                yield Problem(origin, "not a GeoJSON Feature", record=True)
                continue
            yield Record(geojson_fields(item), origin)
        else:
            yield Record(item, origin)
