"""Memories of a web worker that are only valid for one published version.

The data only changes when a new version is published, so what is derived from a
whole version (vocabulary labels, the JSON-LD context, facet counts) is computed
once per version, costly per-resource lists (the thousands of initiatives of a
theme, read again for each of their pages) are kept in a small LRU keyed by version,
and answers (SPARQL results, resource pages) in a byte-bounded LRU emptied when the
version changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ENTRY_OVERHEAD = 256  # bytes of bookkeeping per entry, roughly
LARGEST_SHARE = 8  # an entry may take at most 1/8 of the budget, so one answer cannot flush the rest


class VersionMemo:
    """Values computed once per dataset version; forgotten when the version changes."""

    def __init__(self) -> None:
        self._version: str | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.RLock()  # factories may ask for other memorised values

    def get(self, version: str, key: Hashable, factory: Callable[[], T]) -> T:
        with self._lock:
            if version != self._version:
                self._version = version
                self._values = {}
            if key not in self._values:
                self._values[key] = factory()
            return self._values[key]  # type: ignore[no-any-return]


class LruMemo:
    """A bounded least-recently-used memory (thread-safe)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._values:
                return None
            self._values.move_to_end(key)
            return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)


class VersionCache(Generic[K, V]):
    """A thread-safe LRU of values of one dataset version at a time, bounded by their size in bytes.

    A value is only valid for the version it was computed on: a newer version empties
    the cache, and a value computed on an older one is not kept.  A budget of 0 keeps nothing.
    """

    def __init__(self, max_bytes: int, size: Callable[[K, V], int]) -> None:
        self.max_bytes = max(0, max_bytes)
        self._size = lambda key, value: size(key, value) + ENTRY_OVERHEAD
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._lock = threading.Lock()

    def _switch(self, version: str) -> None:
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: K) -> V | None:
        with self._lock:
            self._switch(version)  # a newer version makes every kept value stale
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, version: str, key: K, value: V) -> None:
        size = self._size(key, value)
        if size > self.max_bytes // LARGEST_SHARE:
            return
        with self._lock:
            if version != self._version:
                return  # computed on a version that is no longer the current one
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= self._size(key, previous)
            self._entries[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old_value = self._entries.popitem(last=False)
                self._bytes -= self._size(old_key, old_value)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes_used(self) -> int:
        return self._bytes
