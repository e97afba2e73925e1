"""What a helper reads ahead is handed over once, and only while the file it came from is unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carrefour.artifacts import read_ahead
from carrefour.vocab import Hub

CALLS: list[Path] = []  # the paths :func:`reader` read


def reader(path: Path, hub: Hub | None = None) -> str:
    """A file's text, then the hub's base (readers are module-level functions, keyed by their names)."""
    CALLS.append(path)
    return path.read_text(encoding="utf-8") + (hub.base if hub is not None else "")


@pytest.fixture(autouse=True)
def nothing_kept() -> None:
    read_ahead.forget()
    CALLS.clear()


def test_what_was_read_ahead_is_taken_once(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text("before", encoding="utf-8")
    read_ahead.keep(read_ahead.read(reader, path))
    assert len(CALLS) == 1
    assert read_ahead.take(reader, path) == "before" and len(CALLS) == 1, "handed over, not read again"
    path.write_text("after!", encoding="utf-8")
    assert read_ahead.take(reader, path) == "after!" and len(CALLS) == 2, "taken once: then read"


def test_a_file_changed_since_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text("before", encoding="utf-8")
    read_ahead.keep(read_ahead.read(reader, path))
    stat = path.stat()
    path.write_text("after!", encoding="utf-8")  # the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert read_ahead.take(reader, path) == "after!" and len(CALLS) == 2


def test_a_folder_is_unchanged_while_none_of_its_files_changes(tmp_path: Path) -> None:
    (tmp_path / "a.gz").write_bytes(b"a")
    before = read_ahead.signature(tmp_path)
    assert before == read_ahead.signature(tmp_path)
    (tmp_path / "b.gz").write_bytes(b"b")
    assert read_ahead.signature(tmp_path) != before, "a file added"
    added = read_ahead.signature(tmp_path)
    (tmp_path / "a.gz").write_bytes(b"aa")
    assert read_ahead.signature(tmp_path) != added, "a file grown"
    assert read_ahead.signature(tmp_path / "missing") is None


def test_each_reading_is_its_own(tmp_path: Path) -> None:
    """Keyed by the reader, the path and the arguments: a hub given anew (as another process's) is the same hub."""
    path = tmp_path / "rows.json"
    path.write_text("rows", encoding="utf-8")
    read_ahead.keep(read_ahead.read(reader, path, Hub("http://example.org/")))
    assert read_ahead.take(reader, path, Hub("http://example.net/")) == "rowshttp://example.net/"
    assert len(CALLS) == 2, "another hub: read now"
    assert read_ahead.take(reader, path, Hub("http://example.org")) == "rowshttp://example.org/"
    assert len(CALLS) == 2, "the same hub: handed over"
    assert len({Hub("http://a/"), Hub("http://a")}) == 1 and Hub("http://a/") != Hub("http://a/", "http://v/")


def test_a_reading_that_fails_ahead_is_left_to_the_builder(tmp_path: Path) -> None:
    assert read_ahead.read(reader, tmp_path / "missing.json") is None and len(CALLS) == 0
    (tmp_path / "folder.json").mkdir()
    assert read_ahead.read(reader, tmp_path / "folder.json") is None and len(CALLS) == 1, "it raised"
    with pytest.raises(IsADirectoryError):
        read_ahead.take(reader, tmp_path / "folder.json")  # the builder meets the error itself


def test_what_no_builder_took_is_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text("rows", encoding="utf-8")
    read_ahead.keep(read_ahead.read(reader, path))
    read_ahead.forget()
    assert read_ahead.take(reader, path) == "rows" and len(CALLS) == 2


def test_a_cache_warmed_that_fails_is_left_to_its_reader() -> None:
    warmed: list[str] = []

    def failing() -> None:
        warmed.append("tried")
        raise OSError("no reference table")

    read_ahead.warm(failing)
    read_ahead.warm(lambda: warmed.append("filled"))
    assert warmed == ["tried", "filled"]
