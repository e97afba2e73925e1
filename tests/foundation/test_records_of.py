"""The lines of the records left as published, sorted out of the previous harvest's N-Quads by blocks, are what the
line-by-line definition keeps, however the file is read in chunks and however its lines are ordered."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loader import harvest_report
from loader.harvest_report import write_records_of

GRAPH = "<http://hub.test/graph/partner/p>"
SUBJECTS = [
    *(f"<http://hub.test/initiative/p/{n}>" for n in range(4)),
    "<http://hub.test/initiative/p/1#address>",
    "<http://hub.test/initiative/p/10>",  # shares the beginning of record 1's IRI
    "<http://hub.test/initiative/p/2#geo>",
    "_:b1",
]
OBJECTS = ['"un"', '"deux \\n lignes"@fr', "<http://hub.test/initiative/p/3>", "_:b1", '"<http://hub.test/x>"']


def _line(subject: str, number: int, value: str) -> bytes:
    return f"{subject} <http://schema.test/p{number}> {value} {GRAPH} .\n".encode()


lines = st.lists(st.builds(_line, st.sampled_from(SUBJECTS), st.integers(0, 2), st.sampled_from(OBJECTS)), max_size=40)


def _by_definition(previous: bytes, records: set[bytes]) -> bytes:
    kept = [line for line in previous.splitlines(keepends=True) if line[1 : line.find(b">")].split(b"#")[0] in records]
    return b"".join(kept)


@settings(max_examples=300, deadline=None)
@given(
    found=lines,
    records=st.sets(st.sampled_from([s[1:-1].split("#")[0].encode() for s in SUBJECTS if s.startswith("<")])),
    chunk=st.integers(1, 400),
)
def test_blocks_keep_what_lines_keep(found: list[bytes], records: set[bytes], chunk: int) -> None:
    previous = b"".join(found)
    output = io.BytesIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harvest_report, "_CHUNK", chunk)
        write_records_of(io.BytesIO(previous), records, output)
    assert output.getvalue() == _by_definition(previous, records)


def test_a_last_line_cut_short_is_left_out() -> None:
    whole = _line(SUBJECTS[0], 0, '"un"')
    output = io.BytesIO()
    write_records_of(io.BytesIO(whole + whole[:-5]), {SUBJECTS[0][1:-1].encode()}, output)
    assert output.getvalue() == whole
