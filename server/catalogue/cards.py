"""The cards of a page: each real initiative with what a person reads first, and each partner's record.

Read from the catalogue index for the groups of one page only.  A card links to the
page of its first record, and lists every partner's record with its own IRI (each
still dereferences); its snippet is the passage of a description in the page's
language where the searched words are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from carrefour.artifacts.search import MARK_START
from carrefour.catalogue.programmes import PEOPLE, TEXTS
from carrefour.catalogue.records import CURATED
from server.catalogue.index import CatalogueIndex
from server.catalogue.snippets import Wanted, mark, snippet
from server.catalogue.words import word
from server.vocabulary import pick

DESCRIPTION_ORDER = {"fr": ("desc_fr", "desc_other", "desc_en"), "en": ("desc_en", "desc_other", "desc_fr")}
CHIPS = ("theme", "support", "audience", "method", "actor-type")  # what a card shows of its filing, in order
CHIPS_SHOWN = 6


@dataclass
class RecordLink:
    iri: str
    partner: str  # partner id
    partner_name: str
    name: str


@dataclass
class Card:
    group: int
    kind: str
    name: str  # marked
    iri: str  # the first record's
    records: list[RecordLink]
    place: str  # commune label, else the locality as written
    snippet: str  # marked
    chips: list[str]
    values: dict[str, list[str]]  # facet -> codes
    website: str
    modified: str
    point: tuple[float, float] | None
    approximate: bool
    distance: float | None = None
    details: dict[str, object] = field(default_factory=dict)
    seeks: list[Any] = field(default_factory=list)  # the open calls its records publish (server.calls.notices)


class Labels:
    """Labels of facet values in one language."""

    def __init__(self, index: CatalogueIndex, lang: str) -> None:
        self.index, self.lang = index, lang

    def of(self, facet: str, code: str) -> str:
        if facet == "kind":
            return word(self.lang, f"kind_group_{code}")
        if facet == "partner" and code == CURATED:
            return word(self.lang, "curated_data")
        values = self.index.facets.get(facet)
        number = values.by_code.get(code) if values else None
        if number is None:
            return code
        return pick(values.values[number].labels, self.lang) or code  # type: ignore[union-attr]

    def place(self, commune: str, locality: str | None) -> str:
        """Where a card is: its commune's name, else the town its address gives, as written."""
        return self.of("territory", commune) if commune else (locality or "").title()


def _details(given: dict[str, Any], lang: str, labels: Labels) -> dict[str, Any]:
    """A programme's details in the page's language: texts, actors as (IRI, name), territories served."""
    found: dict[str, Any] = {key: pick(given[key], lang) for key in TEXTS if given.get(key)}
    for key in PEOPLE:
        if given.get(key):
            found[key] = [(iri, pick(names, lang) or iri) for iri, names in given[key]]
    if given.get("served"):
        found["served"] = [labels.of("territory", code) for code in given["served"]]
    return found


def _snippet(row: dict[str, str], search: Wanted, lang: str) -> str:
    texts = [row[column] for column in DESCRIPTION_ORDER[lang] if row.get(column)]
    made = [snippet(text, search) for text in texts]
    return next((text for text in made if MARK_START in text), made[0] if made else "")


def cards(index: CatalogueIndex, groups: list[int], text: str, lang: str, distances: dict[int, float]) -> list[Card]:
    """The cards of ``groups``, in that order, their matches of ``text`` marked."""
    if not groups:
        return []
    labels, search = Labels(index, lang), Wanted(text)
    marks = ",".join("?" * len(groups))
    with index.connect() as connection:
        connection.row_factory = _as_dict
        rows = {row["id"]: row for row in connection.execute(f"SELECT * FROM groups WHERE id IN ({marks})", groups)}  # noqa: S608
        members = {g: json.loads(rows[g]["records"]) for g in groups}
        ids = [r for found in members.values() for r in found]
        records = {
            row["id"]: row
            for row in connection.execute(f"SELECT * FROM records WHERE id IN ({','.join('?' * len(ids))})", ids)  # noqa: S608
        }
    made = []
    for group in groups:
        row = rows[group]
        own = [records[r] for r in members[group]]
        links = [
            RecordLink(r["iri"], p, labels.of("partner", p), r["name"]) for r in own for p in r["partners"].split()
        ]
        passages = [_snippet(r, search, lang) for r in own]
        values = json.loads(row["facet_values"])
        name = row["name_en"] if lang == "en" and row["name_en"] else row["name"]
        made.append(
            Card(
                group, row["kind"], mark(name, search), own[0]["iri"],
                links, labels.place(row["commune"], row["locality"]),
                next((text for text in passages if MARK_START in text), passages[0]),
                [labels.of(f, c) for f in CHIPS for c in values.get(f, [])][:CHIPS_SHOWN],
                values, row["website"] or "", row["modified"] or "",
                (row["lat"], row["lon"]) if row["lat"] is not None else None, bool(row["approximate"]),
                distances.get(group), _details(json.loads(row["details"] or "{}"), lang, labels),
            )
        )  # fmt: skip
    return made


def _as_dict(cursor: object, row: tuple[object, ...]) -> dict[str, object]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}  # type: ignore[attr-defined]
