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


def _hit(word: str, keys_wanted: set[str], last: str) -> bool:
    lower = word.lower()
    return bool(set(keys(lower)) & keys_wanted) or bool(last and len(last) > 2 and fold(lower).startswith(last))


def mark(text: str, search: tuple[set[str], str]) -> str:
    """``text`` with every searched word marked."""
    if not search[0]:
        return text
    return _WORD.sub(lambda m: f"{MARK_START}{m[0]}{MARK_END}" if _hit(m[0], *search) else m[0], text)


def snippet(text: str, search: tuple[set[str], str]) -> str:
    """About ``WIDTH`` words of ``text`` around the most searched words, marked; the start when none is there."""
    found = list(_WORD.finditer(text))
    if len(found) <= WIDTH:
        return mark(text, search)
    hits = [n for n, m in enumerate(found) if search[0] and _hit(m[0], *search)]
    start = max((n for n in hits), key=lambda n: sum(1 for h in hits if n <= h < n + WIDTH), default=0)
    start = max(0, min(start - 3, len(found) - WIDTH))
    end = min(len(found), start + WIDTH)
    begin, finish = found[start].start(), found[end - 1].end()
    return ("…" if begin else "") + mark(text[begin:finish], search) + ("…" if finish < len(text) else "")


def has_mark(text: str) -> bool:
    return MARK_START in text
