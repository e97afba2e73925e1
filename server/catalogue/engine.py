"""One catalogue view computed: the groups matching a query, their order, one page, and the facet counts.

Each filter is a boolean mask over the groups (one card per real initiative); a facet
with several values takes any of them, several facets all of them.  A facet's counts
follow every filter but its own (choosing a second theme widens the results, and its
count says by how much), and count groups, never records.  When nothing matches the
text with the places it names taken out, the places are read as words again; a word that
names a place but is also a word of the records is tried as the place; when nothing
matches every word, all of them but one will do, best matches first; the answer says so.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from carrefour.catalogue.places import place_key
from server.catalogue.index import KIND_ORDER, CatalogueIndex
from server.catalogue.query import FILTERS, Query
from server.catalogue.text import Reading, read_text, text_hits

EXACT_NAME = 1e6  # a name typed whole comes first, whatever BM25 says
ACTOR_WEIGHT = 0.8  # as relevant an actor and an initiative: people look for what is done first
TWIN_WEIGHT = 0.1  # per partner record beyond the first: an initiative several partners describe
TERRITORY_LIST = 30  # communes shown under a département, the most filled first
SEE_ALSO = 8
EARTH_KM = 6371.0


@dataclass
class FacetCount:
    code: str
    count: int
    selected: bool


@dataclass
class Answer:
    total: int  # groups
    records: int  # the partner records behind them
    order: np.ndarray  # the matching groups in order (the first ones only, when a page is all that is needed)
    facets: dict[str, list[FacetCount]]
    reading: Reading
    any_word: bool = False  # nothing had every word: groups with all of them but one
    places_as_words: bool = False  # nothing matched with the places as filters
    sort: str = "name"
    reference: tuple[float, float] | None = None  # the point distances are measured from
    see_also: list[int] = field(default_factory=list)  # record ids of concepts, partners, territories
    keys_text: str = ""  # the words searched (for snippets)

    def page(self, number: int, size: int) -> list[int]:
        return [int(group) for group in self.order[(number - 1) * size : number * size]]


def _masks(index: CatalogueIndex, query: Query) -> dict[str, np.ndarray]:
    masks = {}
    for facet, codes in query.filters:
        if facet == "territory":
            chosen = np.zeros(index.size, dtype=bool)
            for code in codes:
                chosen |= index.territory_mask(code)
        else:
            values = index.facets[facet]
            found = [values.values[values.by_code[c]].groups for c in codes if c in values.by_code]
            chosen = index.mask(np.concatenate(found)) if found else np.zeros(index.size, dtype=bool)
        masks[facet] = chosen
    return masks


def _places_mask(index: CatalogueIndex, reading: Reading) -> np.ndarray | None:
    mask = None
    for _, places in reading.places:
        named = np.zeros(index.size, dtype=bool)
        for place in places:
            named |= index.territory_mask(place.code, place.parent)
        mask = named if mask is None else mask & named
    return mask


def _scores(index: CatalogueIndex, hits: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(best relevance of each group, -inf where no record matched; record ids of the other kinds, ranked)."""
    records, relevance = hits
    groups = index.record_group[records]
    scores = np.full(index.size, -np.inf)
    listed = groups >= 0
    np.maximum.at(scores, groups[listed], relevance[listed])
    scores *= np.where(index.kinds == KIND_ORDER.index("actor"), ACTOR_WEIGHT, 1.0)
    scores *= 1 + TWIN_WEIGHT * (index.record_counts - 1)
    others = records[~listed][np.argsort(-relevance[~listed], kind="stable")]
    return scores, others


def _exact(index: CatalogueIndex, text: str) -> set[int]:
    return index.names.get(place_key(text), set())


def _facet_counts(
    index: CatalogueIndex, query: Query, base: np.ndarray, masks: dict[str, np.ndarray]
) -> dict[str, list[FacetCount]]:
    counts: dict[str, list[FacetCount]] = {}
    for facet in FILTERS:
        others = base.copy()
        for name, mask in masks.items():
            if name != facet:
                others &= mask
        if facet == "territory":
            counts[facet] = _territory_counts(index, query, others)
            continue
        values = index.facets[facet]
        tally = np.bincount(values.owners[others[values.postings]], minlength=len(values.values))
        selected = query.selected(facet)
        counts[facet] = sorted(
            (FacetCount(v.code, int(tally[n]), v.code in selected) for n, v in enumerate(values.values)
             if tally[n] or v.code in selected),
            key=lambda c: (not c.selected, -c.count, c.code),  # the chosen values first, where they are seen
        )  # fmt: skip
    return counts


def _territory_counts(index: CatalogueIndex, query: Query, others: np.ndarray) -> list[FacetCount]:
    """The selected territories, then what they contain (régions when none is), counted with containment."""
    selected = query.selected("territory")
    deepest = [code for code in selected if not any(code != other and code in index.ancestors(other)
                                                     for other in selected)]  # fmt: skip
    shown = list(selected)
    for code in deepest or ["fr"]:
        children = index.children.get(code, [])
        territories = index.facets["territory"]
        filled = sorted(children, key=lambda c: -len(territories.values[territories.by_code[c]].groups))
        shown += [c for c in filled[:TERRITORY_LIST] if c not in shown]
    found = [FacetCount(code, int(np.count_nonzero(others & index.territory_mask(code))), code in selected)
             for code in shown]  # fmt: skip
    return [c for c in found if c.count or c.selected]


def _reference(index: CatalogueIndex, query: Query, reading: Reading) -> tuple[float, float] | None:
    """Where distances are measured from: ``near``, else the first place named or chosen that has a position."""
    if query.near is not None:
        return query.near
    places = [p for _, named in reading.places for p in named]
    candidates = [(p.code, p.parent) for p in places] + [(code, "") for code in query.selected("territory")]
    for code, parent in candidates:
        for territory in (code, parent, *index.ancestors(parent or code)):
            if territory in index.positions:
                return index.positions[territory]
    return None


def _distances(index: CatalogueIndex, groups: np.ndarray, point: tuple[float, float]) -> np.ndarray:
    lat, lon = np.radians(index.lat[groups]), np.radians(index.lon[groups])
    lat0, lon0 = math.radians(point[0]), math.radians(point[1])
    a = np.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    found = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return np.where(np.isnan(found), np.inf, found)


def _first(keys: np.ndarray, limit: int | None) -> np.ndarray:
    """Positions that sort ``keys`` ascending, ties in position order; only the first ``limit`` when given."""
    if limit is None or limit >= len(keys):
        return np.argsort(keys, kind="stable")
    kth = np.partition(keys, limit - 1)[limit - 1]
    chosen = np.flatnonzero(keys <= kth)  # a page's worth and the ties at its end, in position order
    return chosen[np.argsort(keys[chosen], kind="stable")][:limit]


def _order(index: CatalogueIndex, matched: np.ndarray, answer: Answer, scores: np.ndarray | None,
           inside: np.ndarray | None, limit: int | None) -> np.ndarray:  # fmt: skip
    """The matching groups in the answer's sort (the first ``limit`` of them when given)."""
    if answer.sort == "modified":
        return index.by_modified[matched[index.by_modified]][:limit]
    by_name = index.by_name[matched[index.by_name]]
    if answer.sort == "distance" and answer.reference is not None:
        return by_name[_first(_distances(index, by_name, answer.reference), limit)]
    if answer.sort == "relevance" and scores is not None:
        return by_name[_first(-scores[by_name], limit)]
    if inside is not None:  # no text: what is in the place first, then what serves it from above
        return by_name[_first(~inside[by_name], limit)]
    return by_name[:limit]


def _inside(index: CatalogueIndex, query: Query, reading: Reading) -> np.ndarray | None:
    codes = list(query.selected("territory")) + [p.code for _, named in reading.places for p in named]
    territories = index.facets["territory"]
    found = [territories.values[territories.by_code[c]].groups for c in codes if c in territories.by_code]
    return index.mask(np.concatenate(found)) if found else (np.zeros(index.size, bool) if codes else None)


@dataclass
class _Try:
    reading: Reading
    any_word: bool
    base: np.ndarray  # text, places and scope
    matched: np.ndarray  # and every filter
    masks: dict[str, np.ndarray]
    scores: np.ndarray | None  # text relevance per group
    others: np.ndarray  # record ids of concepts, partners, territories the text finds


def _attempt(index: CatalogueIndex, connection: sqlite3.Connection, query: Query, reading: Reading, any_word: bool,
             scope: np.ndarray | None) -> _Try:  # fmt: skip
    base = np.ones(index.size, dtype=bool) if scope is None else scope.copy()
    scores, others = None, np.zeros(0, np.int32)
    if reading.words:
        key = (reading.words, any_word)
        hits = index.texts.get(key)
        if hits is None:
            hits = text_hits(connection, list(reading.words), any_word)
            index.texts.put(key, hits)
        scores, others = _scores(index, hits)
        base &= scores > -np.inf
        for group in _exact(index, query.text):
            if group >= 0:
                scores[group] += EXACT_NAME
    places = _places_mask(index, reading)
    if places is not None:
        base &= places
    masks = _masks(index, query)
    matched = base.copy()
    for mask in masks.values():
        matched &= mask
    return _Try(reading, any_word, base, matched, masks, scores, others)


def _readings(connection: sqlite3.Connection, query: Query, literal: bool) -> list[tuple[Reading, bool]]:
    """The ways to read the text, in the order they are tried: as typed, places as words, words that name a
    place as places (« lyon »), then any word."""
    reading = read_text(connection, query.text, literal)
    tries = [(reading, False)]
    if reading.places:
        tries.append((read_text(connection, query.text, True), False))
    if not literal:
        generous = read_text(connection, query.text, False, generous=True)
        if generous != reading:
            tries.append((generous, False))
    return tries + [(text, True) for text, _ in tries if len(text.words) > 1]


def run(index: CatalogueIndex, query: Query, scope: np.ndarray | None = None, limit: int | None = None) -> Answer:
    """The view ``query`` asks for, among the groups of ``scope`` (a mask; all groups when None).

    :param limit: how many groups of the order are needed (a page's views); all when None (downloads).
    """
    with index.connect() as connection:
        literal = query.literal or bool(_exact(index, query.text))  # a whole name: no place in it
        tries = _readings(connection, query, literal)
        attempts: list[_Try] = []
        for reading, any_word in tries:
            if any_word and any(len(attempt.others) for attempt in attempts):
                break  # every word found a concept, a partner or a place: no looser reading
            attempts.append(_attempt(index, connection, query, reading, any_word, scope))
            if attempts[-1].matched.any():
                break
    found = next((a for a in attempts if a.matched.any()), None) or next((a for a in attempts if len(a.others)), None)
    found = found or attempts[0]
    answer = Answer(0, 0, np.zeros(0, np.int32), _facet_counts(index, query, found.base, found.masks), found.reading)
    answer.any_word = found.any_word
    answer.places_as_words = bool(tries[0][0].places) and not found.reading.places
    answer.reference = _reference(index, query, found.reading)
    default = "relevance" if found.scores is not None else "name"
    wanted = query.sort or default
    usable = (wanted != "distance" or answer.reference is not None) and (
        wanted != "relevance" or found.scores is not None
    )
    answer.sort = wanted if usable else default
    answer.order = _order(index, found.matched, answer, found.scores, _inside(index, query, found.reading), limit)
    answer.total, answer.records = int(found.matched.sum()), int(index.record_counts[found.matched].sum())
    answer.see_also = [int(r) for r in found.others[:SEE_ALSO]]
    answer.keys_text = " ".join(found.reading.words)
    return answer


def distances_of(index: CatalogueIndex, answer: Answer, groups: list[int]) -> dict[int, float]:
    """Km from the answer's reference point to each of ``groups`` that has a point."""
    if answer.reference is None or not groups:
        return {}
    found = _distances(index, np.array(groups, dtype=np.int32), answer.reference)
    return {group: float(km) for group, km in zip(groups, found, strict=True) if np.isfinite(km)}
