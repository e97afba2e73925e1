"""Places named in a query: « tiers lieux bretagne », « coworking 29 », « Rennes », « 29200 ».

The gazetteer holds every région and département of the version (names, official
codes, a few names people use: « PACA », « IDF ») and every commune of the official
code (``data/reference/communes.csv``) with its postal codes, keyed by the words of
their names folded (``Saint-Brieuc`` → ``saint brieuc``).  A query's words are read
left to right, the longest name first; a name found becomes a territory filter and
leaves the text.  A name that is also a word the records use (the commune of Bio, the
département of the Nord in « Initiative Nord Hautes-Alpes ») stays text when it is a
single short word or a single-word commune: the caller says which words are in use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from carrefour.catalogue.french import STOPWORDS, fold
from carrefour.reference_tables import table_columns

LONGEST_NAME = 8  # words; « Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson » has 7
ALIASES = {"paca": "region/93", "region sud": "region/93", "idf": "region/11", "aura": "region/84", "bzh": "region/53"}
_POSTAL_CODE = re.compile(r"[0-9]{5}")
_SHORT = 4  # letters: a one-word département name this short (Ain, Lot, Var, Nord) may be a word


def place_words(text: str) -> list[str]:
    """Folded words of a place name or a query; ``st``/``ste`` spelled out."""
    found = re.findall(r"[a-z0-9]+", fold(text))
    return ["saint" if word == "st" else "sainte" if word == "ste" else word for word in found]


def place_key(name: str) -> str:
    return " ".join(place_words(name))


@dataclass(frozen=True)
class Entry:
    key: str
    territory: str  # path under {base}territory/: "region/53", "departement/29", "commune/35238"
    level: str
    label: str
    parent: str = ""  # a commune's département, as a path


def reference_communes() -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(code, name, département code, postal codes) of every commune of the official code."""
    for code, name, departement, postal_codes in table_columns("communes.csv", "code", "name", "departement",
                                                              "postal_codes"):  # fmt: skip
        yield code, name, departement, tuple(postal_codes.split())


def gazetteer(regions: dict[str, str], departements: dict[str, str]) -> Iterator[Entry]:
    """Every name and code the query may use, from the version's regions and départements (code -> name)."""
    for code, name in regions.items():
        yield Entry(place_key(name), f"region/{code}", "region", name)
    for alias, territory in ALIASES.items():
        yield Entry(alias, territory, "region", regions.get(territory.removeprefix("region/"), alias))
    for code, name in departements.items():
        for key in (place_key(name), code.lower(), *(("20",) if code in ("2A", "2B") else ())):  # Corsica's old number
            yield Entry(key, f"departement/{code}", "departement", name)
    for code, name, departement, postal_codes in reference_communes():
        for key in (place_key(name), *postal_codes):
            yield Entry(key, f"commune/{code}", "commune", name, f"departement/{departement}")


@dataclass(frozen=True)
class Found:
    words: tuple[str, ...]  # as typed (folded)
    territories: tuple[str, ...]  # paths under {base}territory/ (a postal code or a name may be several)


Lookup = Callable[[str], list[tuple[str, str]]]  # key -> [(territory, level)]


def _accepted(key: str, hits: list[tuple[str, str]], in_use: Callable[[str], bool]) -> list[str]:
    """The territories a key stands for, or none when it is more likely a word of the records."""
    single = " " not in key and not key.isdigit()
    kept = []
    for territory, level in hits:
        if level == "commune" and single and in_use(key):
            continue
        if level == "departement" and single and len(key) <= _SHORT and in_use(key):
            continue
        kept.append(territory)
    if any(t.startswith(("region/", "departement/")) for t in kept) and not _POSTAL_CODE.fullmatch(key):
        kept = [t for t in kept if not t.startswith("commune/")]  # « Paris », « Mayotte »: the larger place
    return sorted(set(kept))


def find_places(text: str, lookup: Lookup, in_use: Callable[[str], bool]) -> tuple[list[Found], list[str]]:
    """(places named in ``text``, the words left), longest names first, left to right.

    :param lookup: the gazetteer: territories whose key is the given folded words.
    :param in_use: whether a folded word is a word of the records' names, descriptions or categories.
    """
    cut = place_words(text)
    found: list[Found] = []
    left: list[str] = []
    position = 0
    while position < len(cut):
        for size in range(min(LONGEST_NAME, len(cut) - position), 0, -1):
            key = " ".join(cut[position : position + size])
            territories = [] if key in STOPWORDS else _accepted(key, lookup(key), in_use)
            if territories:
                found.append(Found(tuple(cut[position : position + size]), tuple(territories)))
                position += size
                break
        else:
            left.append(cut[position])
            position += 1
    return found, left
