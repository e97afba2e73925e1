"""The figures of the data-design views, counted from the version's places (carrefour.artifacts.places).

Each chart is a list of rows ``{"key", "label", "count", "iri"}`` (territories add
their centre, ``latitude`` and ``longitude``; the history ``added`` and ``total`` per
month), so the same JSON draws a bar chart, a map of proportional circles or a table.
Initiatives are counted with the support programmes among them, as everywhere on
the hub; records are initiatives, programmes and actors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from carrefour.centres import centre
from carrefour.vocab import Hub

Row = dict[str, Any]
Labeller = Callable[[list[str]], dict[str, str]]  # IRIs -> their label in the page's language
INITIATIVES = ("initiative", "programme")
CONCEPT_FACETS = {"theme": "theme", "audience": "audience", "support": "support-type"}  # row key -> scheme
CHARTS = ("region", "departement", "theme", "audience", "support", "partner", "history")


def _ranked(counts: Counter[str], iris: dict[str, str], labels: dict[str, str]) -> list[Row]:
    rows = [
        {"key": key, "label": labels.get(iris[key]) or key, "count": n, "iri": iris[key]} for key, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["label"]))


def _initiatives(places: Iterable[Row]) -> list[Row]:
    return [row for row in places if row["kind"] in INITIATIVES]


def territories(places: Iterable[Row], hub: Hub, level: str, labels: Labeller) -> list[Row]:
    """Initiatives per region or département, each with its centre (for proportional circles)."""
    counts = Counter(row[level] for row in _initiatives(places) if row.get(level))
    iris = {code: hub.iri("territory", level, code) for code in counts}
    rows = _ranked(counts, iris, labels(list(iris.values())))
    for row in rows:
        place = centre(level, row["key"])
        if place is not None:
            row["latitude"], row["longitude"] = place.latitude, place.longitude
    return rows


def concepts(places: Iterable[Row], hub: Hub, facet: str, labels: Labeller) -> list[Row]:
    """Initiatives per domain, audience or support type (a record counts once for each of its values)."""
    counts = Counter(code for row in _initiatives(places) for code in row.get(facet, ()))
    iris = {code: hub.concept(CONCEPT_FACETS[facet], code).value for code in counts}
    return _ranked(counts, iris, labels(list(iris.values())))


def partners(places: Iterable[Row], hub: Hub, labels: Labeller) -> list[Row]:
    """Records (initiatives, programmes, actors) per partner that publishes them."""
    counts = Counter(partner for row in places for partner in row.get("partners", ()))
    iris = {partner: hub.iri("partner", partner) for partner in counts}
    return _ranked(counts, iris, labels(list(iris.values())))


def history(places: Iterable[Row]) -> list[Row]:
    """Records first published each month (their ``dct:created``), and the running total."""
    added = Counter(row["created"][:7] for row in places if row.get("created"))
    total, rows = 0, []
    for month in sorted(added):
        total += added[month]
        rows.append({"key": month, "label": month, "added": added[month], "total": total})
    return rows


def chart(name: str, places: list[Row], hub: Hub, labels: Labeller) -> list[Row]:
    """The rows of chart ``name`` (one of ``CHARTS``)."""
    if name in ("region", "departement"):
        return territories(places, hub, name, labels)
    if name in CONCEPT_FACETS:
        return concepts(places, hub, name, labels)
    if name == "partner":
        return partners(places, hub, labels)
    return history(places)
