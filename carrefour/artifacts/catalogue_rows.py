"""The rows of the catalogue's index (``catalogue.sqlite``): its tables, and what each row holds.

Shared by the index made whole (:mod:`carrefour.artifacts.catalogue`) and the index amended for
a few records (:mod:`carrefour.artifacts.catalogue_amend`): both write the same rows.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import orjson

from carrefour.artifacts.licences import graph_licence
from carrefour.artifacts.search import LiteralTexts, title_of
from carrefour.catalogue.entries import Entry, TextRow
from carrefour.catalogue.french import fold, index_text, words
from carrefour.catalogue.groups import Group, Placed
from carrefour.catalogue.places import gazetteer, place_key
from carrefour.catalogue.records import CONCEPT_FACETS, CURATED, Record, View
from carrefour.vocab import RDF_TYPE, SCHEMA, SKOS, Hub

CATALOGUE_FILE = "catalogue.sqlite"
FORMAT = "4"  # positions keep the sums they are the mean of
FACETS = ("kind", *CONCEPT_FACETS, "partner", "territory")
TEXT_COLUMNS = ("name", "other", "categories", "places", "description", "spelled")
PLACES = "places"  # the column a place name is expected in; a word of the others may not be a place
SPELLED = "spelled"  # names as spelled (folded, not stemmed): a word being typed matches them as a prefix
LABELS = (SKOS + "prefLabel", SCHEMA + "name")
TOKENIZER = "tokenize='unicode61 remove_diacritics 0'"
SCHEMA_SQL = f"""
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
CREATE TABLE positions(territory TEXT PRIMARY KEY, lat REAL, lon REAL, placed INTEGER, lat_sum INTEGER,
    lon_sum INTEGER) WITHOUT ROWID;
CREATE TABLE names(key TEXT, target INTEGER, PRIMARY KEY (key, target)) WITHOUT ROWID;
CREATE TABLE terms(term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE text USING fts5({", ".join(TEXT_COLUMNS)}, content='', {TOKENIZER}, prefix='2 3');
"""


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


class Codes:
    """Facet values: (facet, IRI) -> short code for URLs (``theme=health``, ``territory=region/53``); ``known``:
    the codes an index gave already."""

    def __init__(self, hub: Hub, known: Iterable[tuple[str, str, str]] = ()) -> None:
        self.hub = hub
        self.codes: dict[tuple[str, str], str] = {(facet, iri): code for facet, iri, code in known}
        self.taken: set[tuple[str, str]] = {(facet, code) for (facet, _), code in self.codes.items()}

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


FacetKey = tuple[str, str]  # (facet, value: an IRI, a kind or a partner id)


def filed_under(group: Group) -> tuple[set[FacetKey], set[FacetKey]]:
    """(the facet values a group is filed under, the territories it serves as a whole)."""
    kinds = {group.kind} | ({"initiative"} if group.kind == "programme" else set())
    filed = {("kind", kind) for kind in kinds} | {("partner", partner) for partner in group.partners}
    filed |= {(facet, value) for facet, values in group.values.items() for value in values}
    filed |= {("territory", territory) for territory in group.located}
    return filed, {("territory", territory) for territory in group.served}


def _postings(groups: list[Group]) -> dict[FacetKey, tuple[list[int], list[int]]]:
    """(facet, value) -> (groups filed under it, groups that serve it as a whole)."""
    found: dict[FacetKey, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for number, group in enumerate(groups):
        filed, serves = filed_under(group)
        for key in filed:
            found[key][0].append(number)
        for key in serves:
            found[key][1].append(number)
    return found


def value_iri(hub: Hub, facet: str, value: str) -> str:
    """The IRI a facet value's row names: a partner's resource for a partner id, else the value itself."""
    if facet != "partner":
        return value
    return hub.iri("graph", CURATED) if value == CURATED else hub.partner(value).value


def to_json(value: object) -> str:
    """JSON text of a cell: orjson takes a fifteenth of the time of ``json.dumps`` (110,000 cells at 40,000 records)."""
    return orjson.dumps(value).decode()


def packed(numbers: Iterable[int]) -> bytes:
    return array("i", sorted(set(numbers))).tobytes()


def unpacked(data: bytes) -> set[int]:
    found = array("i")
    found.frombytes(data)
    return set(found)


def facet_rows(
    view: View, hub: Hub, groups: list[Group], codes: Codes, texts: LiteralTexts, parents: dict[str, str]
) -> Iterator[tuple[object, ...]]:
    labels = texts(LABELS)
    for (facet, value), (filed, covers) in sorted(_postings(groups).items()):
        iri = value_iri(hub, facet, value)
        if facet == "partner":
            graph = hub.iri("graph", CURATED) if value == CURATED else hub.graph("partner", value).value
            names = {} if value == CURATED else _labels(labels.get(iri, {}))
            extra = {"licence": graph_licence(view, hub, graph)}
        else:
            names, extra = ({}, {}) if facet == "kind" else (_labels(labels.get(value, {})), {})
        parent = codes.code("territory", parents[value]) if facet == "territory" and value in parents else ""
        yield (facet, codes.code(facet, value), iri, to_json(names), parent, packed(filed),
               packed(covers), to_json(extra))  # fmt: skip


def category_labels(texts: LiteralTexts, subjects: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Concept IRI -> every label it has (preferred and alternative, all languages); of ``subjects`` only, when
    given."""
    found: dict[str, list[str]] = defaultdict(list)
    for predicate in (SKOS + "prefLabel", SKOS + "altLabel"):
        for subject, labels in texts((predicate,), subjects).items():
            found[subject] += list(labels)
    return found


def text_row(
    record: Record, categories: Mapping[str, list[str]], places: Mapping[str, str], shared: Callable[[str], str]
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


def full_text(hub: Hub, categories: Mapping[str, list[str]]) -> Callable[[Record], TextRow]:
    """:func:`text_row` given every label of the concepts and places the records name (:func:`category_labels`):
    each place's names joined, the texts many records share indexed once each."""
    territories = hub.iri("territory")
    places = {iri: " ".join(labels) for iri, labels in categories.items() if iri.startswith(territories)}
    shared = lru_cache(maxsize=1 << 14)(index_text)
    return lambda record: text_row(record, categories, places, shared)


Listed = list[tuple[int, Record, int]]  # (record id, record, its group; -1 for the concepts, partners, places)


def record_rows(listed: Listed) -> Iterator[tuple[object, ...]]:
    for number, record, group in listed:
        yield (number, record.iri, record.kind, group, " ".join(sorted(record.partners)), record.name,
               record.name_in("en"), *(_by_language(record.descriptions, language) for language in ("fr", "en", "")),
               record.website, record.modified)  # fmt: skip


def name_rows(
    listed: Listed, targets: set[int] | None = None, earlier: Mapping[str, Entry] | None = None
) -> Iterator[tuple[str, int]]:
    """(a name's place key, its group; -1 - record id for the partners and concepts so named): a name typed whole
    (``targets``: only those of these groups and ids; ``earlier``: the records' previous entries, for those it has).

    Territories are left out: a place's name typed alone is a place.
    """
    for number, record, group in listed:
        target = group if group >= 0 else -1 - number
        if record.kind != "territory" and (targets is None or target in targets):
            named = earlier[record.iri].record if earlier is not None and record.iri in earlier else record
            for name in sorted({place_key(name) for name in [*named.names, *named.other_names]}):
                yield name, target


def group_rows(
    groups: Iterable[tuple[int, Group]], ids: Mapping[str, int], codes: Codes, details: dict[str, dict[str, object]]
) -> Iterator[tuple[object, ...]]:
    for number, group in groups:
        given = next((details[r.iri] for r in group.records if details.get(r.iri)), {})
        if "served" in given:
            given = given | {"served": [codes.code("territory", t) for t in given["served"]]}
        values = {facet: sorted(codes.code(facet, v) for v in vs) for facet, vs in group.values.items() if vs}
        values["territory"] = sorted(codes.code("territory", t) for t in group.located)
        point = group.point or (None, None)
        yield (number, group.kind, group.name, group.records[0].name_in("en"),
               to_json([ids[record.iri] for record in group.records]), " ".join(sorted(group.partners)),
               codes.code("territory", group.commune) if group.commune else "", group.locality, *point,
               int(group.approximate), group.modified, group.website, to_json(values),
               to_json(given))  # fmt: skip


def position_rows(positions: Mapping[str, Placed], codes: Codes) -> Iterator[tuple[object, ...]]:
    """The territories' positions, in the order of their IRIs (a version's index is the same wherever made)."""
    for territory, placed in sorted(positions.items()):
        yield (codes.code("territory", territory), *placed.point, *placed)


@dataclass(frozen=True)
class Gazetteer:
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


def regions_and_departements(view: View, hub: Hub, texts: LiteralTexts) -> tuple[dict[str, str], dict[str, str]]:
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


TEXT_INSERT = "INSERT INTO text(rowid, name, other, categories, places, description, spelled) VALUES (?,?,?,?,?,?,?)"
TEXT_DELETE = (  # a contentless full-text index takes a row back given what it held
    "INSERT INTO text(text, rowid, name, other, categories, places, description, spelled) "
    "VALUES ('delete',?,?,?,?,?,?,?)"
)
RECORDS_INSERT = "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
GROUPS_INSERT = "INSERT OR REPLACE INTO groups VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
POSITIONS_INSERT = "INSERT OR REPLACE INTO positions VALUES (?,?,?,?,?,?)"


def write_terms(connection: sqlite3.Connection) -> None:
    """The words of the index, but for places and names as spelled: what a query's words are corrected to."""
    connection.execute("DELETE FROM terms")
    connection.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'text', 'col')")
    connection.execute(
        "INSERT INTO terms SELECT DISTINCT term FROM temp.vocabulary WHERE col NOT IN (?, ?)", (PLACES, SPELLED)
    )
    connection.execute("DROP TABLE temp.vocabulary")


def amend_terms(connection: sqlite3.Connection, changed: Iterable[tuple[TextRow, TextRow]]) -> None:
    """The terms as :func:`write_terms` leaves them, once the full-text rows ``changed`` (before, now) are written.

    Listing the index's 68,000 words again took 0.58 s of a 1 % change at 40,000 records.  The words of the rows
    before and now are split by FTS5 itself, in a scratch index of those rows alone (the same tokenizer): the words
    they hold now are terms, and only the words they no longer hold are looked for in the index.
    """
    pairs = list(changed)
    if not pairs:
        return
    columns, marks = ", ".join(TEXT_COLUMNS), ", ".join("?" * len(TEXT_COLUMNS))
    for side, rows in (("before", [pair[0] for pair in pairs]), ("now", [pair[1] for pair in pairs])):
        connection.execute(f"CREATE VIRTUAL TABLE temp.{side}_text USING fts5({columns}, {TOKENIZER})")
        connection.executemany(f"INSERT INTO temp.{side}_text VALUES ({marks})", rows)  # noqa: S608
        connection.execute(f"CREATE VIRTUAL TABLE temp.{side}_words USING fts5vocab(temp, '{side}_text', 'col')")
    connection.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'text', 'col')")
    outside = (PLACES, SPELLED)
    connection.execute(
        "INSERT OR IGNORE INTO terms SELECT DISTINCT term FROM temp.now_words WHERE col NOT IN (?, ?)", outside
    )
    lost = connection.execute(
        "SELECT term FROM temp.before_words WHERE col NOT IN (?, ?) "
        "EXCEPT SELECT term FROM temp.now_words WHERE col NOT IN (?, ?)",
        outside * 2,
    ).fetchall()
    held = "SELECT 1 FROM temp.vocabulary WHERE term = ? AND col NOT IN (?, ?) LIMIT 1"
    if len(lost) <= MOST_LOOKED_UP:
        gone = [(term,) for (term,) in lost if connection.execute(held, (term, *outside)).fetchone() is None]
        connection.executemany("DELETE FROM terms WHERE term = ?", gone)
    for table in ("vocabulary", "before_words", "now_words", "before_text", "now_text"):
        connection.execute(f"DROP TABLE temp.{table}")
    if len(lost) > MOST_LOOKED_UP:
        write_terms(connection)


# Past this many words lost, the terms are listed again whole: a word looked for in the index costs 0.13 ms, and
# listing its 68,000 words at 40,000 records 0.4 to 0.6 s.
MOST_LOOKED_UP = 3_000


def index_meta(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT key, value FROM meta"))


def made_for(meta: Mapping[str, str], hub: Hub) -> bool:
    """Whether an index whose ``meta`` table holds this was made for this hub, in this format."""
    return (meta.get("format"), meta.get("base")) == (FORMAT, hub.base)
