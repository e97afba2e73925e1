"""French territories: postal code and place name → commune, département, region.

Backed by ``data/reference/communes.csv`` (official geographic code).  Partner feeds
write places every way: 4-digit postal codes that lost their leading zero, names in
capitals, ``ST`` for ``Saint``, arrondissements, and accents destroyed into U+FFFD;
the lookups below absorb those.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import pyoxigraph as ox

from carrefour import paths
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub

_ABBREVIATIONS = [(re.compile(r"\bste\b"), "sainte"), (re.compile(r"\bst\b"), "saint")]


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
    if "\ufffd" not in text:
        return None
    folded = fold(text.replace("\ufffd", _DAMAGE))
    return re.compile("^" + "[a-z]".join(re.escape(part) for part in folded.split(_DAMAGE)) + "$")


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
        self._by_name: dict[str, list[Commune]] = {}
        for commune in communes:
            for postal_code in commune.postal_codes:
                self._by_postal_code.setdefault(postal_code, []).append(commune)
            self._by_name.setdefault(fold(commune.name), []).append(commune)

    @classmethod
    @cache
    def load(cls) -> Territories:
        with (paths.REFERENCE_DIR / "communes.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return cls(
            [
                Commune(r["code"], r["name"], r["departement"], r["region"], tuple(r["postal_codes"].split()))
                for r in rows
            ]
        )

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
            wanted = fold(city)
            pattern = damaged_name_pattern(city)
            if pattern is not None:
                pool = candidates or [c for group in self._by_name.values() for c in group]
                matches = [c for c in pool if pattern.match(fold(c.name))]
            else:
                pool = candidates or self._by_name.get(wanted, [])
                matches = [c for c in pool if fold(c.name) == wanted]
                if not matches and candidates:
                    # "Marseille" with 13001 is the 1st arrondissement; "Nantes - Naofood" is Nantes.
                    matches = [
                        c for c in candidates if wanted.startswith(fold(c.name)) or fold(c.name).startswith(wanted)
                    ]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1 and candidates:
                return matches[0] if len({m.code for m in matches}) == 1 else None
        if len(candidates) == 1:
            return candidates[0]
        return None

    def departement_of_postal_code(self, postal_code: str) -> str | None:
        """The département a postal code belongs to, from the communes it serves."""
        codes = {c.departement for c in self.by_postal_code(postal_code)}
        return codes.pop() if len(codes) == 1 else None


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
