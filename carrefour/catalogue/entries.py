"""The catalogue's records with their search text, kept beside each version's index for the next one.

Reading every record back from the store is half of what making the catalogue costs
(13 of 25 s at 40,000 records: pyoxigraph decodes every term of every statement), and
folding their text into search keys another 3 s.  A version's entries are written
beside its index (``catalogue-entries.jsonl``); the next version, when its session
changed a few resources (:mod:`carrefour.artifacts.changes`), reads those again, from a
small in-memory store holding their statements and those of their carriers, and keeps
every other entry as it was.  The index is then made from the entries exactly as
from a full reading (the tests compare both, table by table).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from carrefour.artifacts.changes import memory_view
from carrefour.artifacts.search import LiteralTexts
from carrefour.catalogue.records import Record, View, read_records
from carrefour.file_ranges import copy_range
from carrefour.vocab import Hub

ENTRIES_FILE = "catalogue-entries.jsonl"
FORMAT = "2"  # orjson's compact lines
RECORDS, OTHERS = "record", "other"  # the records people look for; the concepts, partners and places named
TextRow = tuple[str, ...]  # a record's columns of the full-text index


@dataclass
class Entry:
    record: Record
    text: TextRow
    line: bytes | None = None  # as the previous version's file wrote it, for an entry kept as it was


@dataclass
class Entries:
    """A version's entries, each list in the order of IRIs."""

    records: list[Entry]  # the records people look for
    others: list[Entry]  # the other resources the search names
    earlier: dict[str, Entry] | None = None  # brought up to date: the previous entries of those read again


def read_entries(
    view: View, hub: Hub, texts: LiteralTexts, text_row: Callable[[Record], TextRow], previous: Path | None,
    changed: frozenset[str],
) -> Entries:  # fmt: skip
    """The version's entries, read from ``view``, or from ``previous`` brought up to date.

    :param previous: the previous version's entries file, to be brought up to date for the records ``changed``;
        None (or a file that cannot be read) to read every record from ``view``.
    """
    kept = _load(previous, hub) if previous is not None else None
    if kept is None:
        records, others = read_records(view, hub, texts)
        return Entries(_sorted(Entry(r, text_row(r)) for r in records), _sorted(Entry(r, text_row(r)) for r in others))
    fresh, fresh_others = read_records(memory_view(view, changed, hub), hub)
    earlier = {entry.record.iri: entry for entry in (*kept[0], *kept[1]) if entry.record.iri in changed}
    by_iri = {entry.record.iri: entry for entry in kept[0] if entry.record.iri not in changed}
    by_iri |= {record.iri: Entry(record, text_row(record)) for record in fresh if record.iri in changed}
    others = {entry.record.iri: entry for entry in kept[1] if entry.record.iri not in changed}
    others |= {record.iri: Entry(record, text_row(record)) for record in fresh_others if record.iri in changed}
    return Entries(_sorted(by_iri.values()), _sorted(others.values()), earlier)


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.record.iri)


def write_entries(path: Path, hub: Hub, entries: Entries) -> None:
    """One line a record (JSON Lines), after one naming the format and the hub: written as it goes, where one
    document of 75,000 records held some 300 MiB more while it was made; an entry kept as it was is written
    as it was read (encoding them all again took 2.8 s of a 1 % change at 40,000 records)."""
    found = ((section, entry) for section, listed in ((RECORDS, entries.records), (OTHERS, entries.others))
             for entry in listed)  # fmt: skip
    write_lines(path, hub, (entry.line or entry_line(section, entry) for section, entry in found))


def write_lines(path: Path, hub: Hub, lines: Iterable[bytes]) -> None:
    """An entries file of these lines (each ends with its line break)."""
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as out:
        out.write(orjson.dumps({"format": FORMAT, "base": hub.base}) + b"\n")
        out.writelines(lines)
    temporary.replace(path)


def entry_line(section: str, entry: Entry) -> bytes:
    return orjson.dumps([section, *_dump(entry)]) + b"\n"


Lines = dict[str, tuple[str, bytes, int]]  # IRI -> section, line, where the line begins in its file


def entry_lines(path: Path, hub: Hub) -> Lines | None:
    """IRI -> (section, line, offset) of every entry of ``path``, in its order, the lines not decoded (an index
    amended for 400 records decodes theirs and their twins', not 75,000); None when there are none written for this
    hub in this format."""
    found: Lines = {}
    try:
        with path.open("rb") as lines:
            header = next(lines, b"{}")
            if orjson.loads(header) != {"format": FORMAT, "base": hub.base}:
                return None
            offset = len(header)
            for line in lines:
                start = line.index(b'","') + 3  # ["record","<iri>",…: an IRI holds no quote, no backslash
                iri = line[start : line.index(b'"', start)]
                if b"\\" in iri:  # an escape: read as JSON
                    section, name = orjson.loads(line)[:2]
                else:
                    section, name = line[2 : start - 3].decode(), iri.decode()
                found[name] = (section, line, offset)
                offset += len(line)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found


def amend_lines(previous: Path, target: Path, hub: Hub, lines: Lines, changed: Mapping[str, bytes]) -> None:
    """The entries file ``previous`` (read as ``lines``) with the lines of ``changed`` (IRI -> its line now) in the
    place of theirs, written to ``target``: the rest is copied by the kernel (writing the 76 MiB of 40,000 records'
    entries line by line took 0.2 to 0.5 s of a 1 % change).  A file that is no longer the one read is written
    from ``lines``."""
    ends = max((offset + len(line) for _, line, offset in lines.values()), default=0)
    temporary = target.with_suffix(".tmp")
    with open(previous, "rb") as source:
        if os.fstat(source.fileno()).st_size != ends:
            write_lines(target, hub, (changed.get(iri, line) for iri, (_, line, _) in lines.items()))
            return
        with temporary.open("wb") as out:
            at = 0
            for offset, before, now in sorted((lines[iri][2], lines[iri][1], line) for iri, line in changed.items()):
                copy_range(source, out, at, offset - at)
                out.write(now)
                at = offset + len(before)
            copy_range(source, out, at, ends - at)
    temporary.replace(target)


def parse_entry(line: bytes) -> Entry:
    """The entry a line holds."""
    return _entry(orjson.loads(line)[1:], line)


def _load(path: Path, hub: Hub) -> tuple[list[Entry], list[Entry]] | None:
    """The entries of ``path``; None when there are none written for this hub in this format."""
    found: dict[str, list[Entry]] = {RECORDS: [], OTHERS: []}
    try:
        with path.open("rb") as lines:
            if orjson.loads(next(lines, b"{}")) != {"format": FORMAT, "base": hub.base}:
                return None
            for line in lines:
                section, *row = orjson.loads(line)
                found[section].append(_entry(row, line))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found[RECORDS], found[OTHERS]


def _dump(entry: Entry) -> list[Any]:
    r = entry.record
    values = {facet: sorted(found) for facet, found in r.values.items() if found}
    return [r.iri, r.kind, r.names, r.other_names, r.descriptions, sorted(r.partners), values, sorted(r.categories),
            sorted(r.located), sorted(r.served), r.point, r.locality, r.website, r.modified, entry.text]  # fmt: skip


def _entry(row: list[Any], line: bytes) -> Entry:
    iri, kind, names, other_names, descriptions, partners, values, categories, located, served = row[:10]
    point, locality, website, modified, text = row[10:]
    filed = defaultdict(set, {facet: set(found) for facet, found in values.items()})
    where = tuple(point) if point else None
    record = Record(iri, kind, names, other_names, descriptions, set(partners), filed, set(categories),
                    set(located), set(served), where, locality, website, modified)  # fmt: skip
    return Entry(record, tuple(text), line)
