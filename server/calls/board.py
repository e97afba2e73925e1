"""The calls and offers of one version, in a web worker's memory: what listing and matching need.

Read once per version with one SELECT of every statement about a call or an offer, then
kept as numpy arrays, so that a filter is a boolean mask over the items (10,000 calls
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
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pyoxigraph as ox

from carrefour.centres import centre, centres
from carrefour.store.base import Snapshot
from carrefour.vocab import RDF, SCHEMA, Hub

CALL_KINDS = ("CallForExpertise", "VolunteerMission", "JobOffer", "CallForApplications", "Call")
OFFER = "Offer"
NO_CLOSING_OPEN_DAYS = 365  # a call without a closing day leaves the open listings a year after it opened
LEVELS = ("commune", "departement", "region")  # most precise first
FAR_PAST, FAR_FUTURE = date.min.toordinal(), date.max.toordinal()
_PERIOD = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")

_STATEMENTS = """
SELECT ?item ?p ?o WHERE {
  VALUES ?type { %s }
  ?item a ?type ; ?p ?o .
  FILTER(isIRI(?item))
}
"""
_PUBLISHER_PLACES = """
SELECT ?item ?place WHERE {
  VALUES ?type { %s }
  ?item a ?type ; <%spublishedBy> ?publisher .
  ?publisher <%slocatedIn> ?place .
}
"""


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


@dataclass
class Item:
    """A call or an offer as listings show it."""

    iri: str
    kind: str  # a class name: CallForExpertise, …, Offer
    names: dict[str, str] = field(default_factory=dict)  # language ("" untagged) → name
    descriptions: dict[str, str] = field(default_factory=dict)
    publishers: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # concept codes
    themes: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # territory keys it is located in
    served: list[str] = field(default_factory=list)  # territory keys it serves
    opens: str = ""  # as published
    closes: str = ""
    compensation: str = ""  # concept code
    mode: str = ""
    duration: str = ""
    page: str = ""  # where to answer
    email: str = ""  # a functional address (the shapes refuse a person's)
    publisher_places: list[str] = field(default_factory=list)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("fr") or self.names.get("") or next(iter(self.names.values()), "")

    def description(self, lang: str) -> str:
        texts = self.descriptions
        return texts.get(lang) or texts.get("fr") or texts.get("") or next(iter(texts.values()), "")


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


def _code(hub: Hub, iri: str, scheme: str) -> str:
    prefix = hub.concept(scheme).value + "/"
    return iri[len(prefix) :] if iri.startswith(prefix) else ""


def _territory(hub: Hub, iri: str) -> str:
    prefix = hub.iri("territory") + "/"
    return iri[len(prefix) :] if iri.startswith(prefix) else ""


def read_items(snapshot: Snapshot, hub: Hub, kinds: tuple[str, ...]) -> list[Item]:
    """Every call (or offer) of the version, in the order of their IRIs."""
    values = " ".join(f"<{hub.term(kind).value}>" for kind in kinds)
    items: dict[str, Item] = {}
    cf = hub.ns
    for row in snapshot.select(_STATEMENTS % values):
        subject, predicate, value = row["item"].value, row["p"].value, row["o"]
        item = items.setdefault(subject, Item(subject, kinds[-1]))
        text = value.value
        language = value.language or "" if isinstance(value, ox.Literal) else ""
        if predicate == RDF + "type" and text.startswith(cf) and text[len(cf) :] in kinds:
            kind = text[len(cf) :]
            item.kind = min(item.kind, kind, key=kinds.index)  # the most precise class
        elif predicate == SCHEMA + "name":
            item.names[language] = text
        elif predicate == SCHEMA + "description":
            item.descriptions[language] = text
        elif predicate == cf + "publishedBy":
            item.publishers.append(text)
        elif predicate in (cf + "skillSought", cf + "skillOffered") and (code := _code(hub, text, "skill")):
            item.skills.append(code)
        elif predicate == cf + "theme" and (code := _code(hub, text, "theme")):
            item.themes.append(code)
        elif predicate == cf + "locatedIn" and (key := _territory(hub, text)):
            item.places.append(key)
        elif predicate == cf + "areaServed" and (key := _territory(hub, text)):
            item.served.append(key)
        elif predicate == SCHEMA + "validFrom":
            item.opens = text
        elif predicate == SCHEMA + "validThrough":
            item.closes = text
        elif predicate == cf + "compensation":
            item.compensation = _code(hub, text, "compensation")
        elif predicate == cf + "workMode":
            item.mode = _code(hub, text, "work-mode")
        elif predicate == SCHEMA + "duration":
            item.duration = text
        elif predicate == cf + "answerPage":
            item.page = text
        elif predicate == SCHEMA + "email":
            item.email = text
    placeless = any(not item.places and not item.served for item in items.values())
    for row in snapshot.select(_PUBLISHER_PLACES % (values, cf, cf)) if placeless else []:  # where the publisher is
        item = items[row["item"].value]
        if (key := _territory(hub, row["place"].value)) and not item.served and key not in item.publisher_places:
            item.publisher_places.append(key)
    for item in items.values():
        if not item.places and not item.served:
            item.places = item.publisher_places
        for values in (item.skills, item.themes, item.places, item.served, item.publishers):
            values.sort()
    return [items[iri] for iri in sorted(items)]


def calls_board(snapshot: Snapshot, hub: Hub) -> Board:
    return Board(read_items(snapshot, hub, CALL_KINDS))


def offers_board(snapshot: Snapshot, hub: Hub) -> Board:
    return Board(read_items(snapshot, hub, (OFFER,)))
