"""Answers to public SPARQL queries, kept in memory until the next publication.

The data only changes when a harvest publishes a new version, so an answer is
valid for as long as its version is the published one: the cache is keyed by the
version and emptied when the version changes, bounded by a byte budget (least
recently used answers go first).  Queries whose answer can change within a version
are never cached: those calling RAND, NOW, UUID, STRUUID or BNODE, and those
reaching another endpoint with SERVICE.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from carrefour.sparql_text import QueryShape, tokenize
from carrefour.store.base import QueryAnswer

VOLATILE_FUNCTIONS = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
_ENTRY_OVERHEAD = 256  # bytes of bookkeeping per entry, roughly
_LARGEST_SHARE = 8  # an answer may take at most 1/8 of the budget, so one query cannot flush the rest


@dataclass(frozen=True)
class AnswerKey:
    """Everything an answer depends on, besides the dataset version."""

    text: str
    result_format: str  # the negotiated format for this query's form
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    cap: int

    def digest(self, version: str) -> str:
        """A short stable name of this answer in this version (the ETag)."""
        parts = [version, self.text, self.result_format, *self.default_graphs, "|", *self.named_graphs, str(self.cap)]
        return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


def is_cacheable(text: str, shape: QueryShape) -> bool:
    """Whether the answer to ``text`` only depends on the data of the version."""
    if shape.services:
        return False
    return not any(t.kind == "word" and t.text.upper() in VOLATILE_FUNCTIONS for t in tokenize(text))


class AnswerCache:
    """A thread-safe LRU of answers for one dataset version at a time."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: OrderedDict[AnswerKey, QueryAnswer] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size(key: AnswerKey, answer: QueryAnswer) -> int:
        return len(answer.body) + len(key.text) + _ENTRY_OVERHEAD

    def _switch(self, version: str) -> None:
        if version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def get(self, version: str, key: AnswerKey) -> QueryAnswer | None:
        with self._lock:
            self._switch(version)  # a newer version makes every kept answer stale
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, version: str, key: AnswerKey, answer: QueryAnswer) -> None:
        size = self._size(key, answer)
        if size > self.max_bytes // _LARGEST_SHARE:
            return
        with self._lock:
            if version != self._version:
                return  # computed on a version that is no longer the current one
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= self._size(key, previous)
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old_answer = self._entries.popitem(last=False)
                self._bytes -= self._size(old_key, old_answer)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes_used(self) -> int:
        return self._bytes
