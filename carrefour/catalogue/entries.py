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

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carrefour.artifacts.changes import memory_view
from carrefour.artifacts.search import LiteralTexts
from carrefour.catalogue.records import Record, View, read_records
from carrefour.vocab import Hub

ENTRIES_FILE = "catalogue-entries.jsonl"
FORMAT = "1"
RECORDS, OTHERS = "record", "other"  # the records people look for; the concepts, partners and places named
TextRow = tuple[str, ...]  # a record's columns of the full-text index


@dataclass
class Entry:
    record: Record
    text: TextRow


def read_entries(
    view: View, hub: Hub, texts: LiteralTexts, text_row: Callable[[Record], TextRow], previous: Path | None,
    changed: frozenset[str],
) -> tuple[list[Entry], list[Entry]]:  # fmt: skip
    """(records people look for, the other resources the search names), in the order of their IRIs.

    :param previous: the previous version's entries file, to be brought up to date for the records ``changed``;
        None (or a file that cannot be read) to read every record from ``view``.
    """
    kept = _load(previous, hub) if previous is not None else None
    if kept is None:
        records, others = read_records(view, hub, texts)
        return _sorted(Entry(r, text_row(r)) for r in records), _sorted(Entry(r, text_row(r)) for r in others)
    fresh, fresh_others = read_records(memory_view(view, changed, hub), hub)
    by_iri = {entry.record.iri: entry for entry in kept[0] if entry.record.iri not in changed}
    by_iri |= {record.iri: Entry(record, text_row(record)) for record in fresh if record.iri in changed}
    others = {entry.record.iri: entry for entry in kept[1] if entry.record.iri not in changed}
    others |= {record.iri: Entry(record, text_row(record)) for record in fresh_others if record.iri in changed}
    return _sorted(by_iri.values()), _sorted(others.values())


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.record.iri)


def write_entries(path: Path, hub: Hub, records: list[Entry], others: list[Entry]) -> None:
    """One line a record (JSON Lines), after one naming the format and the hub: written as it goes, where one
    document of 75,000 records held some 300 MiB more while it was made."""
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT, "base": hub.base}) + "\n")
        for section, entries in ((RECORDS, records), (OTHERS, others)):
            for entry in entries:
                out.write(json.dumps([section, *_dump(entry)], ensure_ascii=False) + "\n")
    temporary.replace(path)


def _load(path: Path, hub: Hub) -> tuple[list[Entry], list[Entry]] | None:
    """The entries of ``path``; None when there are none written for this hub in this format."""
    found: dict[str, list[Entry]] = {RECORDS: [], OTHERS: []}
    try:
        with path.open(encoding="utf-8") as lines:
            if json.loads(next(lines, "{}")) != {"format": FORMAT, "base": hub.base}:
                return None
            for line in lines:
                section, *row = json.loads(line)
                found[section].append(_entry(row))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found[RECORDS], found[OTHERS]


def _dump(entry: Entry) -> list[Any]:
    r = entry.record
    values = {facet: sorted(found) for facet, found in r.values.items() if found}
    return [r.iri, r.kind, r.names, r.other_names, r.descriptions, sorted(r.partners), values, sorted(r.categories),
            sorted(r.located), sorted(r.served), r.point, r.locality, r.website, r.modified, entry.text]  # fmt: skip


def _entry(row: list[Any]) -> Entry:
    iri, kind, names, other_names, descriptions, partners, values, categories, located, served = row[:10]
    point, locality, website, modified, text = row[10:]
    filed = defaultdict(set, {facet: set(found) for facet, found in values.items()})
    where = tuple(point) if point else None
    record = Record(iri, kind, names, other_names, descriptions, set(partners), filed, set(categories),
                    set(located), set(served), where, locality, website, modified)  # fmt: skip
    return Entry(record, tuple(text))
