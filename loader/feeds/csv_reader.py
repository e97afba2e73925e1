"""CSV and TSV feeds: any delimiter, any encoding, quoted fields over several lines.

A file without a header line declares its column names (``columns``): every line is
then a record.  Values are yielded as the strings the partner wrote (French numbers and dates are
parsed by the mapping's transforms).  A UTF-8 byte-order mark is dropped.  Rows
the file does not let us read faithfully — a field count that differs from the
header (a broken quote shifts the columns), bytes that are not in the declared
encoding, a field over the size limit — are reported by line and skipped; the
rest of the file is read.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from carrefour.errors import HarvestError
from loader.feeds.items import Problem, Record
from loader.feeds.spec import FeedSpec

DELIMITERS = (",", ";", "\t", "|")


def python_encoding(encoding: str) -> str:
    """The codec to decode with: UTF-8 drops a byte-order mark if there is one."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def detect_delimiter(header_line: str, quotechar: str = '"') -> str:
    """The candidate delimiter found most often in the header line, outside quotes."""
    outside, quoted = [], False
    for char in header_line:
        if char == quotechar:
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = Counter(c for c in outside if c in DELIMITERS)
    return counts.most_common(1)[0][0] if counts else ","


def _undecodable(row: list[str]) -> str | None:
    """The first run of bytes that the encoding could not decode (kept as surrogates), shown as bytes."""
    for value in row:
        if any("\udc80" <= c <= "\udcff" for c in value):
            start = next(i for i, c in enumerate(value) if "\udc80" <= c <= "\udcff")
            excerpt = value[max(0, start - 10) : start + 10]
            return repr(excerpt.encode("utf-8", "surrogateescape"))
    return None


def _header(row: list[str]) -> list[str]:
    names: list[str] = []
    seen: Counter[str] = Counter()
    for raw in row:
        name = raw.strip()
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names


def read_csv(spec: FeedSpec, path: Path, name: str) -> Iterator[Record | Problem]:
    """Records of a CSV/TSV file, one per row, keyed by the header's column names (or the declared ``columns``).

    :raises HarvestError: the file has no header row (and no ``columns`` are declared).
    """
    encoding = python_encoding(spec.encoding)
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
        first = handle.readline()
        delimiter = spec.delimiter or detect_delimiter(first, spec.quotechar)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, quotechar=spec.quotechar)
        header = list(spec.columns) or _read_header(reader, spec, name)
        line = reader.line_num
        for number in itertools.count(1):
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line = reader.line_num
                yield Problem(f"line {start}", f"row {number} cannot be read: {exc}", record=True)
                continue
            line = reader.line_num
            if not row:
                continue  # a blank line
            origin = f"line {start}"
            if len(row) != len(header):
                source = "declared columns" if spec.columns else "header"
                yield Problem(
                    origin,
                    f"{len(row)} fields where the {source} {'have' if spec.columns else 'has'} {len(header)}: "
                    "row not read (a broken quote or a stray delimiter shifts the columns)",
                    record=True,
                )
                continue
            bad_bytes = _undecodable(row)
            if bad_bytes is not None:
                yield Problem(
                    origin,
                    f"bytes that are not valid {spec.encoding}: {bad_bytes}: row not read "
                    "(check 'encoding' in the partner's [feed])",
                    record=True,
                )
                continue
            yield Record(dict(zip(header, row, strict=True)), origin)


def _read_header(reader: Iterator[list[str]], spec: FeedSpec, name: str) -> list[str]:
    try:
        header_row = next(reader, None)
    except csv.Error as exc:
        raise HarvestError(f"{name}: the header line cannot be read: {exc}") from exc
    if not header_row or not any(cell.strip() for cell in header_row):
        raise HarvestError(f"{name}: no header line (the file is empty; a file without one declares 'columns')")
    if _undecodable(header_row):
        raise HarvestError(
            f"{name}: the header is not valid {spec.encoding} ({_undecodable(header_row)}): "
            "set 'encoding' in the partner's [feed] (e.g. \"cp1252\")"
        )
    return _header(header_row)
