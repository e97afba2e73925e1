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


class Wanted:
    """The words searched, and whether a word of a text is one of them (each distinct word judged once per page).

    The last word typed may be unfinished: a word beginning with it is marked too.
    """

    def __init__(self, text: str) -> None:
        found = [word for word in words(text) if meaningful(word)]
        self.keys = {key for word in found for key in keys(word)}
        self.last = fold(found[-1]) if found else ""
        self.seen: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.keys)

    def __call__(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            lower = word.lower()
            found = bool(set(keys(lower)) & self.keys) or (len(self.last) > 2 and fold(lower).startswith(self.last))
            self.seen[word] = found
        return found


def mark(text: str, wanted: Wanted) -> str:
    """``text`` with every searched word marked."""
    if not wanted:
        return text
    return _WORD.sub(lambda m: f"{MARK_START}{m[0]}{MARK_END}" if wanted(m[0]) else m[0], text)


def snippet(text: str, wanted: Wanted) -> str:
    """About ``WIDTH`` words of ``text`` around the most searched words, marked; the start when none is there."""
    found = list(_WORD.finditer(text))
    if len(found) <= WIDTH:
        return mark(text, wanted)
    hits = [n for n, m in enumerate(found) if wanted and wanted(m[0])]
    start = max(hits, key=lambda n: sum(1 for h in hits if n <= h < n + WIDTH), default=0)
    start = max(0, min(start - 3, len(found) - WIDTH))
    end = min(len(found), start + WIDTH)
    begin, finish = found[start].start(), found[end - 1].end()
    return ("…" if begin else "") + mark(text[begin:finish], wanted) + ("…" if finish < len(text) else "")
