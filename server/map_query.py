"""Which records a map, the widget or a chart shows: the filters of their query strings.

``territory=region/53`` (or ``departement/29``, ``commune/29019``), ``kind=initiative``
(support programmes are initiatives too), ``programme`` or ``actor``, ``theme=``,
``audience=``, ``support=`` (a concept's code, as in its IRI), ``partner=`` (a partner's
id), and ``near=LAT,LON`` or ``around=`` a commune's name, postal code or INSEE code,
with ``radius=`` kilometres (10 by default).  A filter given twice accepts either
value; different filters all apply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from carrefour.centres import find_communes

Row = dict[str, Any]
LISTS = {"theme": "theme", "audience": "audience", "support": "support", "partner": "partners"}  # parameter -> row key
KINDS = {"initiative": ("initiative", "programme"), "programme": ("programme",), "actor": ("actor",)}
LEVELS = ("region", "departement", "commune")
MAX_RADIUS_KM = 500.0
_CODE = re.compile(r"[0-9A-Za-z_-]{1,80}")
_EARTH_KM = 6371.0088


@dataclass(frozen=True)
class MapQuery:
    territories: tuple[tuple[str, str], ...] = ()  # (level, code)
    kinds: tuple[str, ...] = ()
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (row key, accepted codes)
    near: tuple[float, float] | None = None
    radius_km: float = 10.0
    around: str = ""  # the commune the visitor named, as found
    key: tuple[Any, ...] = field(default=(), compare=False)  # what the answer depends on, for caches

    def matches(self, row: Row) -> bool:
        if self.kinds and row["kind"] not in self.kinds:
            return False
        if self.territories and not any(row.get(level) == code for level, code in self.territories):
            return False
        if any(not set(row.get(key, ())) & set(codes) for key, codes in self.values):
            return False
        if self.near is not None:
            return "lat" in row and distance_km(self.near, (row["lat"], row["lon"])) <= self.radius_km
        return True

    def select(self, rows: Iterable[Row]) -> list[Row]:
        return [row for row in rows if self.matches(row)]

    @property
    def empty(self) -> bool:
        return not (self.territories or self.kinds or self.values or self.near)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _codes(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    codes = tuple(sorted({value.strip() for value in args.getlist(name) if value.strip()}))
    bad = [code for code in codes if not _CODE.fullmatch(code)]
    if bad:
        raise BadRequest(f"{name}: not a code: {bad[0][:40]!r}")
    return codes


def _territories(args: MultiDict[str, str]) -> tuple[tuple[str, str], ...]:
    found = []
    for value in sorted(set(args.getlist("territory"))):
        level, _, code = value.strip().strip("/").removeprefix("territory/").partition("/")
        if level not in LEVELS or not _CODE.fullmatch(code):
            raise BadRequest(f"territory: expected region/CODE, departement/CODE or commune/CODE, not {value[:40]!r}")
        found.append((level, code))
    return tuple(found)


def _number(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"{name}: not a number: {text[:40]!r}") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise BadRequest(f"{name}: {value} is outside [{low}, {high}]")
    return value


def _near(args: MultiDict[str, str]) -> tuple[tuple[float, float] | None, str]:
    if args.get("near"):
        latitude, _, longitude = args["near"].partition(",")
        return (_number(latitude, "near", -90, 90), _number(longitude, "near", -180, 180)), ""
    if args.get("around"):
        communes = find_communes(args["around"], limit=1)
        if not communes:
            raise BadRequest(f"around: no commune is named or numbered {args['around'][:40]!r}")
        return (communes[0].latitude, communes[0].longitude), communes[0].name
    return None, ""


def parse_query(args: MultiDict[str, str]) -> MapQuery:
    """The filters of a query string.

    :raises BadRequest: a value is not a code, a territory or a number in range (400).
    """
    kinds = _codes(args, "kind")
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise BadRequest(f"kind: one of {', '.join(KINDS)}, not {unknown[0]!r}")
    values = tuple((key, codes) for name, key in LISTS.items() if (codes := _codes(args, name)))
    near, around = _near(args)
    radius = _number(args.get("radius", "10"), "radius", 0.1, MAX_RADIUS_KM)
    territories = _territories(args)
    accepted = tuple(sorted({kind for name in kinds for kind in KINDS[name]}))
    key = (territories, accepted, values, near, radius if near else None)
    return MapQuery(territories, accepted, values, near, radius, around, key)
