"""The calls and offers of one version, in a web worker's memory: what listing and matching need.

Loaded once per version from the artifact written at publication (``carrefour.artifacts.calls``),
then kept as numpy arrays, so that a filter is a boolean mask over the items (10,000 calls
answer in a few milliseconds).  Whether a call is open depends on the day, not on the
version: it is computed per request from the opening and closing days (a date, a month
or a year: the last day of the month or year closes it).  A call without a closing day
leaves the open listings a year after it opened; one without any date stays open.

Places: a call is in the territories it is ``cf:locatedIn`` and serves those it names
in ``cf:areaServed``; a territory filter keeps the calls in it or serving it, or serving a
territory that contains it (a national call is everywhere), as the catalogue does.  A
call's point is the centre of its most precise territory (communes, then départements,
then regions), and said to be approximate.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date
from functools import cache

import numpy as np

from carrefour.artifacts.calls import Item
from carrefour.centres import centre, centres

NO_CLOSING_OPEN_DAYS = 365  # a call without a closing day leaves the open listings a year after it opened
LEVELS = ("commune", "departement", "region")  # most precise first
FAR_PAST, FAR_FUTURE = date.min.toordinal(), date.max.toordinal()
_PERIOD = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def day_range(text: str) -> tuple[int, int] | None:
    """First and last day (ordinals) of a date, month or year as schema.org dates write them; None if malformed."""
    match = _PERIOD.match(text.strip()) if text else None
    if not match:
        return None
    try:
        year = int(match.group(1))
        if match.group(3):
            first = date(year, int(match.group(2)), int(match.group(3)))
            return first.toordinal(), first.toordinal()
        if match.group(2):
            month = int(match.group(2))
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1).toordinal(), date(year, month, last).toordinal()
        return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    except ValueError:
        return None


@cache
def departement_regions() -> dict[str, str]:
    """Département code → its region's code, from the communes table."""
    return {p.departement: p.region for (level, _), p in centres().items() if level == "commune" and p.departement}


def ancestors(key: str) -> list[str]:
    """A territory key (``commune/69123``) and the keys of the territories containing it, up to ``fr``."""
    level, _, code = key.partition("/")
    found = [key]
    if level == "commune":
        place = centre("commune", code)
        if place is not None:
            found += [f"departement/{place.departement}", f"region/{place.region}"]
    elif level == "departement" and code in departement_regions():
        found.append(f"region/{departement_regions()[code]}")
    return found + ([] if key == "fr" else ["fr"])


class Board:
    """The version's calls (and, apart, its offers) with their masks."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.size = len(items)
        self.by_iri = {item.iri: number for number, item in enumerate(items)}
        self.kinds = np.array([item.kind for item in items], dtype=object)
        starts, ends, no_closing = [], [], []
        for item in items:
            opened, closed = day_range(item.opens), day_range(item.closes)
            starts.append(opened[0] if opened else FAR_PAST)
            ends.append(closed[1] if closed else FAR_FUTURE)
            no_closing.append(closed is None and opened is not None)
        self.opens = np.array(starts, dtype=np.int64)
        self.closes = np.array(ends, dtype=np.int64)
        self.no_closing = np.array(no_closing, dtype=bool)
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        for facet, values in (("skill", lambda i: i.skills), ("theme", lambda i: i.themes),
                              ("kind", lambda i: [i.kind]), ("mode", lambda i: [i.mode] if i.mode else []),
                              ("inside", lambda i: {a for p in i.places + i.served for a in ancestors(p)}),
                              ("serves", lambda i: i.served), ("publisher", lambda i: i.publishers)):  # fmt: skip
            found: dict[str, list[int]] = defaultdict(list)
            for number, item in enumerate(items):
                for value in values(item):
                    found[value].append(number)
            self.postings[facet] = {value: np.array(numbers, dtype=np.int32) for value, numbers in found.items()}
        self.skill_sets = [frozenset(item.skills) for item in items]
        self.lat, self.lon, self.placed_at = self._points()

    def _points(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        lat, lon, at = np.full(self.size, np.nan), np.full(self.size, np.nan), [""] * self.size
        for number, item in enumerate(self.items):
            for level in LEVELS:
                key = next((p for p in item.places + item.served if p.startswith(level + "/")), None)
                place = centre(level, key.split("/", 1)[1]) if key else None
                if place is not None:
                    lat[number], lon[number], at[number] = place.latitude, place.longitude, key
                    break
        return lat, lon, at

    def mask(self, facet: str, value: str) -> np.ndarray:
        chosen = np.zeros(self.size, dtype=bool)
        chosen[self.postings[facet].get(value, np.zeros(0, np.int32))] = True
        return chosen

    def open_mask(self, today: date) -> np.ndarray:
        """Calls open on ``today``: opened, not closed, and (without a closing day) opened less than a year ago."""
        day = today.toordinal()
        recent = self.opens >= day - NO_CLOSING_OPEN_DAYS
        return (self.opens <= day) & (self.closes >= day) & (~self.no_closing | recent)

    def territory_mask(self, key: str) -> np.ndarray:
        """Items in the territory or serving it, or serving a territory that contains it."""
        chosen = self.mask("inside", key)
        for containing in ancestors(key):
            chosen |= self.mask("serves", containing)
        return chosen

    def state(self, number: int, today: date) -> str:
        """open, upcoming or closed."""
        if self.open_mask(today)[number]:
            return "open"
        return "upcoming" if self.opens[number] > today.toordinal() else "closed"

    def closing_day(self, number: int) -> date | None:
        value = int(self.closes[number])
        return None if value == FAR_FUTURE else date.fromordinal(value)

    def days_left(self, today: date) -> np.ndarray:
        return self.closes - today.toordinal()
