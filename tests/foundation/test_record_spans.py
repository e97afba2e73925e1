"""The records left as published, copied from the previous harvest's N-Quads by the spans kept beside it, are what
the line-by-line definition keeps, however the file is read in chunks and however its lines are ordered; the spans
of the file written describe it; spans that do not describe their file are not used."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loader import record_spans
from loader.record_spans import copy_records, read_spans, save_spans, scan_spans, spans_of, spans_path

GRAPH = "<http://hub.test/graph/partner/p>"
SUBJECTS = [
    *(f"<http://hub.test/initiative/p/{n}>" for n in range(4)),
    "<http://hub.test/initiative/p/1#address>",
    "<http://hub.test/initiative/p/10>",  # shares the beginning of record 1's IRI
    "<http://hub.test/initiative/p/2#geo>",
    "_:b1",
]
RECORDS = sorted({s[1:-1].split("#")[0] for s in SUBJECTS if s.startswith("<")})
OBJECTS = ['"un"', '"deux \\n lignes"@fr', "<http://hub.test/initiative/p/3>", "_:b1", '"<http://hub.test/x>"']


def _line(subject: str, number: int, value: str) -> bytes:
    return f"{subject} <http://schema.test/p{number}> {value} {GRAPH} .\n".encode()


lines = st.lists(st.builds(_line, st.sampled_from(SUBJECTS), st.integers(0, 2), st.sampled_from(OBJECTS)), max_size=40)


heads = st.integers(0, 3).map(lambda n: _line("_:h", 0, '"avant"') * n)  # lines already in the output


def _by_definition(previous: bytes, records: set[str]) -> bytes:
    names = {iri.encode() for iri in records}
    kept = [line for line in previous.splitlines(keepends=True) if line[1 : line.find(b">")].split(b"#")[0] in names]
    return b"".join(kept)


def _copied(previous: bytes, records: set[str], head: bytes, chunk: int) -> tuple[bytes, dict[str, list[int]]]:
    """``previous`` copied after ``head`` by its spans, found reading it ``chunk`` bytes at a time; the output and
    the spans of what was copied."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(record_spans, "_CHUNK", chunk)
        source, target = Path(folder, "records.nq"), Path(folder, "out.nq")
        source.write_bytes(previous)
        target.write_bytes(head)
        with open(target, "r+b") as output:  # not in append mode: the kernel does not copy into one
            copied = copy_records(source, spans_of(source), records, output)
        return target.read_bytes()[len(head) :], copied


@settings(max_examples=300, deadline=None)
@given(found=lines, records=st.sets(st.sampled_from(RECORDS)), chunk=st.integers(1, 400), head=heads)
def test_the_spans_keep_what_lines_keep(found: list[bytes], records: set[str], chunk: int, head: bytes) -> None:
    previous = b"".join(found)
    output, copied = _copied(previous, records, head, chunk)
    assert output == _by_definition(previous, records)
    with tempfile.TemporaryFile() as written:  # the spans returned describe the output, where it was written
        written.write(head + output)
        written.seek(0)
        assert scan_spans(written) == copied
    for iri, spans in copied.items():  # and each of them holds that record's lines only
        for start, length in zip(spans[::2], spans[1::2], strict=True):
            block = (head + output)[start : start + length]
            assert block and _by_definition(block, {iri}) == block


def test_a_last_line_cut_short_is_left_out(tmp_path: Path) -> None:
    whole = _line(SUBJECTS[0], 0, '"un"')
    output, _ = _copied(whole + whole[:-5], {RECORDS[0]}, b"", 1 << 20)
    assert output == whole


def test_a_file_system_the_kernel_cannot_copy_between_is_read_and_written(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = b"".join(_line(subject, n, '"un"') for subject in SUBJECTS for n in range(3))

    def refused(*args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refused)
    output, _ = _copied(previous, set(RECORDS[1:3]), _line("_:h", 0, '"avant"'), 7)
    assert output == _by_definition(previous, set(RECORDS[1:3]))


def test_spans_are_used_only_for_the_file_they_describe(tmp_path: Path) -> None:
    records = tmp_path / "records.nq"
    records.write_bytes(b"".join(_line(subject, 0, '"un"') for subject in SUBJECTS))
    assert read_spans(records) is None  # none kept
    with open(records, "rb") as source:
        found = scan_spans(source)
    save_spans(records, found)
    assert read_spans(records) == found == spans_of(records)
    with open(records, "ab") as grown:
        grown.write(_line(SUBJECTS[0], 1, '"deux"'))
    assert read_spans(records) is None  # another size: found again by reading the file
    assert spans_of(records)[RECORDS[0]] == found[RECORDS[0]][:1] + [found[RECORDS[0]][1]] + [
        records.stat().st_size - len(_line(SUBJECTS[0], 1, '"deux"')),
        len(_line(SUBJECTS[0], 1, '"deux"')),
    ]
    spans_path(records).write_bytes(b"{damaged")
    assert read_spans(records) is None
