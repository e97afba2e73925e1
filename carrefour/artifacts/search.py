"""The full-text index of a published version: SQLite FTS5 over names and descriptions.

Built at publication time next to the store generation (``search.sqlite``), read-only
afterwards.  Initiatives, support programmes, actors, partners, concepts and
territories are indexed by their names (all languages, alternative names included)
and descriptions, kept apart by language (French, English, the others and untagged
text) so that a page shows the passage written in its own language first.  The
tokenizer folds case and accents (``unicode61 remove_diacritics 2``), so ``epicerie``
finds « Épicerie » and « ÉPICERIE »; the last word of a query matches as a prefix.

A query is never handed to FTS5 as written: it is cut into words, each quoted as an
FTS5 string, so ``"``, ``*``, ``NEAR``, ``OR``, ``-`` or ``:`` typed by a visitor are
searched for as text (or ignored), never run as query syntax; and the text is bound as
a parameter, never spliced into SQL.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.changes import RecordChanges, memory_view
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub

SEARCH_FILE = "search.sqlite"
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters, removed from indexed text
MAX_QUERY_WORDS = 12
MAX_TEXT = 20000

NAMES = (SCHEMA + "name", SKOS + "prefLabel")
OTHER_NAMES = (SCHEMA + "alternateName", SCHEMA + "legalName", SKOS + "altLabel")
DESCRIPTIONS_OF = (SCHEMA + "description", SKOS + "definition")
_WORD = re.compile(r"\w+")
_SCHEMA_SQL = """
CREATE VIRTUAL TABLE entries USING fts5(
    name, other_names, description, description_fr, description_en,
    iri UNINDEXED, kind UNINDEXED, partner UNINDEXED,
    tokenize = "unicode61 remove_diacritics 2", prefix = '2 3'
)
"""
# The description columns a snippet is taken from, by the page's language; ``description`` holds untagged
# text (partners rarely tag it, and then mostly write French) and other languages.
DESCRIPTIONS = {"fr": ("description_fr", "description", "description_en"),
                "en": ("description_en", "description", "description_fr")}  # fmt: skip


def indexed_kinds(hub: Hub) -> list[tuple[str, str]]:
    """(class IRI, kind) in increasing priority: a programme is an initiative too."""
    return [
        (SKOS + "Concept", "concept"),
        *((hub.ns + c, "territory") for c in ("Country", "Region", "Departement", "Commune")),
        (hub.ns + "Partner", "partner"),
        (hub.ns + "Actor", "actor"),
        (hub.ns + "Initiative", "initiative"),
        (hub.ns + "SupportProgramme", "programme"),
    ]


def _clean(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")[:MAX_TEXT]


def literal_texts(
    view: Snapshot | Writer, predicates: tuple[str, ...], subjects: Iterable[str] | None = None
) -> dict[str, dict[str, str]]:
    """subject → {text: language} for the literals of ``predicates`` (one pass per predicate, or one look-up per
    subject of ``subjects`` when given).

    A subject's texts come in the order of ``predicates``, then of their text and language, whatever order
    the store keeps them in: an index made from a few records read into memory is the one made from the store.
    """
    found: dict[str, dict[str, str]] = {}
    for predicate in predicates:
        read: dict[str, list[tuple[str, str]]] = {}
        named = ox.NamedNode(predicate)
        quads = (
            view.quads(None, named, None)
            if subjects is None
            else (quad for subject in subjects for quad in view.quads(ox.NamedNode(subject), named, None))
        )
        for quad in quads:
            if isinstance(quad.object, ox.Literal) and isinstance(quad.subject, ox.NamedNode):
                read.setdefault(quad.subject.value, []).append((_clean(quad.object.value), quad.object.language or ""))
        for subject, pairs in read.items():
            texts = found.setdefault(subject, {})
            for text, language in sorted(pairs) if len(pairs) > 1 else pairs:
                texts.setdefault(text, language)
    return found


# Past this many subjects, a predicate is read whole rather than subject by subject (a look-up by subject costs
# about what reading a few statements of a predicate does).
FEW = 2_000


class LiteralTexts:
    """:func:`literal_texts` of one view, each predicate read once: a catalogue asks for names and labels four
    times, and reading them costs 0.7 s a time at 40,000 records (35,000 labels, 75,000 names).  Asked for a few
    subjects, it reads those (an index amended for 400 records needs their concepts' labels, not every label)."""

    def __init__(self, view: Snapshot | Writer) -> None:
        self.view = view
        self._read: dict[str, dict[str, dict[str, str]]] = {}  # predicate -> subject -> texts
        self._whole: set[str] = set()  # the predicates read whole

    def __call__(self, predicates: tuple[str, ...], subjects: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
        """What ``literal_texts(view, predicates, subjects)`` returns (new dictionaries: the caller may change
        them), or more: every subject's, once a predicate was read whole."""
        found: dict[str, dict[str, str]] = {}
        for predicate in predicates:
            read = self._read.setdefault(predicate, {})
            if subjects is None and predicate not in self._whole:
                read.update(literal_texts(self.view, (predicate,)))
                self._whole.add(predicate)
            elif subjects is not None and predicate not in self._whole:
                wanted = [subject for subject in dict.fromkeys(subjects) if subject not in read]
                if len(wanted) > FEW:
                    return self(predicates)
                read.update({subject: {} for subject in wanted} | literal_texts(self.view, (predicate,), wanted))
            for subject, texts in read.items():
                if not texts:  # a subject looked up that has none
                    continue
                merged = found.setdefault(subject, {})
                for text, language in texts.items():
                    merged.setdefault(text, language)
        return found


def title_of(names: dict[str, str]) -> str:
    for language in ("fr", "", "en"):
        for text, tag in names.items():
            if tag == language:
                return text
    return next(iter(names), "")


def _by_language(texts: dict[str, str]) -> tuple[str, str, str]:
    """Descriptions (text -> language) as the index's three columns: other and untagged, French, English."""
    columns: dict[str, list[str]] = {"fr": [], "en": [], "": []}
    for text, language in texts.items():
        columns[language if language in ("fr", "en") else ""].append(text)
    return "\n".join(columns[""]), "\n".join(columns["fr"]), "\n".join(columns["en"])


def entries(view: Snapshot | Writer, hub: Hub) -> Iterator[tuple[str, ...]]:
    """(name, other names, three descriptions, iri, kind, partner) for each indexed resource."""
    kinds: dict[str, str] = {}
    partners: dict[str, str] = {}
    partner_graphs = hub.iri("graph", "partner") + "/"
    rdf_type = ox.NamedNode(RDF + "type")
    for class_iri, kind in indexed_kinds(hub):
        for quad in view.quads(None, rdf_type, ox.NamedNode(class_iri)):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and hub.is_local(subject.value) and "#" not in subject.value:
                kinds[subject.value] = kind
                graph = quad.graph_name
                if isinstance(graph, ox.NamedNode) and graph.value.startswith(partner_graphs):
                    partner = graph.value[len(partner_graphs) :]  # the first in their order, not the store's
                    partners[subject.value] = min(partners.get(subject.value, partner), partner)
    names, others = literal_texts(view, NAMES), literal_texts(view, OTHER_NAMES)
    descriptions = literal_texts(view, DESCRIPTIONS_OF)
    for iri, kind in kinds.items():
        own_names = names.get(iri, {})
        title = title_of(own_names) or title_of(others.get(iri, {}))
        if not title:
            continue
        rest = [text for text in [*own_names, *others.get(iri, {})] if text != title]
        yield title, "\n".join(rest), *_by_language(descriptions.get(iri, {})), iri, kind, partners.get(iri, "")


def build_search(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write ``search.sqlite`` for the version being published; with ``changes``, the previous version's index
    with the entries of the resources changed written again (what the store says of them now)."""
    target = writer.artifacts / SEARCH_FILE
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    previous = changes.previous / SEARCH_FILE if changes is not None else None
    if previous is not None and previous.is_file():
        shutil.copyfile(previous, temporary)
    else:
        changes = None
    connection = sqlite3.connect(temporary)
    try:
        if changes is None:
            connection.execute(_SCHEMA_SQL)
            connection.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entries(writer, hub))
        else:
            changed = changes.resources
            connection.execute("CREATE TEMP TABLE changed(iri TEXT PRIMARY KEY)")
            connection.executemany("INSERT INTO changed VALUES (?)", ((iri,) for iri in changed))
            connection.execute("DELETE FROM entries WHERE iri IN (SELECT iri FROM changed)")
            fresh = (row for row in entries(memory_view(writer, changed, hub), hub) if row[5] in changed)
            connection.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", fresh)
        connection.execute("INSERT INTO entries(entries) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, target)


def fts_query(text: str) -> str | None:
    """The visitor's words as an FTS5 query of quoted strings, the last one a prefix; None if no word."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text))[:MAX_QUERY_WORDS]
    if not words:
        return None
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    return " ".join(quoted) + "*"


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    partner: str
    title: str  # with MARK_START/MARK_END around the matched words
    snippet: str


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]


def search_path(snapshot: Snapshot) -> Path | None:
    if snapshot.info.artifacts is None:
        return None
    path = snapshot.info.artifacts / SEARCH_FILE
    return path if path.exists() else None


def _snippet(snippets: dict[str, str], lang: str) -> str:
    """The passage in the page's language where a word matched, else in another; else the first text there is."""
    ordered = [snippets[column] for column in DESCRIPTIONS[lang] if snippets.get(column)]
    return next((text for text in ordered if MARK_START in text), ordered[0] if ordered else "")


def search(path: Path, text: str, offset: int, limit: int, lang: str = "fr") -> Results:
    """The entries matching ``text``, best first (names weigh more than descriptions).

    An index written before descriptions were kept by language (one ``description``
    column) is still read: its snippets come from that column.
    """
    query = fts_query(text)
    if query is None:
        return Results(0, [])
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        columns = [row[0] for row in connection.execute("SELECT name FROM pragma_table_info('entries')")]
        described = [name for name in columns if name.startswith("description")]
        snippets = ", ".join(f"snippet(entries, {columns.index(name)}, ?, ?, '…', 24)" for name in described)
        weights = ", ".join(["10.0", "5.0"] + ["1.0"] * len(described))
        total = connection.execute("SELECT count(*) FROM entries WHERE entries MATCH ?", (query,)).fetchone()[0]
        rows = connection.execute(
            f"SELECT iri, kind, partner, highlight(entries, 0, ?, ?), {snippets} "  # noqa: S608 - column names, numbers
            f"FROM entries WHERE entries MATCH ? ORDER BY bm25(entries, {weights}), name, iri LIMIT ? OFFSET ?",
            (MARK_START, MARK_END, *(MARK_START, MARK_END) * len(described), query, limit, offset),
        ).fetchall()
    finally:
        connection.close()
    hits = [Hit(*row[:4], _snippet(dict(zip(described, row[4:], strict=True)), lang)) for row in rows]
    return Results(int(total), hits)
