"""A visitor's text against the catalogue's FTS5 index: places taken out, French keys, relevance.

Whatever was typed is searched as words, never run as FTS5 syntax: each key is quoted,
and the query is bound as a parameter.  Names weigh most, then other names, categories,
places and descriptions (BM25 weights); the last word matches as a prefix, since people
type the beginning of a word and look.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from carrefour.catalogue.french import fold, keys, meaningful, words
from carrefour.catalogue.places import Found, find_places

MAX_WORDS = 12
WEIGHTS = (10.0, 5.0, 3.0, 2.0, 1.0, 2.0)  # name, other names, categories, places, description, spelled
_STEMMED = "{name other categories places description}"
TOGETHER = 2.5  # relevance of a record where the words stand together, as typed
NEAR_AT_MOST = 5000  # matches; past them, words standing together are not looked for (a query of common words)


@dataclass(frozen=True)
class Place:
    code: str  # territory code: "region/53"
    label: str
    parent: str  # a commune's département


@dataclass(frozen=True)
class Reading:
    """What a query's text says: the places it names and the words left to search."""

    places: tuple[tuple[str, tuple[Place, ...]], ...]  # (words as typed, the territories they name)
    words: tuple[str, ...]


def _kept(terms: list[str]) -> list[str]:
    """The words searched: cut again (whatever a caller passes, only word characters reach FTS5), small ones out."""
    return [word for term in terms for word in words(term) if meaningful(word)][:MAX_WORDS]


def match_expression(terms: list[str], any_word: bool = False) -> str | None:
    """The FTS5 expression for ``terms``: each word's keys quoted, all of them (or any) required.

    The last word may be unfinished: it also matches the beginning of a word of a name as
    spelled, and the beginning of a key when stemming left it whole (``petaouch``).
    """
    kept = _kept(terms)
    if not kept:
        return None
    parts = []
    for position, word in enumerate(kept):
        last = position == len(kept) - 1
        quoted = " OR ".join(f'"{key}"' + ("*" if last and key == fold(word) else "") for key in keys(word))
        part = f"{_STEMMED} : ({quoted})"
        parts.append(f'({part} OR spelled : "{fold(word)}"*)' if last and not word.isdigit() else part)
    return (" OR " if any_word else " AND ").join(parts)


def read_text(connection: sqlite3.Connection, text: str, literal: bool, generous: bool = False) -> Reading:
    """The places ``text`` names (none when ``literal``) and its other words.

    :param generous: a name that is also a word of the records is a place all the same.
    """
    if literal:
        return Reading((), tuple(words(text)))

    def lookup(key: str) -> list[tuple[str, str]]:
        return connection.execute("SELECT territory, level FROM places WHERE key = ?", (key,)).fetchall()

    def in_use(word: str) -> bool:
        if generous:
            return False
        found = keys(word)
        marks = ",".join("?" * len(found))
        return connection.execute(f"SELECT 1 FROM terms WHERE term IN ({marks})", found).fetchone() is not None  # noqa: S608

    found, left = find_places(text, lookup, in_use)
    return Reading(tuple((" ".join(f.words), _described(connection, f)) for f in found), tuple(left))


def _described(connection: sqlite3.Connection, found: Found) -> tuple[Place, ...]:
    places = []
    for code in found.territories:
        row = connection.execute("SELECT label, parent FROM places WHERE territory = ? LIMIT 1", (code,)).fetchone()
        places.append(Place(code, row[0] if row else code, row[1] if row else ""))
    return tuple(places)


def text_hits(
    connection: sqlite3.Connection, terms: list[str], any_word: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(record ids, relevance: higher is better) of the records whose text has the terms."""
    expression = match_expression(terms, any_word)
    if expression is None:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    rows = connection.execute(
        f"SELECT rowid, bm25(text, {weights}) FROM text WHERE text MATCH ?",  # noqa: S608 - numbers only
        (expression,),
    ).fetchall()
    if not rows:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    found = np.array(rows, dtype=np.float64)
    records, relevance = found[:, 0].astype(np.int32), -found[:, 1]
    if any_word:  # all the words but one: a word mistyped or absent, not a handful of common words
        enough = _matching_words(connection, terms, records) >= len(_kept(terms)) - 1
        records, relevance = records[enough], relevance[enough]
    if len(records) <= NEAR_AT_MOST:
        close = _together(connection, terms)
        if close.size:
            relevance[np.isin(records, close)] *= TOGETHER
    return records, relevance.astype(np.float32)


def _matching_words(connection: sqlite3.Connection, terms: list[str], records: np.ndarray) -> np.ndarray:
    """For each of ``records``, how many of the words it has."""
    found = np.zeros(len(records), dtype=np.int32)
    for word in _kept(terms):
        rows = connection.execute("SELECT rowid FROM text WHERE text MATCH ?", (match_expression([word]),))
        found += np.isin(records, np.array([row[0] for row in rows], dtype=np.int32))
    return found


def _together(connection: sqlite3.Connection, terms: list[str]) -> np.ndarray:
    """Records where the words stand close together, as typed (« coopérative d'activité et d'emploi »)."""
    kept = [keys(word)[0] for word in _kept(terms)]
    if len(kept) < 2:
        return np.zeros(0, np.int32)
    expression = f"{_STEMMED} : NEAR({' '.join(f'{chr(34)}{key}{chr(34)}' for key in kept)}, {2 * len(kept)})"
    rows = connection.execute("SELECT rowid FROM text WHERE text MATCH ?", (expression,)).fetchall()
    return np.array([row[0] for row in rows], dtype=np.int32)
