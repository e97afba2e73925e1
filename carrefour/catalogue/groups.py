"""One card per real initiative: the records the identity links tie together, and where each card is.

Two partners describing the same tiers-lieu are two records, each with its own IRI,
tied by ``owl:sameAs`` in ``graph/links`` (``loader.linking``); a chain of links makes
one group.  A group is filed under everything its records say (a filter on one
partner's theme finds the initiative another partner described), is where any of its
records is, with every territory containing that place (a commune is in its
département, its région and France), and covers the territories its records serve.

Its point is a record's own coordinates, else its commune's position: the mean of the
coordinates of the records placed in that commune (the official code gives no
centroids), marked approximate.  The coordinates are summed as whole nanodegrees, so
that a sum brought up to date for a few records (``carrefour.artifacts.catalogue_amend``)
is exactly the sum made again: floats added in another order are not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import pyoxigraph as ox

from carrefour.catalogue.places import place_key
from carrefour.catalogue.records import RECORD_KINDS, Record, View
from carrefour.vocab import OWL, SKOS, Graphs, Hub


@dataclass
class Group:
    records: list[Record]
    kind: str
    name: str
    values: dict[str, set[str]] = field(default_factory=dict)  # facet -> concept IRIs
    partners: set[str] = field(default_factory=set)
    located: set[str] = field(default_factory=set)  # where it is or acts, with every territory containing them
    served: set[str] = field(default_factory=set)  # the territories its records serve, as they say them
    commune: str = ""
    locality: str = ""
    point: tuple[float, float] | None = None
    approximate: bool = False
    modified: str = ""
    website: str = ""


class _Twins:
    """Union-find over record IRIs."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, iri: str) -> str:
        root = iri
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while iri != root:
            self.parent[iri], iri = root, self.parent.get(iri, iri)
        return root

    def join(self, one: str, other: str) -> None:
        first, second = sorted((self.find(one), self.find(other)))
        if first != second:
            self.parent[second] = first


class Placed(NamedTuple):
    """The records placed in a territory with their own coordinates: how many, and their sums in nanodegrees."""

    records: int
    lat: int
    lon: int

    @property
    def point(self) -> tuple[float, float]:
        return self.lat / self.records / NANO, self.lon / self.records / NANO

    def plus(self, point: tuple[float, float], sign: int = 1) -> Placed:
        lat, lon = nanodegrees(point)
        return Placed(self.records + sign, self.lat + sign * lat, self.lon + sign * lon)


NANO = 10**9
NOWHERE = Placed(0, 0, 0)


def nanodegrees(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0] * NANO), round(point[1] * NANO)


def broader(view: View, hub: Hub) -> dict[str, str]:
    """Territory IRI -> the territory that contains it (commune → département → région → France)."""
    graph = Graphs(hub).territories
    return {
        q.subject.value: q.object.value
        for q in view.quads(None, ox.NamedNode(SKOS + "broader"), None, graph)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    }


class BroaderAsked(dict[str, str]):
    """What :func:`broader` reads, read as asked (``get``): the territories of a few records, not 35,000."""

    def __init__(self, view: View, hub: Hub) -> None:
        super().__init__()
        self._view, self._graph = view, Graphs(hub).territories

    def get(self, territory: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if territory not in self:
            found = self._view.quads(ox.NamedNode(territory), ox.NamedNode(SKOS + "broader"), None, self._graph)
            self[territory] = next((q.object.value for q in found if isinstance(q.object, ox.NamedNode)), "")
        return self[territory] or default


def containing(territories: Iterable[str], parents: Mapping[str, str]) -> set[str]:
    """The territories and every territory containing them."""
    found: set[str] = set()
    for territory in territories:
        while territory and territory not in found:
            found.add(territory)
            territory = parents.get(territory, "")
    return found


def _positions(records: list[Record], parents: Mapping[str, str]) -> dict[str, Placed]:
    """Territory -> the records placed in it (communes, départements, régions), whose mean is its position."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in records:
        if record.point is not None:
            lat, lon = nanodegrees(record.point)
            for territory in containing(record.located, parents):
                total = sums[territory]
                total[0], total[1], total[2] = total[0] + 1, total[1] + lat, total[2] + lon
    return {territory: Placed(*total) for territory, total in sums.items()}


def make_group(
    members: list[Record], hub: Hub, parents: Mapping[str, str], points: Mapping[str, Placed]
) -> Group:  # fmt: skip
    """The group of twin records ``members`` (sorted in place, the strongest first)."""
    members.sort(key=lambda r: (RECORD_KINDS.index(r.kind), -len(r.descriptions), sorted(r.partners), r.iri))
    names = Counter(record.name for record in members)
    group = Group(members, members[0].kind, max(names, key=lambda name: (names[name], name == members[0].name)))
    communes = hub.iri("territory", "commune") + "/"
    for record in members:
        for facet, values in record.values.items():
            group.values.setdefault(facet, set()).update(values)
        group.partners |= record.partners
        group.located |= containing(record.located | record.served, parents)
        group.served |= record.served
        group.commune = group.commune or next((t for t in sorted(record.located) if t.startswith(communes)), "")
        group.locality = group.locality or record.locality
        group.point = group.point or record.point
        group.modified = max(group.modified, record.modified)
        group.website = group.website or record.website
    if group.point is None and group.commune in points:
        group.point, group.approximate = points[group.commune].point, True
    return group


def make_groups(
    view: View, hub: Hub, records: list[Record], parents: dict[str, str]
) -> tuple[list[Group], dict[str, Placed]]:
    """The groups of ``records`` in the order of their names (:func:`group_key`), and the records placed in each
    territory; ``parents``: what :func:`broader` reads."""
    by_iri = {record.iri: record for record in records}
    twins = _Twins()
    for quad in view.quads(None, ox.NamedNode(OWL + "sameAs"), None, Graphs(hub).links):
        if quad.subject.value in by_iri and quad.object.value in by_iri:
            twins.join(quad.subject.value, quad.object.value)
    members: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        members[twins.find(record.iri)].append(record)
    points = _positions(records, parents)
    groups = [make_group(found, hub, parents, points) for found in members.values()]
    groups.sort(key=group_key)  # numbered in the order of their names
    return groups, points


def group_key(group: Group) -> tuple[str, str]:
    """Where a group comes in the catalogue's order: by its name folded, then its first record."""
    return place_key(group.name), group.records[0].iri
