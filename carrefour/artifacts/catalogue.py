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

After a session that changed a few records, the previous version's index is amended for
them where it can be (:mod:`carrefour.artifacts.catalogue_amend`), else made again from
the previous version's entries brought up to date.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from carrefour.artifacts.catalogue_amend import amend_catalogue, amend_rows
from carrefour.artifacts.catalogue_rows import (
    CATALOGUE_FILE,
    FORMAT,
    GROUPS_INSERT,
    POSITIONS_INSERT,
    RECORDS_INSERT,
    SCHEMA_SQL,
    TEXT_INSERT,
    Codes,
    Gazetteer,
    Listed,
    TextRow,
    category_labels,
    facet_rows,
    full_text,
    group_rows,
    index_meta,
    made_for,
    name_rows,
    position_rows,
    record_rows,
    regions_and_departements,
    write_terms,
)
from carrefour.artifacts.changes import RecordChanges
from carrefour.artifacts.search import LiteralTexts
from carrefour.catalogue.entries import ENTRIES_FILE, read_entries, write_entries
from carrefour.catalogue.groups import broader, make_groups
from carrefour.catalogue.programmes import programme_details
from carrefour.catalogue.records import View
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Hub

__all__ = ["CATALOGUE_FILE", "ENTRIES_FILE", "build_catalogue", "catalogue_path", "write_catalogue"]


def catalogue_path(snapshot: Snapshot) -> Path | None:
    """The version's catalogue index, when this machine has it."""
    if snapshot.info.artifacts is None:
        return None
    path = snapshot.info.artifacts / CATALOGUE_FILE
    return path if path.exists() else None


def write_catalogue(view: View, hub: Hub, target: Path, changes: RecordChanges | None = None) -> None:
    """Write the catalogue index of the version ``view`` shows to ``target`` (replaced whole), and its entries
    beside it; with ``changes``, the previous index amended for the records changed (:func:`amend_catalogue`),
    else made from the previous version's entries brought up to date for them, with the previous index's
    records and text amended when every record keeps its number.
    """
    if changes is not None and amend_catalogue(view, hub, target, changes):
        return
    texts = LiteralTexts(view)
    categories = category_labels(texts)
    previous = changes.previous / ENTRIES_FILE if changes is not None else None
    entries = read_entries(
        view, hub, texts, full_text(hub, categories), previous,
        changes.resources if changes is not None else frozenset(),
    )  # fmt: skip
    records, others = [entry.record for entry in entries.records], [entry.record for entry in entries.others]
    text_rows = {entry.record.iri: entry.text for entry in (*entries.records, *entries.others)}
    parents = broader(view, hub)
    groups, positions = make_groups(view, hub, records, parents)
    codes = Codes(hub)
    membership = [(record, number) for number, group in enumerate(groups) for record in group.records]
    listed = [(number, record, group) for number, (record, group) in enumerate(membership + [(r, -1) for r in others])]
    ids = {record.iri: number for number, record, _ in listed}
    gazetteer_rows = Gazetteer(*regions_and_departements(view, hub, texts))
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    earlier = changes.previous / CATALOGUE_FILE if changes is not None and entries.earlier is not None else None
    amending = earlier is not None and _same_numbers(earlier, hub, listed)
    if earlier is not None and amending:
        shutil.copyfile(earlier, temporary)
    connection = sqlite3.connect(temporary)
    try:
        if amending:
            for table in _REMADE:
                connection.execute(f"DELETE FROM {table}")  # noqa: S608 - names of this module's tables
            earlier_entries = entries.earlier or {}
            changed = [(number, record, group) for number, record, group in listed if record.iri in earlier_entries]
            amend_rows(connection, changed, listed, text_rows, earlier_entries)
        else:
            _fresh_records(connection, listed, text_rows)
        rows = group_rows(enumerate(groups), ids, codes, programme_details(view, hub, records, texts))
        connection.executemany(GROUPS_INSERT, rows)
        connection.executemany(
            "INSERT INTO facet_values VALUES (NULL,?,?,?,?,?,?,?,?)",
            facet_rows(view, hub, groups, codes, texts, parents),
        )
        if not amending or index_meta(connection).get("gazetteer") != gazetteer_rows.digest:
            connection.execute("DELETE FROM places")
            connection.executemany("INSERT INTO places VALUES (?,?,?,?,?)", gazetteer_rows.rows())
        connection.executemany(POSITIONS_INSERT, position_rows(positions, codes))
        if not amending:  # amended with the records' text (amend_rows)
            write_terms(connection)
        meta = [("format", FORMAT), ("base", hub.base), ("gazetteer", gazetteer_rows.digest)]
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, target)
    write_entries(target.with_name(ENTRIES_FILE), hub, entries)


# What an index whose records keep their numbers keeps of the previous one: its records and their text, and
# its gazetteer when the same; these tables are made again (the groups' rows and the facets' postings gather
# every record).
_REMADE = ("groups", "facet_values", "positions")


def _fresh_records(connection: sqlite3.Connection, listed: Listed, text_rows: dict[str, TextRow]) -> None:
    """A new index: its tables, its records, their text and the names they are typed by."""
    connection.executescript(SCHEMA_SQL)
    connection.executemany(RECORDS_INSERT, record_rows(listed))
    connection.executemany(TEXT_INSERT, ((number, *text_rows[record.iri]) for number, record, _ in listed))
    connection.execute("INSERT INTO text(text) VALUES ('optimize')")
    connection.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", name_rows(listed))


def _same_numbers(path: Path, hub: Hub, listed: Listed) -> bool:
    """Whether the index at ``path`` was made for this hub in this format, and numbers the records and their
    groups as ``listed`` does (no record came or went, no card moved in the order of names)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            meta = index_meta(connection)
            numbered = connection.execute("SELECT iri, grp FROM records ORDER BY id").fetchall()
    except sqlite3.Error:
        return False
    return made_for(meta, hub) and numbered == [(record.iri, group) for _, record, group in listed]


def build_catalogue(writer: Writer, hub: Hub, changes: RecordChanges | None = None) -> None:
    """Write ``catalogue.sqlite`` for the version being published (and its entries, for the next one)."""
    write_catalogue(writer, hub, writer.artifacts / CATALOGUE_FILE, changes)
