"""Where the maps place a territory: the centre of each commune, département and region.

Read from ``data/reference/centres.csv`` (made by ``make_centres.py``: the middle of each
territory's rectangle in IGN's ADMIN EXPRESS, Licence Ouverte 2.0) and the communes
table, once per process.  A record without coordinates is shown at its commune's
centre and said to be approximate; a visitor's "autour de Brest" or "autour de 29200"
starts from the commune's centre too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from carrefour.reference_tables import table_columns


@dataclass(frozen=True)
class Place:
    level: str  # region, departement, commune
    code: str
    latitude: float
    longitude: float
    name: str = ""
    departement: str = ""
    region: str = ""
    postal_codes: tuple[str, ...] = ()


@cache
def centres() -> dict[tuple[str, str], Place]:
    """(level, code) -> its place; communes carry their name, département, region and postal codes."""
    communes = {
        code: (name, departement, region, tuple(postal_codes.split()))
        for code, name, departement, region, postal_codes in table_columns(
            "communes.csv", "code", "name", "departement", "region", "postal_codes"
        )
    }
    nowhere: tuple[str, str, str, tuple[str, ...]] = ("", "", "", ())
    rows = table_columns("centres.csv", "level", "code", "latitude", "longitude")
    return {
        (level, code): Place(level, code, float(latitude), float(longitude),
                             *(communes.get(code, nowhere) if level == "commune" else nowhere))
        for level, code, latitude, longitude in rows
    }  # fmt: skip


def centre(level: str, code: str) -> Place | None:
    return centres().get((level, code))


def folded(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: how a typed place name is compared."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@cache
def _communes_by_key() -> dict[str, list[Place]]:
    index: dict[str, list[Place]] = {}
    for place in centres().values():
        if place.level != "commune":
            continue
        for key in (folded(place.name), place.code, *place.postal_codes):
            index.setdefault(key, []).append(place)
    return index


def find_communes(text: str, limit: int = 10) -> list[Place]:
    """The communes a visitor means by ``text``: a postal code, an INSEE code or a name (accents optional).

    An exact name or code comes first, then names starting with what was typed; five digits are
    read as a postal code first (the commune it names most precisely first), then as an INSEE code.
    """
    key = folded(text)
    if not key:
        return []
    index = _communes_by_key()
    exact = sorted(index.get(key, []), key=lambda p: (key not in p.postal_codes, len(p.postal_codes), p.code))
    if len(exact) >= limit or key.isdigit():
        return exact[:limit]
    starting = sorted(
        (place for name, places in index.items() if name.startswith(key) and name != key for place in places),
        key=lambda p: (len(p.name), p.name),
    )
    return list(dict.fromkeys([*exact, *starting]))[:limit]
