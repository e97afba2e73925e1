"""What an artifact database holds, comparable between two builds of it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def tables(path: Path) -> dict[str, list[str]]:
    """Every table's rows, with their numbers where they have them (what the index refers to), in a set order;
    a full-text index by what it holds (every word of every row, with its column and place: its rows of a
    contentless index are bare numbers), not by its inner tables (they depend on the order of writing)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        indexes = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
        names = [name for name, _ in rows if not any(name.startswith(f"{index}_") for index in indexes)]
        found = {name: sorted(map(repr, connection.execute(_all_rows(connection, name)))) for name in names}
        for index in indexes:
            connection.execute(f'CREATE VIRTUAL TABLE temp."{index}_words" USING fts5vocab(main, "{index}", instance)')
            found[f"{index} words"] = sorted(map(repr, connection.execute(f'SELECT * FROM temp."{index}_words"')))  # noqa: S608
        return found


def _all_rows(connection: sqlite3.Connection, table: str) -> str:
    try:
        connection.execute(f'SELECT rowid FROM "{table}" LIMIT 0')  # noqa: S608
    except sqlite3.OperationalError:  # a table without rowid: its key is among its columns
        return f'SELECT * FROM "{table}"'  # noqa: S608
    return f'SELECT rowid, * FROM "{table}"'  # noqa: S608
