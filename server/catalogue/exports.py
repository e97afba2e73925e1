"""A filtered view to take away: CSV (one row per initiative), GeoJSON and JSON-LD, every match, in order.

The CSV is UTF-8 with a byte-order mark (spreadsheets then read the accents right),
one row per real initiative, its partners' records listed in one cell, and a licence
column: each partner's licence for the records it published.  The GeoJSON holds the
groups that have a point (``approximate`` when it is their commune's, not their own)
and counts the others in ``unplaced``.  The JSON-LD is a Hydra collection of the
records, each card's twins tied by ``owl:sameAs``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from carrefour.vocab import OWL, Hub
from server.catalogue.cards import Labels
from server.catalogue.index import CatalogueIndex

CSV_COLUMNS = ("name", "kind", "url", "records", "partners", "commune", "departement", "region", "latitude",
               "longitude", "approximate_position", "theme", "audience", "method", "support", "actor-type",
               "legal-form", "status", "website", "modified", "licence")  # fmt: skip
LISTED = ("theme", "audience", "method", "support", "actor-type", "legal-form", "status")
KIND_CLASSES = {"initiative": "Initiative", "programme": "SupportProgramme", "actor": "Actor"}
BATCH = 2000


def _rows(index: CatalogueIndex, order: np.ndarray) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(group row, its record rows) for every group of ``order``, read in batches."""
    with index.connect() as connection:
        for start in range(0, len(order), BATCH):
            batch = [int(g) for g in order[start : start + BATCH]]
            marks = ",".join("?" * len(batch))
            groups = {row[0]: row for row in connection.execute(
                f"SELECT id, kind, name, records, partners, commune, lat, lon, approximate, modified, website, "  # noqa: S608
                f"facet_values, locality FROM groups WHERE id IN ({marks})", batch)}  # fmt: skip
            ids = [r for g in batch for r in json.loads(groups[g][3])]
            records = {row[0]: row for row in connection.execute(
                f"SELECT id, iri, kind, partners, name FROM records WHERE id IN ({','.join('?' * len(ids))})", ids)}  # noqa: S608  # fmt: skip
            for group in batch:
                row = groups[group]
                yield (dict(zip(("id", "kind", "name", "records", "partners", "commune", "lat", "lon", "approximate",
                                 "modified", "website", "values", "locality"), row, strict=True)),
                       [dict(zip(("id", "iri", "kind", "partners", "name"), records[r], strict=True))
                        for r in json.loads(row[3])])  # fmt: skip


def _levels(index: CatalogueIndex, values: dict[str, list[str]], commune: str) -> dict[str, str]:
    """The group's commune, département and région codes (the deepest it is in)."""
    found = {"commune": commune, "departement": "", "region": ""}
    for code in values.get("territory", []) + (index.ancestors(commune) if commune else []):
        level = code.split("/", 1)[0]
        if level in found and not found[level]:
            found[level] = code
    return found


def csv_lines(index: CatalogueIndex, order: np.ndarray, labels: Labels, hub: Hub) -> Iterator[str]:
    """The CSV text, a few rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    licences = {v.code: v.extra.get("licence") or "" for v in index.facets["partner"].values}
    for group, records in _rows(index, order):
        buffer.seek(0)
        buffer.truncate()
        values = json.loads(group["values"])
        places = _levels(index, values, group["commune"])
        partners = group["partners"].split()
        writer.writerow([
            group["name"], group["kind"], hub.page_of(records[0]["iri"]), " ".join(r["iri"] for r in records),
            " | ".join(labels.of("partner", p) for p in partners),
            *(labels.of("territory", places[level]) if places[level] else "" for level in ("commune", "departement",
                                                                                           "region")),
            "" if group["lat"] is None else group["lat"], "" if group["lon"] is None else group["lon"],
            "" if group["lat"] is None else str(bool(group["approximate"])).lower(),
            *(" | ".join(labels.of(f, c) for c in values.get(f, [])) for f in LISTED),
            group["website"] or "", group["modified"] or "",
            " | ".join(sorted({licences.get(p, "") for p in partners} - {""})),
        ])  # fmt: skip
        yield buffer.getvalue()


def geojson(index: CatalogueIndex, order: np.ndarray, labels: Labels, hub: Hub) -> dict[str, Any]:
    """A FeatureCollection of the placed groups; ``unplaced`` counts the others."""
    features, unplaced = [], 0
    for group, records in _rows(index, order):
        if group["lat"] is None:
            unplaced += 1
            continue
        commune = labels.place(group["commune"], group["locality"])
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [group["lon"], group["lat"]]},
            "properties": {"name": group["name"], "kind": group["kind"], "commune": commune,
                           "url": hub.page_of(records[0]["iri"]), "approximate": bool(group["approximate"]),
                           "records": len(records)},
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}


def jsonld(index: CatalogueIndex, order: np.ndarray, hub: Hub, url: str) -> dict[str, Any]:
    """A Hydra collection of the records of every matching group, twins tied by ``owl:sameAs``."""
    members = []
    for _, records in _rows(index, order):
        for record in records:
            member = {"@id": record["iri"], "@type": "cf:" + KIND_CLASSES[record["kind"]], "name": record["name"]}
            twins = [other["iri"] for other in records if other is not record]
            if twins:
                member["owl:sameAs"] = [{"@id": twin} for twin in twins]
            members.append(member)
    context = {"@vocab": "http://schema.org/", "cf": hub.ns, "owl": OWL, "hydra": "http://www.w3.org/ns/hydra/core#"}
    return {"@context": context, "@id": url, "@type": "hydra:Collection", "hydra:totalItems": len(members),
            "hydra:member": members}  # fmt: skip
