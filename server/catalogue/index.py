"""The catalogue index of one version, in a web worker's memory: what any filter combination needs.

Loaded once per version from ``catalogue.sqlite`` (``carrefour.artifacts.catalogue``):
per group its kind, point, sort keys and number of records; per facet value the groups
filed under it, as numpy arrays, so that a filter is a boolean mask and every facet's
counts are one ``bincount`` over that facet's postings.  Text, snippets and places stay
in the SQLite file and are read per request, through a read-only connection; the
matches of the last texts searched are kept, since a visitor who typed words then
chooses filters, pages and sorts on them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from carrefour.artifacts.catalogue_rows import FACETS
from server.memo import LruMemo

KIND_ORDER = ("programme", "initiative", "actor")
TEXTS_KEPT = 64  # texts whose matches a worker keeps, per version
TERRITORIES_KEPT = 256  # territory masks kept (the régions and départements a page counts, the places asked for)


@dataclass
class FacetValue:
    code: str
    iri: str
    labels: dict[str, str]
    parent: str  # territories: the containing territory's code
    groups: np.ndarray  # int32: groups filed under the value
    covers: np.ndarray  # territories: groups that serve it as a whole
    extra: dict[str, str]


@dataclass
class Facet:
    name: str
    values: list[FacetValue]
    by_code: dict[str, int] = field(default_factory=dict)
    postings: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # group of each posting
    owners: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # value index of each posting

    def __post_init__(self) -> None:
        self.by_code = {value.code: number for number, value in enumerate(self.values)}
        if self.values:
            self.postings = np.concatenate([value.groups for value in self.values])
            self.owners = np.repeat(np.arange(len(self.values), dtype=np.int32), [len(v.groups) for v in self.values])


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.int32)


class CatalogueIndex:
    """One version's catalogue, read from ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.texts = LruMemo(TEXTS_KEPT)  # (words, loosely) -> text hits: filters, pages and sorts reuse them
        self.territories = LruMemo(TERRITORIES_KEPT)  # (code, parent) -> the territory's mask
        with self.connect() as connection:
            self._load_groups(connection)
            self._load_facets(connection)
            self.positions = {
                code: (lat, lon) for code, lat, lon in connection.execute("SELECT territory, lat, lon FROM positions")
            }
            groups = connection.execute("SELECT grp FROM records ORDER BY id").fetchall()
            self.record_group = np.array([row[0] for row in groups], dtype=np.int32)
            self.names: dict[str, set[int]] = defaultdict(set)  # a name typed whole -> its groups (-1 - id: others)
            for key, target in connection.execute("SELECT key, target FROM names"):
                self.names[key].add(target)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        try:
            yield connection
        finally:
            connection.close()

    def _load_groups(self, connection: sqlite3.Connection) -> None:
        rows = connection.execute(
            "SELECT kind, json_array_length(records), lat, lon, approximate, modified FROM groups ORDER BY id"
        ).fetchall()
        self.size = len(rows)
        self.kinds = np.array([KIND_ORDER.index(row[0]) for row in rows], dtype=np.int8)
        self.record_counts = np.array([row[1] for row in rows], dtype=np.int32)
        self.lat = np.array([np.nan if row[2] is None else row[2] for row in rows], dtype=np.float64)
        self.lon = np.array([np.nan if row[3] is None else row[3] for row in rows], dtype=np.float64)
        self.approximate = np.array([bool(row[4]) for row in rows], dtype=bool)
        self.by_name = np.arange(self.size, dtype=np.int32)  # the index numbers groups in the order of their names
        modified = np.array([row[5] or "" for row in rows])
        self.by_modified = np.argsort(modified, kind="stable")[::-1].astype(np.int32)

    def _load_facets(self, connection: sqlite3.Connection) -> None:
        found: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
        for facet, code, iri, labels, parent, groups, covers, extra in connection.execute(
            "SELECT facet, code, iri, labels, parent, groups, covers, extra FROM facet_values ORDER BY id"
        ):
            value = FacetValue(code, iri, json.loads(labels), parent, _array(groups), _array(covers), json.loads(extra))
            found.setdefault(facet, []).append(value)
        self.facets = {name: Facet(name, values) for name, values in found.items()}
        self.children: dict[str, list[str]] = defaultdict(list)  # territory code -> contained territories
        for value in self.facets["territory"].values:
            self.children[value.parent].append(value.code)

    def mask(self, groups: np.ndarray) -> np.ndarray:
        chosen = np.zeros(self.size, dtype=bool)
        chosen[groups] = True
        return chosen

    def ancestors(self, code: str) -> list[str]:
        """A territory's code and those of every territory containing it."""
        territories = self.facets["territory"]
        found = []
        while code and code not in found:
            found.append(code)
            number = territories.by_code.get(code)
            code = territories.values[number].parent if number is not None else ""
        return found

    def territory_mask(self, code: str, parent: str = "") -> np.ndarray:
        """Groups in the territory, or serving it or a territory containing it as a whole (read-only).

        :param parent: the territory containing it, for a commune where the hub has nothing.
        """
        key = (code, parent)
        found = self.territories.get(key)
        if found is None:
            found = self._territory_mask(code, parent)
            found.flags.writeable = False  # shared by the requests of every thread
            self.territories.put(key, found)
        return found  # type: ignore[no-any-return]

    def _territory_mask(self, code: str, parent: str) -> np.ndarray:
        territories = self.facets["territory"]
        chosen = np.zeros(self.size, dtype=bool)
        number = territories.by_code.get(code)
        if number is not None:
            chosen[territories.values[number].groups] = True
        for ancestor in self.ancestors(code) if number is not None else [code, *self.ancestors(parent)]:
            found = territories.by_code.get(ancestor)
            if found is not None:
                chosen[territories.values[found].covers] = True
        return chosen
