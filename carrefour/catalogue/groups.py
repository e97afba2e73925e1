"""One card per real initiative: the records the identity links tie together, and where each card is.

Two partners describing the same tiers-lieu are two records, each with its own IRI,
tied by ``owl:sameAs`` in ``graph/links`` (``loader.linking``); a chain of links makes
one group.  A group is filed under everything its records say (a filter on one
partner's theme finds the initiative another partner described), is where any of its
records is, with every territory containing that place (a commune is in its
département, its région and France), and covers the territories its records serve.

Its point is a record's own coordinates, else its commune's position: the mean of the
coordinates of the records placed in that commune (the official code gives no
centroids), marked approximate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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


def broader(view: View, hub: Hub) -> dict[str, str]:
    """Territory IRI -> the territory that contains it (commune → département → région → France)."""
    graph = Graphs(hub).territories
    return {
        q.subject.value: q.object.value
        for q in view.quads(None, ox.NamedNode(SKOS + "broader"), None, graph)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    }


def containing(territories: Iterable[str], parents: dict[str, str]) -> set[str]:
    """The territories and every territory containing them."""
    found: set[str] = set()
    for territory in territories:
        while territory and territory not in found:
            found.add(territory)
            territory = parents.get(territory, "")
    return found


def _positions(records: list[Record], parents: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Territory -> the mean point of the records placed in it (communes, départements, régions)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for record in records:
        if record.point is not None:
            for territory in containing(record.located, parents):
                total = sums[territory]
                total[0], total[1], total[2] = total[0] + record.point[0], total[1] + record.point[1], total[2] + 1
    return {territory: (lat / n, lon / n) for territory, (lat, lon, n) in sums.items()}


def _group(members: list[Record], hub: Hub, parents: dict[str, str], points: dict[str, tuple[float, float]]) -> Group:
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
        group.point, group.approximate = points[group.commune], True
    return group


def make_groups(
    view: View, hub: Hub, records: list[Record], parents: dict[str, str]
) -> tuple[list[Group], dict[str, tuple[float, float]]]:
    """The groups of ``records`` in the order of their names (folded), and the mean point of each territory
    that has placed records; ``parents``: what :func:`broader` reads."""
    by_iri = {record.iri: record for record in records}
    twins = _Twins()
    for quad in view.quads(None, ox.NamedNode(OWL + "sameAs"), None, Graphs(hub).links):
        if quad.subject.value in by_iri and quad.object.value in by_iri:
            twins.join(quad.subject.value, quad.object.value)
    members: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        members[twins.find(record.iri)].append(record)
    points = _positions(records, parents)
    groups = [_group(found, hub, parents, points) for found in members.values()]
    groups.sort(key=lambda g: (place_key(g.name), g.records[0].iri))  # numbered in the order of their names
    return groups, points
