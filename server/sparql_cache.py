"""Answers to public SPARQL queries, kept in memory until the next publication.

The data only changes when a harvest publishes a new version, so an answer is
valid for as long as its version is the published one: the cache is keyed by the
version and emptied when the version changes, bounded by a byte budget (least
recently used answers go first).  Answers are keyed by the gate's canonical text, so
two spellings of one query share an answer; queries whose answer can change within
a version are never cached (``GatedQuery.cacheable``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from carrefour.store.base import QueryAnswer
from server.memo import VersionCache


@dataclass(frozen=True)
class AnswerKey:
    """Everything an answer depends on, besides the dataset version."""

    text: str
    result_format: str  # the negotiated format for this query's form
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    cap: int
    max_bytes: int

    def digest(self, version: str) -> str:
        """A short stable name of this answer in this version (the ETag)."""
        limits = [str(self.cap), str(self.max_bytes)]
        parts = [version, self.text, self.result_format, *self.default_graphs, "|", *self.named_graphs, *limits]
        return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


class AnswerCache(VersionCache[AnswerKey, QueryAnswer]):
    """Answers of the current version, within ``max_bytes`` (their bodies and query texts)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, lambda key, answer: len(answer.body) + len(key.text))
