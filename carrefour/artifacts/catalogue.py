"""The catalogue's index of a published version (``catalogue.sqlite``): what its filters and search read.

Computed once at publication so that any combination of filters is answered from
memory in milliseconds (``server.catalogue``): one row per record and per group of
twin records (``carrefour.catalogue.groups``), and for every value of every facet the
groups filed under it (a packed array), so that a web worker loads the whole index in
a few reads.  Territories post every group located in them or in a territory they
contain, and separately the groups that serve them as a whole (a national programme
appears in every place).  The text is indexed by FTS5 as French search keys
(``carrefour.catalogue.french``): names, other names, categories (concept labels, the
partner's own categories), places and descriptions, weighted in that order; the
gazetteer of places a query may name (``carrefour.catalogue.places``) is kept beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import orjson

from carrefour.artifacts.changes import RecordChanges
from carrefour.artifacts.licences import graph_licence
from carrefour.artifacts.search import LiteralTexts, title_of
from carrefour.catalogue.entries import ENTRIES_FILE, Entry, TextRow, read_entries, write_entries
from carrefour.catalogue.french import fold, index_text, words
from carrefour.catalogue.groups import Group, broader, make_groups
from carrefour.catalogue.places import gazetteer, place_key
from carrefour.catalogue.programmes import programme_details
from carrefour.catalogue.records import CONCEPT_FACETS, CURATED, Record, View
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF_TYPE, SCHEMA, SKOS, Hub

CATALOGUE_FILE = "catalogue.sqlite"
FORMAT = "3"  # groups are numbered in the order of their names; names typed whole in a table, by key
FACETS = ("kind", *CONCEPT_FACETS, "partner", "territory")
TEXT_COLUMNS = ("name", "other", "categories", "places", "description", "spelled")
PLACES = "places"  # the column a place name is expected in; a word of the others may not be a place
SPELLED = "spelled"  # names as spelled (folded, not stemmed): a word being typed matches them as a prefix
_LABELS = (SKOS + "prefLabel", SCHEMA + "name")
_SCHEMA_SQL = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE records(id INTEGER PRIMARY KEY, iri TEXT, kind TEXT, grp INTEGER, partners TEXT, name TEXT,
    name_en TEXT, desc_fr TEXT, desc_en TEXT, desc_other TEXT, website TEXT, modified TEXT);
CREATE TABLE groups(id INTEGER PRIMARY KEY, kind TEXT, name TEXT, name_en TEXT, records TEXT, partners TEXT,
    commune TEXT, locality TEXT, lat REAL, lon REAL, approximate INTEGER, modified TEXT, website TEXT,
    facet_values TEXT, details TEXT);
CREATE TABLE facet_values(id INTEGER PRIMARY KEY, facet TEXT, code TEXT, iri TEXT, labels TEXT, parent TEXT,
    groups BLOB, covers BLOB, extra TEXT);
CREATE TABLE places(key TEXT, territory TEXT, level TEXT, label TEXT, parent TEXT);
CREATE INDEX places_by_key ON places(key);
CREATE INDEX places_by_territory ON places(territory);
CREATE TABLE positions(territory TEXT PRIMARY KEY, lat REAL, lon REAL);
CREATE TABLE names(key TEXT, target INTEGER, PRIMARY KEY (key, target)) WITHOUT ROWID;
CREATE TABLE terms(term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE text USING fts5({", ".join(TEXT_COLUMNS)}, content='',
    tokenize='unicode61 remove_diacritics 0', prefix='2 3');
"""


def catalogue_path(snapshot: Snapshot) -> Path | None:
    """The version's catalogue index, when this machine has it."""
    if snapshot.info.artifacts is None:
        return None
    path = snapshot.info.artifacts / CATALOGUE_FILE
    return path if path.exists() else None


def _labels(texts: dict[str, str]) -> dict[str, str]:
    """{language: label}: French, English and the untagged one."""
    found: dict[str, str] = {}
    for text, language in texts.items():
        found.setdefault(language if language in ("fr", "en") else "", text)
    return found


def _by_language(texts: dict[str, str], language: str) -> str:
    if language:
        return "\n".join(text for text, tag in texts.items() if tag == language)
    return "\n".join(text for text, tag in texts.items() if tag not in ("fr", "en"))


class _Codes:
    """Facet values: (facet, IRI) -> short code for URLs (``theme=health``, ``territory=region/53``)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.codes: dict[tuple[str, str], str] = {}
        self.taken: set[tuple[str, str]] = set()

    def code(self, facet: str, iri: str) -> str:
        if (facet, iri) not in self.codes:
            if facet == "territory":
                code = iri.removeprefix(self.hub.iri("territory") + "/")
            elif facet in ("kind", "partner"):
                code = iri
            else:
                code = iri.rstrip("/").rsplit("/", 1)[-1]
                if (facet, code) in self.taken:
                    code = iri.removeprefix(self.hub.vocabulary)
            self.taken.add((facet, code))
            self.codes[(facet, iri)] = code
        return self.codes[(facet, iri)]


def _postings(groups: list[Group]) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """(facet, value IRI or key) -> (groups filed under it, groups that serve it as a whole)."""
    found: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for number, group in enumerate(groups):
        kinds = {group.kind} | ({"initiative"} if group.kind == "programme" else set())
        filed = [("kind", kind) for kind in kinds] + [("partner", partner) for partner in group.partners]
        filed += [(facet, value) for facet, values in group.values.items() for value in values]
        filed += [("territory", territory) for territory in group.located]
        for key in filed:
            found[key][0].append(number)
        for territory in group.served:
            found[("territory", territory)][1].append(number)
    return found


def _json(value: object) -> str:
    """JSON text of a cell: orjson takes a fifteenth of the time of ``json.dumps`` (110,000 cells at 40,000 records)."""
    return orjson.dumps(value).decode()


def _packed(numbers: list[int]) -> bytes:
    return array("i", sorted(set(numbers))).tobytes()


def _facet_rows(
    view: View, hub: Hub, groups: list[Group], codes: _Codes, texts: LiteralTexts, parents: dict[str, str]
) -> Iterator[tuple[object, ...]]:
    labels = texts(_LABELS)
    for (facet, value), (filed, covers) in sorted(_postings(groups).items()):
        if facet == "partner":
            iri = hub.iri("graph", CURATED) if value == CURATED else hub.partner(value).value
            graph = hub.iri("graph", CURATED) if value == CURATED else hub.graph("partner", value).value
            names = {} if value == CURATED else _labels(labels.get(iri, {}))
            extra = {"licence": graph_licence(view, hub, graph)}
        else:
            iri = value
            names, extra = ({}, {}) if facet == "kind" else (_labels(labels.get(value, {})), {})
        parent = codes.code("territory", parents[value]) if facet == "territory" and value in parents else ""
        yield (facet, codes.code(facet, value), iri, _json(names), parent, _packed(filed),
               _packed(covers), _json(extra))  # fmt: skip


def _category_labels(texts: LiteralTexts) -> dict[str, list[str]]:
    """Concept IRI -> every label it has (preferred and alternative, all languages)."""
    found: dict[str, list[str]] = defaultdict(list)
    for predicate in (SKOS + "prefLabel", SKOS + "altLabel"):
        for subject, labels in texts((predicate,)).items():
            found[subject] += list(labels)
    return found


def _text_row(
    record: Record, categories: dict[str, list[str]], places: dict[str, str], shared: Callable[[str], str]
) -> TextRow:
    """A record's columns of the full-text index; ``shared`` indexes the texts many records have in common
    (their categories' labels, their places' names) once each.  The same in any process: no set is read in
    the order of its hashes (a version's entries are kept for the next one's index)."""
    concepts = [iri for values in record.values.values() for iri in sorted(values)] + sorted(record.categories)
    where = [places.get(territory, "") for territory in sorted(record.located)] + [record.locality]
    return (
        index_text("\n".join(record.names)),
        index_text("\n".join(record.other_names)),
        shared("\n".join(label for iri in concepts for label in categories.get(iri, ()))),
        shared("\n".join(where)),
        index_text("\n".join(record.descriptions)),
        " ".join(fold(word) for word in words("\n".join([*record.names, *record.other_names]))),
    )


def _record_rows(records: Iterable[tuple[Record, int]], only: set[int] | None = None) -> Iterator[tuple[object, ...]]:
    """The records' rows (``only`` those of these numbers)."""
    for number, (record, group) in enumerate(records):
        if only is not None and number not in only:
            continue
        yield (number, record.iri, record.kind, group, " ".join(sorted(record.partners)), record.name,
               record.name_in("en"), *(_by_language(record.descriptions, language) for language in ("fr", "en", "")),
               record.website, record.modified)  # fmt: skip


def _name_rows(
    listed: list[tuple[Record, int]], targets: set[int] | None = None, earlier: dict[str, Entry] | None = None
) -> Iterator[tuple[str, int]]:
    """(a name's place key, its group; -1 - record id for the partners and concepts so named): a name typed whole
    (``targets``: only those of these groups and ids; ``earlier``: the records' previous entries, for those it has).

    Territories are left out: a place's name typed alone is a place.
    """
    for number, (record, group) in enumerate(listed):
        target = group if group >= 0 else -1 - number
        if record.kind != "territory" and (targets is None or target in targets):
            named = earlier[record.iri].record if earlier is not None and record.iri in earlier else record
            for name in sorted({place_key(name) for name in [*named.names, *named.other_names]}):
                yield name, target


def _group_rows(
    groups: list[Group], ids: dict[str, int], codes: _Codes, details: dict[str, dict[str, object]]
) -> Iterator[tuple[object, ...]]:
    for number, group in enumerate(groups):
        given = next((details[r.iri] for r in group.records if details.get(r.iri)), {})
        if "served" in given:
            given = given | {"served": [codes.code("territory", t) for t in given["served"]]}
        values = {facet: sorted(codes.code(facet, v) for v in vs) for facet, vs in group.values.items() if vs}
        values["territory"] = sorted(codes.code("territory", t) for t in group.located)
        point = group.point or (None, None)
        yield (number, group.kind, group.name, group.records[0].name_in("en"),
               _json([ids[record.iri] for record in group.records]), " ".join(sorted(group.partners)),
               codes.code("territory", group.commune) if group.commune else "", group.locality, *point,
               int(group.approximate), group.modified, group.website, _json(values),
               _json(given))  # fmt: skip


@dataclass(frozen=True)
class _Gazetteer:
    """The places table of a version: the same as the previous one's while its régions and départements are."""

    regions: dict[str, str]
    departements: dict[str, str]

    @property
    def digest(self) -> str:
        given = json.dumps([sorted(self.regions.items()), sorted(self.departements.items())], ensure_ascii=False)
        return hashlib.sha256(given.encode()).hexdigest()

    def rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        for e in gazetteer(self.regions, self.departements):
            yield e.key, e.territory, e.level, e.label, e.parent


def _places(view: View, hub: Hub, texts: LiteralTexts) -> tuple[dict[str, str], dict[str, str]]:
    """(région code -> name, département code -> name) of the version's territories."""
    found: dict[str, dict[str, str]] = {"Region": {}, "Departement": {}}
    names = texts((SKOS + "prefLabel",))
    for level, codes in found.items():
        prefix = hub.iri("territory", level.lower()) + "/"
        for quad in view.quads(None, RDF_TYPE, hub.term(level)):
            iri = quad.subject.value
            if iri.startswith(prefix):
                codes[iri[len(prefix) :]] = title_of(names.get(iri, {})) or iri[len(prefix) :]
    return found["Region"], found["Departement"]


def write_catalogue(view: View, hub: Hub, target: Path, changes: RecordChanges | None = None) -> None:
    """Write the catalogue index of the version ``view`` shows to ``target`` (replaced whole), and its entries
    beside it; with ``changes``, from the previous version's entries brought up to date for the records changed,
    and, when every record keeps its number, from the previous index amended (:func:`_amend_records`).
    """
    texts = LiteralTexts(view)
    categories = _category_labels(texts)
    place_names = {iri: " ".join(labels) for iri, labels in categories.items() if iri.startswith(hub.iri("territory"))}
    shared = lru_cache(maxsize=1 << 14)(index_text)
    previous = changes.previous / ENTRIES_FILE if changes is not None else None
    entries = read_entries(
        view, hub, texts, lambda record: _text_row(record, categories, place_names, shared), previous,
        changes.resources if changes is not None else frozenset(),
    )  # fmt: skip
    records, others = [entry.record for entry in entries.records], [entry.record for entry in entries.others]
    text_rows = {entry.record.iri: entry.text for entry in (*entries.records, *entries.others)}
    parents = broader(view, hub)
    groups, positions = make_groups(view, hub, records, parents)
    codes = _Codes(hub)
    membership = [(record, number) for number, group in enumerate(groups) for record in group.records]
    listed = membership + [(record, -1) for record in others]
    ids = {record.iri: number for number, (record, _) in enumerate(listed)}
    gazetteer_rows = _Gazetteer(*_places(view, hub, texts))
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    earlier = changes.previous / CATALOGUE_FILE if changes is not None and entries.earlier is not None else None
    amending = earlier is not None and _same_numbers(earlier, hub, listed)
    if earlier is not None and amending:
        shutil.copyfile(earlier, temporary)
    connection = sqlite3.connect(temporary)
    try:
        if amending:
            _amend_records(connection, listed, text_rows, entries.earlier or {})
        else:
            _fresh_records(connection, listed, text_rows)
        rows = _group_rows(groups, ids, codes, programme_details(view, hub, records, texts))
        connection.executemany("INSERT INTO groups VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        connection.executemany(
            "INSERT INTO facet_values VALUES (NULL,?,?,?,?,?,?,?,?)",
            _facet_rows(view, hub, groups, codes, texts, parents),
        )
        if not amending or _meta(connection).get("gazetteer") != gazetteer_rows.digest:
            connection.execute("DELETE FROM places")
            connection.executemany("INSERT INTO places VALUES (?,?,?,?,?)", gazetteer_rows.rows())
        placed = sorted(positions.items())  # in a set order: a version's catalogue is the same wherever it is built
        rows = ((codes.code("territory", t), *p) for t, p in placed)
        connection.executemany("INSERT INTO positions VALUES (?,?,?)", rows)
        connection.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'text', 'col')")
        connection.execute(
            "INSERT INTO terms SELECT DISTINCT term FROM temp.vocabulary WHERE col NOT IN (?, ?)", (PLACES, SPELLED)
        )
        meta = [("format", FORMAT), ("base", hub.base), ("gazetteer", gazetteer_rows.digest)]
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, target)
    write_entries(target.with_name(ENTRIES_FILE), hub, entries)


_TEXT_INSERT = "INSERT INTO text(rowid, name, other, categories, places, description, spelled) VALUES (?,?,?,?,?,?,?)"
_TEXT_DELETE = (  # a contentless full-text index takes a row back given what it held
    "INSERT INTO text(text, rowid, name, other, categories, places, description, spelled) "
    "VALUES ('delete',?,?,?,?,?,?,?)"
)
_RECORDS_INSERT = "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
# What an index amended keeps of the previous one: its records and their text, and its gazetteer when the
# same; the other tables are made again (the groups' rows and the facets' postings gather every record).
_REMADE = ("DELETE FROM groups", "DELETE FROM facet_values", "DELETE FROM positions", "DELETE FROM terms")


def _fresh_records(
    connection: sqlite3.Connection, listed: list[tuple[Record, int]], text_rows: dict[str, TextRow]
) -> None:
    """A new index: its tables, its records, their text and the names they are typed by."""
    connection.executescript(_SCHEMA_SQL)
    connection.executemany(_RECORDS_INSERT, _record_rows(listed))
    rows = ((number, *text_rows[record.iri]) for number, (record, _) in enumerate(listed))
    connection.executemany(_TEXT_INSERT, rows)
    connection.execute("INSERT INTO text(text) VALUES ('optimize')")
    connection.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", _name_rows(listed))


def _same_numbers(path: Path, hub: Hub, listed: list[tuple[Record, int]]) -> bool:
    """Whether the index at ``path`` was made for this hub in this format, and numbers the records and their
    groups as ``listed`` does (no record came or went, no card moved in the order of names)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            meta = _meta(connection)
            numbered = connection.execute("SELECT iri, grp FROM records ORDER BY id").fetchall()
    except sqlite3.Error:
        return False
    return (meta.get("format"), meta.get("base")) == (FORMAT, hub.base) and numbered == [
        (record.iri, group) for record, group in listed
    ]


def _meta(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT key, value FROM meta"))


def _amend_records(
    connection: sqlite3.Connection, listed: list[tuple[Record, int]], text_rows: dict[str, TextRow],
    earlier: dict[str, Entry],
) -> None:  # fmt: skip
    """The previous index, numbering the records as this one does, brought up to date for those read again
    (``earlier``: their previous entries): their rows, their text (a contentless full-text index takes a row
    back given what it held) and their groups' names; at 40,000 records, 6 s of full-text indexing saved.
    """
    for statement in _REMADE:
        connection.execute(statement)
    changed = [(number, record, group) for number, (record, group) in enumerate(listed) if record.iri in earlier]
    connection.executemany(_RECORDS_INSERT, _record_rows(listed, {number for number, _, _ in changed}))
    for number, record, _ in changed:
        before, now = earlier[record.iri].text, text_rows[record.iri]
        if before != now:
            connection.execute(_TEXT_DELETE, (number, *before))
            connection.execute(_TEXT_INSERT, (number, *now))
    targets = {group if group >= 0 else -1 - number for number, _, group in changed}
    connection.executemany("DELETE FROM names WHERE key = ? AND target = ?", _name_rows(listed, targets, earlier))
    connection.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", _name_rows(listed, targets))


def build_catalogue(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write ``catalogue.sqlite`` for the version being published (and its entries, for the next one)."""
    write_catalogue(writer, hub, writer.artifacts / CATALOGUE_FILE, changes)
