"""Memories of a web worker that are only valid for one published version.

The data only changes when a new version is published, so what is derived from a
whole version (vocabulary labels, the JSON-LD context, facet counts) is computed
once per version, and costly per-resource lists (the thousands of initiatives of a
theme, read again for each of their pages) are kept in a small LRU keyed by version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


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
