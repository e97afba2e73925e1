"""Where each record's lines lie in a harvest's ``records.nq``, kept beside it so that the next harvest copies the
records it left as published by ranges, in the kernel, rather than reading the file again.

A records file holds a record's lines together (its harvest wrote them so): a record's *block* is a run of lines
whose subject is its IRI or a fragment of it (``<iri#address>``); a blank node's line names no record.  The spans,
``records.nq.spans``, list each record's blocks as offsets and lengths, with the size of the file they describe:
spans that do not describe the file beside them (another size, a damaged or missing file) are found again by
reading it.  Sorting a million lines out of the previous file by the regular expression engine took 0.8 to 1.1 s
of a 1 % change at 40,000 records; copying the ranges of the records kept takes a small part of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import orjson

from carrefour.file_ranges import copy_range

RecordSpans = dict[str, list[int]]  # record IRI -> offset, length, offset, length... of its blocks, in file order

SPANS_SUFFIX = ".spans"
# a record's block: its lines, one after the other, each of its IRI or of a fragment of it (``<iri#address>``);
# a blank node's line is a block of its own (its label names no record)
_BLOCK = re.compile(rb"(?m)^(?:<([^>#\n]*)|_:[^ \n]*)[^\n]*\n(?:<\1[>#][^\n]*\n)*")
_CHUNK = 8 << 20


def spans_path(records: Path) -> Path:
    return records.with_name(records.name + SPANS_SUFFIX)


def scan_spans(source: IO[bytes], base: int = 0) -> RecordSpans:
    """The blocks of the records in ``source`` (N-Quads read to its end), as offsets from ``base``.

    A last line without its line break is no block.  A block cut between two chunks read is one span.
    """
    spans: RecordSpans = {}
    offset, pending = base, b""
    while data := source.read(_CHUNK):
        chunk = pending + data
        cut = chunk.rfind(b"\n") + 1
        chunk, pending = chunk[:cut], chunk[cut:]
        for block in _BLOCK.finditer(chunk):
            if block[1] is None:
                continue
            _add(spans, block[1].decode(), offset + block.start(), block.end() - block.start())
        offset += len(chunk)
    return spans


def _add(spans: RecordSpans, iri: str, start: int, length: int) -> None:
    """A block of ``iri``'s lines: one span with the block before it when they touch (a block cut by a chunk's
    end, or two blocks brought together by copying)."""
    found = spans.setdefault(iri, [])
    if found and found[-2] + found[-1] == start:
        found[-1] += length
    else:
        found += (start, length)


def read_spans(records: Path) -> RecordSpans | None:
    """The spans kept beside ``records`` when they describe it (None: find them again with :func:`scan_spans`)."""
    try:
        kept = orjson.loads(spans_path(records).read_bytes())
        size = records.stat().st_size
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("size") != size or not isinstance(kept.get("records"), dict):
        return None
    return kept["records"]


def save_spans(records: Path, spans: RecordSpans) -> None:
    """Written aside and renamed, once the records file is complete: it names the size it describes."""
    temporary = records.with_name(f".{records.name}{SPANS_SUFFIX}.partial")
    temporary.write_bytes(orjson.dumps({"size": records.stat().st_size, "records": spans}))
    os.replace(temporary, spans_path(records))


def spans_of(records: Path) -> RecordSpans:
    """The spans of a records file: those kept beside it, else found by reading it."""
    kept = read_spans(records)
    if kept is not None:
        return kept
    with open(records, "rb") as source:
        return scan_spans(source)


def copy_records(previous: Path, spans: RecordSpans, keep: Iterable[str], output: IO[bytes]) -> RecordSpans:
    """Copy the blocks of the records ``keep`` from ``previous`` to the end of ``output``, in the order of the file,
    adjacent blocks in one range; the spans of what was copied, in ``output``."""
    blocks = sorted(
        (found[i], found[i + 1], iri) for iri in keep if (found := spans.get(iri)) for i in range(0, len(found), 2)
    )
    output.flush()
    at = output.seek(0, os.SEEK_END)
    copied: RecordSpans = {}
    runs: list[list[int]] = []  # offset in previous, length
    for start, length, iri in blocks:
        if runs and runs[-1][0] + runs[-1][1] == start:
            runs[-1][1] += length
        else:
            runs.append([start, length])
        _add(copied, iri, at, length)
        at += length
    with open(previous, "rb") as source:
        for start, length in runs:
            copy_range(source, output, start, length)
    return copied
