"""The passage of a description where the searched words are, with those words marked.

Words are compared by their French search keys (``carrefour.catalogue.french``), so
``ateliers`` marks « Atelier ».  The marks are the search index's private-use
characters (``MARK_START``, ``MARK_END``), turned into ``<mark>`` after escaping.
"""

from __future__ import annotations

import re

from carrefour.artifacts.search import MARK_END, MARK_START
from carrefour.catalogue.french import fold, keys, meaningful, words

WIDTH = 30  # words of a snippet
_WORD = re.compile(r"\w+")


def wanted(text: str) -> tuple[set[str], str]:
    """(the search keys of ``text``'s words, its last word folded: it may be unfinished)."""
    found = [word for word in words(text) if meaningful(word)]
    return {key for word in found for key in keys(word)}, fold(found[-1]) if found else ""


class _Hits:
    """Whether a word of a text is one searched for, each distinct word judged once."""

    def __init__(self, search: tuple[set[str], str]) -> None:
        self.keys, self.last = search
        self.seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            lower = word.lower()
            found = bool(set(keys(lower)) & self.keys) or (len(self.last) > 2 and fold(lower).startswith(self.last))
            self.seen[word] = found
        return found


def _mark(text: str, hit: _Hits) -> str:
    return _WORD.sub(lambda m: f"{MARK_START}{m[0]}{MARK_END}" if hit(m[0]) else m[0], text)


def mark(text: str, search: tuple[set[str], str]) -> str:
    """``text`` with every searched word marked."""
    return _mark(text, _Hits(search)) if search[0] else text


def snippet(text: str, search: tuple[set[str], str]) -> str:
    """About ``WIDTH`` words of ``text`` around the most searched words, marked; the start when none is there."""
    hit = _Hits(search)
    found = list(_WORD.finditer(text))
    if len(found) <= WIDTH:
        return _mark(text, hit) if search[0] else text
    hits = [n for n, m in enumerate(found) if search[0] and hit(m[0])]
    start = max(hits, key=lambda n: sum(1 for h in hits if n <= h < n + WIDTH), default=0)
    start = max(0, min(start - 3, len(found) - WIDTH))
    end = min(len(found), start + WIDTH)
    begin, finish = found[start].start(), found[end - 1].end()
    marked = _mark(text[begin:finish], hit) if search[0] else text[begin:finish]
    return ("…" if begin else "") + marked + ("…" if finish < len(text) else "")
