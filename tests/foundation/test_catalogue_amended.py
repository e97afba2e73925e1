"""What the catalogue amends for a few records is what it writes whole: its terms (what a query's words are corrected
to) and its entries file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrefour.artifacts import catalogue_rows
from carrefour.artifacts.catalogue_rows import (
    SCHEMA_SQL,
    TEXT_COLUMNS,
    TEXT_DELETE,
    TEXT_INSERT,
    amend_terms,
    write_terms,
)
from carrefour.catalogue.entries import amend_lines, entry_lines, write_lines
from carrefour.vocab import Hub
from tests.conftest import DEFAULT_BASE

# few words, so that rows share them: a word lost by one row is often still held by another, or only in the
# columns the terms leave out (places, names as spelled)
WORDS = st.sampled_from(["velo", "cafe", "repar", "numer", "tiers", "lieu", "l'atelier", "ÉCOLE", "29", "é-t"])
TEXT = st.lists(WORDS, max_size=4).map(" ".join)
ROW = st.tuples(*[TEXT] * len(TEXT_COLUMNS))


def terms(connection: sqlite3.Connection) -> set[str]:
    return {term for (term,) in connection.execute("SELECT term FROM terms")}


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8), st.data())
def test_terms_amended_for_the_rows_changed_are_those_of_the_whole_index(rows: list[tuple[str, ...]], data) -> None:
    connection = sqlite3.connect(":memory:")
    connection.executescript(SCHEMA_SQL)
    connection.executemany(TEXT_INSERT, [(number, *row) for number, row in enumerate(rows)])
    write_terms(connection)
    changed = data.draw(st.lists(st.sampled_from(range(len(rows))), unique=True))
    pairs = []
    for number in changed:
        now = data.draw(ROW)
        connection.execute(TEXT_DELETE, (number, *rows[number]))
        connection.execute(TEXT_INSERT, (number, *now))
        pairs.append((rows[number], now))
    amend_terms(connection, pairs)
    amended = terms(connection)
    write_terms(connection)
    assert amended == terms(connection)
    assert not connection.execute("SELECT name FROM temp.sqlite_master").fetchall()  # no scratch table left


@pytest.mark.parametrize("most", [3_000, 0], ids=["looked-up", "listed-again"])
def test_a_word_lost_by_every_row_is_no_longer_a_term_and_one_kept_elsewhere_stays(
    monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    """Whether the words lost are looked for in the index or, past so many, every word is listed again."""
    monkeypatch.setattr(catalogue_rows, "MOST_LOOKED_UP", most)
    connection = sqlite3.connect(":memory:")
    connection.executescript(SCHEMA_SQL)
    first, second = ("velo cafe", "", "", "", "", ""), ("cafe", "", "", "velo", "", "")
    connection.executemany(TEXT_INSERT, [(0, *first), (1, *second)])
    write_terms(connection)
    assert terms(connection) == {"velo", "cafe"}
    now = ("atelier", "", "", "", "", "")
    connection.execute(TEXT_DELETE, (0, *first))
    connection.execute(TEXT_INSERT, (0, *now))
    amend_terms(connection, [(first, now)])
    assert terms(connection) == {"atelier", "cafe"}  # "velo" is left in a place's name only


def entries_file(path: Path, texts: list[str]) -> list[bytes]:
    lines = [orjson.dumps(["record", f"{DEFAULT_BASE}initiative/p/{n}", text]) + b"\n" for n, text in enumerate(texts)]
    write_lines(path, Hub(DEFAULT_BASE), lines)
    return lines


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=12), st.data())
def test_entries_amended_are_the_file_written_whole(tmp_path_factory: pytest.TempPathFactory, texts, data) -> None:
    folder, hub = tmp_path_factory.mktemp("entries"), Hub(DEFAULT_BASE)
    lines = entries_file(folder / "previous.jsonl", texts)
    read = entry_lines(folder / "previous.jsonl", hub)
    assert read is not None and [line for _, line, _ in read.values()] == lines
    iris = list(read)
    changed = {iris[n]: orjson.dumps(["record", iris[n], data.draw(st.text(max_size=40))]) + b"\n"
               for n in data.draw(st.lists(st.sampled_from(range(len(iris))), unique=True))}  # fmt: skip
    amend_lines(folder / "previous.jsonl", folder / "amended.jsonl", hub, read, changed)
    write_lines(folder / "whole.jsonl", hub, [changed.get(iri, line) for iri, line in zip(iris, lines, strict=True)])
    assert (folder / "amended.jsonl").read_bytes() == (folder / "whole.jsonl").read_bytes()


@pytest.mark.parametrize("kernel", [True, False], ids=["copied-by-the-kernel", "read-and-written"])
def test_entries_amended_from_a_file_that_changed_since_it_was_read_are_written_from_the_lines_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    if not kernel:
        monkeypatch.setattr("os.copy_file_range", lambda *args: (_ for _ in ()).throw(OSError("not here")))
    hub = Hub(DEFAULT_BASE)
    lines = entries_file(tmp_path / "previous.jsonl", ["un", "deux", "trois"])
    read = entry_lines(tmp_path / "previous.jsonl", hub)
    assert read is not None
    second = list(read)[1]
    changed = {second: orjson.dumps(["record", second, "DEUX"]) + b"\n"}
    amend_lines(tmp_path / "previous.jsonl", tmp_path / "amended.jsonl", hub, read, changed)
    expected = (tmp_path / "previous.jsonl").read_bytes().replace(lines[1], changed[second])
    assert (tmp_path / "amended.jsonl").read_bytes() == expected
    with open(tmp_path / "previous.jsonl", "ab") as grown:
        grown.write(lines[0])  # no longer the file read: what was read is written
    amend_lines(tmp_path / "previous.jsonl", tmp_path / "amended.jsonl", hub, read, changed)
    assert (tmp_path / "amended.jsonl").read_bytes() == expected
