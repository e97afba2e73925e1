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

import json
import os
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from carrefour.artifacts.changes import RecordChanges
from carrefour.artifacts.licences import graph_licence
from carrefour.artifacts.search import LiteralTexts, title_of
from carrefour.catalogue.entries import ENTRIES_FILE, TextRow, read_entries, write_entries
from carrefour.catalogue.french import fold, index_text, words
from carrefour.catalogue.groups import Group, broader, make_groups
from carrefour.catalogue.places import gazetteer, place_key
from carrefour.catalogue.programmes import programme_details
from carrefour.catalogue.records import CONCEPT_FACETS, CURATED, Record, View
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF_TYPE, SCHEMA, SKOS, Hub

CATALOGUE_FILE = "catalogue.sqlite"
FORMAT = "2"  # groups are numbered in the order of their names; names typed whole in a table
FACETS = ("kind", *CONCEPT_FACETS, "partner", "territory")
TEXT_COLUMNS = ("name", "other", "categories", "places", "description", "spelled")
PLACES = "places"  # the column a place name is expected in; a word of the others may not be a place
SPELLED = "spelled"  # names as spelled (folded, not stemmed): a word being typed matches them as a prefix
_LABELS = (SKOS + "prefLabel", SCHEMA + "name")
_SCHEMA_SQL = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
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
CREATE TABLE names(key TEXT, target INTEGER);
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
        yield (facet, codes.code(facet, value), iri, json.dumps(names, ensure_ascii=False), parent,
               _packed(filed), _packed(covers), json.dumps(extra))  # fmt: skip


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


def _record_rows(records: Iterable[tuple[Record, int]]) -> Iterator[tuple[object, ...]]:
    for number, (record, group) in enumerate(records):
        yield (number, record.iri, record.kind, group, " ".join(sorted(record.partners)), record.name,
               record.name_in("en"), *(_by_language(record.descriptions, language) for language in ("fr", "en", "")),
               record.website, record.modified)  # fmt: skip


def _name_rows(listed: list[tuple[Record, int]]) -> Iterator[tuple[str, int]]:
    """(a name's place key, its group; -1 - record id for the partners and concepts so named): a name typed whole.

    Territories are left out: a place's name typed alone is a place.
    """
    for number, (record, group) in enumerate(listed):
        if record.kind != "territory":
            for name in sorted({place_key(name) for name in [*record.names, *record.other_names]}):
                yield name, group if group >= 0 else -1 - number


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
               json.dumps([ids[record.iri] for record in group.records]), " ".join(sorted(group.partners)),
               codes.code("territory", group.commune) if group.commune else "", group.locality, *point,
               int(group.approximate), group.modified, group.website, json.dumps(values),
               json.dumps(given, ensure_ascii=False))  # fmt: skip


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
    beside it; with ``changes``, from the previous version's entries brought up to date for the records changed.
    """
    texts = LiteralTexts(view)
    categories = _category_labels(texts)
    place_names = {iri: " ".join(labels) for iri, labels in categories.items() if iri.startswith(hub.iri("territory"))}
    shared = lru_cache(maxsize=1 << 14)(index_text)
    previous = changes.previous / ENTRIES_FILE if changes is not None else None
    kept, kept_others = read_entries(
        view, hub, texts, lambda record: _text_row(record, categories, place_names, shared), previous,
        changes.resources if changes is not None else frozenset(),
    )  # fmt: skip
    records, others = [entry.record for entry in kept], [entry.record for entry in kept_others]
    text_rows = {entry.record.iri: entry.text for entry in (*kept, *kept_others)}
    parents = broader(view, hub)
    groups, positions = make_groups(view, hub, records, parents)
    codes = _Codes(hub)
    membership = [(record, number) for number, group in enumerate(groups) for record in group.records]
    listed = membership + [(record, -1) for record in others]
    ids = {record.iri: number for number, (record, _) in enumerate(listed)}
    regions, departements = _places(view, hub, texts)
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript(_SCHEMA_SQL)
        connection.executemany("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", _record_rows(listed))
        rows = _group_rows(groups, ids, codes, programme_details(view, hub, records, texts))
        connection.executemany("INSERT INTO groups VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        rows = ((number, *text_rows[record.iri]) for number, (record, _) in enumerate(listed))
        connection.executemany(
            "INSERT INTO text(rowid, name, other, categories, places, description, spelled) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        connection.execute("INSERT INTO text(text) VALUES ('optimize')")
        connection.executemany(
            "INSERT INTO facet_values VALUES (NULL,?,?,?,?,?,?,?,?)",
            _facet_rows(view, hub, groups, codes, texts, parents),
        )
        entries = gazetteer(regions, departements)
        connection.executemany(
            "INSERT INTO places VALUES (?,?,?,?,?)", ((e.key, e.territory, e.level, e.label, e.parent) for e in entries)
        )
        placed = sorted(positions.items())  # in a set order: a version's catalogue is the same wherever it is built
        rows = ((codes.code("territory", t), *p) for t, p in placed)
        connection.executemany("INSERT INTO positions VALUES (?,?,?)", rows)
        connection.executemany("INSERT INTO names VALUES (?, ?)", _name_rows(listed))
        connection.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'text', 'col')")
        connection.execute(
            "INSERT INTO terms SELECT DISTINCT term FROM temp.vocabulary WHERE col NOT IN (?, ?)", (PLACES, SPELLED)
        )
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("base", hub.base)])
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, target)
    write_entries(target.with_name(ENTRIES_FILE), hub, kept, kept_others)


def build_catalogue(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write ``catalogue.sqlite`` for the version being published (and its entries, for the next one)."""
    write_catalogue(writer, hub, writer.artifacts / CATALOGUE_FILE, changes)
