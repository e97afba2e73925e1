"""The previous version's artifacts read ahead by a write session's helper process, while the session maps.

A harvest's second process (carrefour.store.helper) has nothing to do until the records are
written, and then both processes amend the previous version's indexes for a few records
changed, each reading first what that version holds: at 40,000 records the catalogue's entries
(0.35 s), the places' rows (0.35 s), the communes' centres (0.3 s) and the check that the previous
dumps are intact before their members are copied (0.23 s, in the session's own process).  Read while
the session maps, they are ready when the builders come to them.

A version's artifacts are written once and never changed afterwards; even so, what was read ahead
is handed over only while the files it came from have the size and modification time they had
(else they are read again), and only once: nothing read ahead outlives the builders that use it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Signature = tuple[tuple[str, int, int], ...]  # (name, size, modification time) of the files read


def signature(path: Path) -> Signature | None:
    """The size and modification time of ``path``, or of each file of the folder ``path``; None when missing."""
    try:
        if path.is_dir():
            with os.scandir(path) as entries:
                found = [(entry.name, entry.stat()) for entry in entries if entry.is_file()]
        else:
            found = [("", path.stat())]
    except OSError:
        return None
    return tuple(sorted((name, stat.st_size, stat.st_mtime_ns) for name, stat in found))


@dataclass(frozen=True)
class Ahead(Generic[T]):
    """What ``read(path, *args)`` gave, with the signature of ``path`` before it was read (picklable: a helper
    process reads it for the session's)."""

    key: tuple[Hashable, ...]
    signature: Signature
    value: T


def read(reader: Callable[..., T], path: Path, *args: Hashable) -> Ahead[T] | None:
    """``reader(path, *args)`` now; None when ``path`` is missing or the reader fails (the builder will read it
    itself, and say what is wrong)."""
    before = signature(path)
    if before is None:
        return None
    try:
        value = reader(path, *args)
    except Exception:  # noqa: BLE001 - read again by its builder, whose own handling applies
        log.debug("reading %s ahead failed", path, exc_info=True)
        return None
    return Ahead(_key(reader, path, args), before, value)


def warm(cache: Callable[[], object]) -> None:
    """Fill a process's cache now (a table every process reads once); a failure is left for its reader to meet."""
    try:
        cache()
    except Exception:  # noqa: BLE001 - met again, and reported, by the builder that reads it
        log.debug("warming %s failed", cache, exc_info=True)


_kept: dict[tuple[Hashable, ...], Ahead[Any]] = {}


def keep(ahead: Ahead[Any] | None) -> None:
    """Keep what was read ahead (in this process) for :func:`take`."""
    if ahead is not None:
        _kept[ahead.key] = ahead


def take(reader: Callable[..., T], path: Path, *args: Hashable) -> T:
    """``reader(path, *args)``: as read ahead in this process when ``path`` is unchanged since, else read now."""
    found = ready(reader, path, *args)
    return found if found is not None else reader(path, *args)


def ready(reader: Callable[..., T], path: Path, *args: Hashable) -> T | None:
    """What ``reader(path, *args)`` gave when read ahead in this process and ``path`` is unchanged since; else None
    (for what is worth having only if it was found ahead)."""
    ahead = _kept.pop(_key(reader, path, args), None)
    return ahead.value if ahead is not None and ahead.signature == signature(path) else None  # type: ignore[no-any-return]


def forget() -> None:
    """Drop whatever was read ahead and not taken (the builders are done: a whole rebuild took none of it)."""
    _kept.clear()


def _key(reader: Callable[..., Any], path: Path, args: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
    return (reader.__module__, reader.__qualname__, str(path), *args)
