"""Rebuild centres.csv: a point for each commune, département and region, where the maps place them.

A record with no coordinates of its own is placed at its commune's centre, and said to
be approximate; the data-design maps draw a région's or a département's count at its
centre.  The centre is the middle of the territory's bounding rectangle, from the npm
package ``@etalab/fr-bounding-boxes`` (rectangles of IGN's ADMIN EXPRESS contours,
Licence Ouverte 2.0; package MIT).  Those rectangles date from 2017: a commune created
since then takes the rectangle around the former communes it merged (``@etalab/
decoupage-administratif``, the package communes.csv comes from), an arrondissement
of Paris, Lyon or Marseille its city's, and a commune restored since then the centre
of a commune sharing its postal code.  The ``method`` column says which (empty: the
territory's own rectangle)::

    npm pack @etalab/fr-bounding-boxes@0.1.3 @etalab/decoupage-administratif@6.0.0
    mkdir boxes cog && tar xzf etalab-fr-bounding-boxes-*.tgz -C boxes && tar xzf etalab-decoupage-*.tgz -C cog
    python data/reference/make_centres.py boxes/package/dist cog/package/data
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
Box = tuple[float, float, float, float]  # west, south, east, north


def boxes(folder: Path, level: str) -> dict[str, Box]:
    items = json.loads((folder / f"{level}.json").read_text())
    return {item["id"].rsplit(":", 1)[1]: tuple(item["bbox"]) for item in items}


def union(found: list[Box]) -> Box:
    return (min(b[0] for b in found), min(b[1] for b in found), max(b[2] for b in found), max(b[3] for b in found))


def centre(box: Box) -> tuple[str, str]:
    """Latitude and longitude of the rectangle's middle, to 4 decimals (about 10 m)."""
    return f"{(box[1] + box[3]) / 2:.4f}", f"{(box[0] + box[2]) / 2:.4f}"


def commune_boxes(box_folder: Path, cog_folder: Path) -> dict[str, tuple[Box, str]]:
    """Every commune of communes.csv with its rectangle and how it was found."""
    known = boxes(box_folder, "communes")
    entries = json.loads((cog_folder / "communes.json").read_text())
    merged: dict[str, list[str]] = defaultdict(list)
    parent: dict[str, str] = {}
    for entry in entries:
        if entry["type"] in ("commune-deleguee", "commune-associee") and entry.get("chefLieu"):
            merged[entry["chefLieu"]].append(entry["code"])
        if entry["type"] == "arrondissement-municipal":
            parent[entry["code"]] = entry["commune"]
    with (HERE / "communes.csv").open(encoding="utf-8") as source:
        communes = list(csv.DictReader(source))
    by_postal_code: dict[str, list[str]] = defaultdict(list)
    for commune in communes:
        for postal_code in commune["postal_codes"].split():
            by_postal_code[postal_code].append(commune["code"])
    found: dict[str, tuple[Box, str]] = {}
    for commune in communes:
        code = commune["code"]
        parts = [known[part] for part in merged.get(code, []) if part in known]
        neighbours = [other for p in commune["postal_codes"].split() for other in by_postal_code[p] if other in known]
        if code in known:
            found[code] = (known[code], "")
        elif parts:
            found[code] = (union(parts), "merged-communes")
        elif parent.get(code) in known:
            found[code] = (known[parent[code]], "city")
        elif neighbours:
            found[code] = (known[neighbours[0]], "postal-code")
    return found


def main(box_folder: Path, cog_folder: Path) -> None:
    rows = [
        (level, code, *centre(box), "")
        for level in ("region", "departement")
        for code, box in sorted(boxes(box_folder, level + "s").items())
    ]
    communes = commune_boxes(box_folder, cog_folder)
    rows += [("commune", code, *centre(box), method) for code, (box, method) in sorted(communes.items())]
    with (HERE / "centres.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["level", "code", "latitude", "longitude", "method"])
        writer.writerows(rows)
    print(f"{len(rows)} centres, {len(communes)} communes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
