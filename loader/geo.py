"""French territories: postal code and place name → commune, département, region.

Backed by ``data/reference/communes.csv`` (official geographic code).  Partner feeds
write places every way: 4-digit postal codes that lost their leading zero, names in
capitals, ``ST`` for ``Saint``, ``oe`` for ``œ``, words run together or hyphens lost
(``Labarben``, ``Saint Auban``), arrondissements (``Marseille 13e``, ``MARSEILLE 13``),
a locality or a co-op's name after the town's, a slightly misspelt name, an INSEE code
or a neighbouring postal code in the postal-code column, and accents destroyed into
U+FFFD; the lookups below absorb those, and place nothing they cannot tell apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from carrefour.reference_tables import table_columns
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub
from loader.damage import REPLACEMENT, is_damaged

if TYPE_CHECKING:
    from carrefour.store.base import Snapshot

_ABBREVIATIONS = [(re.compile(r"\bste\b"), "sainte"), (re.compile(r"\bst\b"), "saint")]
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})  # NFKD does not decompose them
_ORDINAL = re.compile(r"^(\d+)(?:er|re|e|eme|ieme)$")  # 1er, 13e, 13eme: the arrondissement's number
_NOT_A_NAME = {"arrondissement", "arr", "cedex"}
_CLOSE = 0.9  # similarity of two spellings of one name (Tourettes-sur-Loup, Tourrettes-sur-Loup)


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    region: str
    postal_codes: tuple[str, ...]


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a place or organisation name.

    Cached: the same commune and category names are folded again for every record.
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


_DAMAGE = "zqfffdqz"  # stands for U+FFFD through folding


def damaged_name_pattern(text: str) -> re.Pattern[str] | None:
    """For a name whose accents became U+FFFD, a pattern matching its folded original."""
    if not is_damaged(text):
        return None
    folded = fold(text.replace(REPLACEMENT, _DAMAGE))
    return re.compile("^" + "[a-z]".join(re.escape(part) for part in folded.split(_DAMAGE)) + "$")


def place_key(name: str) -> str:
    """A commune's name in the form two spellings of it share.

    ``Sallebœuf`` and ``SALLEBOEUF``, ``St-Jean`` and ``Saint Jean``, ``Marseille 13e
    Arrondissement`` and ``MARSEILLE 13`` have one key each; a postal code written with
    the name (``75002 Paris``) is left out.
    """
    words = [_ORDINAL.sub(r"\1", word) for word in fold(name.translate(_LIGATURES)).split()]
    return " ".join(word for word in words if word not in _NOT_A_NAME and not re.fullmatch(r"\d{5}", word))


def compact(key: str) -> str:
    """A key without its spaces: ``La Barben`` is ``Labarben``, ``Laroque-sur-Pernes`` ``La Roque-sur-Pernes``."""
    return key.replace(" ", "")


def _intact_parts(name: str) -> list[str]:
    """The parts of a place name's compact key between letters lost to U+FFFD."""
    return compact(place_key(name.replace(REPLACEMENT, _DAMAGE))).split(_DAMAGE)


def damaged_place_pattern(name: str) -> re.Pattern[str] | None:
    """For a place name with letters lost to U+FFFD, a pattern matching the compact key of its original.

    A lost character may have been an apostrophe (no letter) or ``œ`` (two).
    """
    if not is_damaged(name):
        return None
    return re.compile("^" + "[a-z]{0,2}".join(re.escape(part) for part in _intact_parts(name)) + "$")


def _overlap(key: str, other: str) -> float:
    """How much two names share when one's words run inside the other's (``Marseille 13``, ``Saint Auban``,
    ``Nantes Naofood``; 0: they do not).  A run opening the longer name counts more: ``Auneau`` is rather
    ``Auneau-Bleury-Saint-Symphorien`` than ``Aunay-sous-Auneau``."""
    short, long = sorted((tuple(key.split()), tuple(other.split())), key=len)
    starts = [i for i in range(len(long) - len(short) + 1) if long[i : i + len(short)] == short]
    return 2 * len(short) + (starts[0] == 0) if short and starts else 0


def _prefixed(key: str, other: str) -> float:
    """1 when one name, spaces left out, begins the other (``Isola2000``, ``Isola``)."""
    one, two = compact(key), compact(other)
    return float(bool(one and two) and (one.startswith(two) or two.startswith(one)))


def _closeness(key: str, other: str) -> float:
    """How alike two spellings are, when they are alike enough (``Tourettes-sur-Loup``, ``Tourrettes-sur-Loup``)."""
    ratio = SequenceMatcher(None, compact(key), compact(other)).ratio()
    return ratio if ratio >= _CLOSE else 0.0


def normalise_postal_code(value: object) -> str | None:
    """``4000`` → ``04000``; ``29600.0`` → ``29600``; anything else that is not 5 digits → None."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    text = text.replace(" ", "")
    if re.fullmatch(r"\d{4}", text):
        text = "0" + text
    return text if re.fullmatch(r"\d{5}", text) else None


class Territories:
    """Lookups over the communes table, loaded once."""

    def __init__(self, communes: list[Commune]) -> None:
        self.by_code = {c.code: c for c in communes}
        self._by_postal_code: dict[str, list[Commune]] = {}
        self._departements: dict[str, set[str]] = {}  # first digits of a postal code -> départements
        self._departement_codes = {c.departement for c in communes}
        self._region_codes = {c.region for c in communes}
        self._keys: dict[str, str] = {}  # commune code -> place key, made when a lookup first compares it
        for commune in communes:
            for postal_code in commune.postal_codes:
                self._by_postal_code.setdefault(postal_code, []).append(commune)
                self._departements.setdefault(_area(postal_code), set()).add(commune.departement)

    def _key(self, commune: Commune) -> str:
        """A commune's place key: folding all 35,000 names up front costs 0.5 s most harvests never need."""
        if commune.code not in self._keys:
            self._keys[commune.code] = place_key(commune.name)
        return self._keys[commune.code]

    @cached_property
    def _by_name(self) -> tuple[dict[str, list[Commune]], dict[str, list[Commune]]]:
        """Communes by place key and by compact key: for a name looked up beyond its postal code."""
        by_key: dict[str, list[Commune]] = {}
        by_compact: dict[str, list[Commune]] = {}
        for commune in self.by_code.values():
            key = self._key(commune)
            by_key.setdefault(key, []).append(commune)
            by_compact.setdefault(compact(key), []).append(commune)
        return by_key, by_compact

    @classmethod
    @cache
    def load(cls) -> Territories:
        columns = table_columns("communes.csv", "code", "name", "departement", "region", "postal_codes")
        return cls([Commune(code, name, departement, region, tuple(postal_codes.split()))
                    for code, name, departement, region, postal_codes in columns])  # fmt: skip

    def known(self, level: str, code: str) -> bool:
        """Whether ``code`` is a territory of ``level`` (commune, departement, region) the hub describes."""
        if level == "commune":
            return code in self.by_code
        if level == "departement":
            return code in self._departement_codes
        return level == "region" and code in self._region_codes

    def commune(self, code: str) -> Commune | None:
        return self.by_code.get(code)

    def by_postal_code(self, postal_code: str) -> list[Commune]:
        return self._by_postal_code.get(postal_code, [])

    def resolve(
        self, postal_code: str | None = None, city: str | None = None, insee: str | None = None
    ) -> Commune | None:
        """The commune a postal code and/or a city name designate, if it is unambiguous."""
        if insee:
            code = str(insee).strip()
            if re.fullmatch(r"\d{4}", code):
                code = "0" + code
            if code in self.by_code:
                return self.by_code[code]
        candidates = self.by_postal_code(postal_code) if postal_code else []
        if city:
            matches = self._among(candidates, city)
            if not matches and len(candidates) != 1:  # one commune for the postal code: the code decides
                matches = self._elsewhere(city, postal_code, anywhere=not candidates)
            if len({m.code for m in matches}) == 1:
                return matches[0]
            if matches:
                return None  # several communes answer to the name
        if len(candidates) == 1:
            return candidates[0]
        return None

    def _among(self, candidates: list[Commune], city: str) -> list[Commune]:
        """The communes of a postal code the name designates: spelt alike, else in part, else nearly."""
        found = self._named(candidates, city)
        if found or not candidates:
            return found
        key = place_key(city)
        for score in (_overlap, _prefixed, _closeness):
            scores = {c.code: score(key, self._key(c)) for c in candidates}
            best = max(scores.values())
            if best:
                return [c for c in candidates if scores[c.code] == best]
        return []

    def _elsewhere(self, city: str, postal_code: str | None, anywhere: bool) -> list[Commune]:
        """The communes named ``city`` elsewhere than under the postal code, which may be wrong, a CEDEX, or
        the commune's INSEE code: in the postal code's département, else the INSEE code's commune, else, when
        the postal code is unknown or missing, anywhere.  A name polluted with a co-op's or a locality's
        (``Nantes - Les Coursiers Nantais``) is also read up to the dash.
        """
        near = self._departements.get(_area(postal_code), set()) if postal_code else set()
        forms = dict.fromkeys([city, city.split(" - ", 1)[0]])
        homonyms = [self._named(self._homonyms(form), form) for form in forms]
        for found in homonyms:
            nearby = [c for c in found if c.departement in near]
            if nearby:
                return nearby
        if postal_code in self.by_code:
            found = self._among([self.by_code[postal_code]], city)
            if found:
                return found
        return next((found for found in homonyms if found), []) if anywhere else []

    def _named(self, pool: list[Commune], city: str) -> list[Commune]:
        """The communes of ``pool`` whose name is ``city`` spelt another way (or with letters lost to U+FFFD)."""
        key = place_key(city)
        pattern = damaged_place_pattern(city)
        tests: list[Callable[[Commune], object]] = [
            lambda c: self._key(c) == key,
            lambda c: compact(self._key(c)) == compact(key),
        ]
        if pattern is not None:
            tests.append(lambda c: pattern.match(compact(self._key(c))))
        for test in tests:
            found = [c for c in pool if test(c)]
            if found:
                return found
        return []

    def _homonyms(self, city: str) -> list[Commune]:
        """Every commune that may bear the name: those of its key or, when letters were lost, of its longest part."""
        if is_damaged(city):
            part = max(_intact_parts(city), key=len)
            return [c for c in self.by_code.values() if part in compact(self._key(c))]
        key = place_key(city)
        by_key, by_compact = self._by_name
        return by_key.get(key, []) + by_compact.get(compact(key), [])

    def departement_of_postal_code(self, postal_code: str) -> str | None:
        """The département a postal code belongs to, from the communes it serves."""
        codes = {c.departement for c in self.by_postal_code(postal_code)}
        return codes.pop() if len(codes) == 1 else None


def _area(postal_code: str) -> str:
    """The digits of a postal code that tell its département: two, three overseas (971…)."""
    return postal_code[:3] if postal_code.startswith(("97", "98")) else postal_code[:2]


# What links a resource to a territory: where it is (from its address), where it acts (a partner's value).
TERRITORY_LINKS = ("locatedIn", "areaServed")


def pointed_communes(view: Snapshot, hub: Hub) -> set[str]:
    """Codes of the communes some resource of ``view`` is located in or serves: the ones to describe."""
    query = "SELECT DISTINCT ?c ?prefix WHERE { ?s ?links ?c FILTER(STRSTARTS(STR(?c), ?prefix)) }".replace(
        "?links", "|".join(str(hub.term(name)) for name in TERRITORY_LINKS)
    )
    prefix = hub.iri("territory", "commune") + "/"
    return {row["c"].value[len(prefix) :] for row in view.select(query, {"prefix": ox.Literal(prefix)})}


def commune_iri(hub: Hub, code: str) -> ox.NamedNode:
    return hub.node("territory", "commune", code)


def departement_iri(hub: Hub, code: str) -> ox.NamedNode:
    return hub.node("territory", "departement", code)


def region_iri(hub: Hub, code: str) -> ox.NamedNode:
    return hub.node("territory", "region", code)


def commune_triples(hub: Hub, codes: set[str]) -> list[ox.Triple]:
    """Describe the communes the data points to (the table has 35,000; the graph only these)."""
    triples: list[ox.Triple] = []
    for code in sorted(codes):
        triples += _commune_description(hub.base, hub.vocabulary, code)
    return triples


@cache
def _commune_description(base: str, vocabulary: str, code: str) -> tuple[ox.Triple, ...]:
    """One commune's triples, made once per process: validation and the territories graph both need them."""
    commune = Territories.load().commune(code)
    if commune is None:
        return ()
    hub = Hub(base, vocabulary)
    cf = hub.term
    node = commune_iri(hub, code)
    name = commune.name
    return (
        ox.Triple(node, ox.NamedNode(RDF + "type"), cf("Commune")),
        ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(SKOS + "Concept")),
        ox.Triple(node, ox.NamedNode(SKOS + "inScheme"), hub.node("territory")),
        ox.Triple(node, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(name, language="fr")),
        ox.Triple(node, ox.NamedNode(SCHEMA + "name"), ox.Literal(name)),
        ox.Triple(node, cf("inseeCode"), ox.Literal(code)),
        ox.Triple(node, ox.NamedNode(SKOS + "broader"), departement_iri(hub, commune.departement)),
        ox.Triple(node, ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(f"http://id.insee.fr/geo/commune/{code}")),
        *(ox.Triple(node, cf("postalCode"), ox.Literal(pc)) for pc in commune.postal_codes),
    )


def referenced_commune_codes(hub: Hub, quads: list[ox.Quad] | list[ox.Triple]) -> set[str]:
    prefix = hub.iri("territory", "commune") + "/"
    return {
        q.object.value[len(prefix) :]
        for q in quads
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(prefix)
    }
