"""French text as search keys: words folded, plurals and inflections reduced to one stem.

A visitor types ``tiers-lieux``, a partner wrote ``Tiers-lieu``; ``coopératives`` and
``Coopérative``, ``emplois`` and ``emploi``, ``ateliers numériques`` and ``Atelier
numérique`` must meet.  Each word is lower-cased, its plural undone (``lieux`` → ``lieu``,
``locaux`` → ``local``: the Snowball stemmer leaves ``-x`` and many ``-s`` plurals alone),
stemmed with Snowball's French stemmer (PyStemmer), and its accents folded, at
publication for the index and at query time for the query, so both sides agree.  A word
whose stem depends on its accents (rare) gets both keys in the index, so typing it
without accents still finds it.  Small words that carry no meaning (``de``, ``la``,
``pour``) are not keys.  Words written both joined and apart (``FabLab``, ``fab lab``)
are indexed both ways.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"\w+")
_STEMMER = Stemmer.Stemmer("french")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})

_SMALL_WORDS = (
    "a au aux avec ce ces d dans de des du elle en et il ils je l la le les leur leurs lui m ma mais me mes n ne "
    "nos notre nous on ou par pas pour qu que qui s sa se ses son sur t ta te tes un une vos votre vous y "
    "pres proche proches autour vers cote "  # "près de", "autour de": the place that follows is what counts
    "an and for in of on the to with near"
)
STOPWORDS = frozenset(_SMALL_WORDS.split())


# Words written joined or apart, as partners and visitors write them.
COMPOUNDS = {
    "fablab": ("fab", "lab"),
    "tierslieu": ("tiers", "lieu"),
    "tierslieux": ("tiers", "lieux"),
    "coworking": ("co", "working"),
    "makerspace": ("maker", "space"),
    "repaircafe": ("repair", "cafe"),
}


class _CombiningMarks(dict[int, int | None]):
    """Each character met -> None when of a combining class (an accent, once decomposed: deleted by ``str.translate``),
    else itself; found the first time a character is met.  Testing each character in Python cost 30 µs a name, 1.2 s
    of a catalogue at 40,000 records; listing the 1.1 million code points first, 0.2 s of every process."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING_MARKS = _CombiningMarks()


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case without accents or ligatures: ``Œuvre Épicée`` → ``oeuvre epicee``."""
    lowered = text.lower().translate(_LIGATURES)
    if lowered.isascii():  # nothing to decompose
        return lowered
    return unicodedata.normalize("NFKD", lowered).translate(_COMBINING_MARKS)


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, accents kept (hyphens and apostrophes separate words)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower().replace("_", " "))


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("eaux", "eux", "oux")):
        return word[:-1]
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_JOINED = {tuple(_singular(part) for part in parts): joined for joined, parts in COMPOUNDS.items()}


@lru_cache(maxsize=1 << 17)
def keys(word: str) -> tuple[str, ...]:
    """The search keys of one lower-case word: one, or two when its stem depends on its accents."""
    if word.isdigit():
        return (word,)
    found = [fold(_STEMMER.stemWord(_singular(word)))]
    plain = fold(word)
    if plain != word:
        other = _STEMMER.stemWord(_singular(plain))
        if other != found[0]:
            found.append(other)
    return tuple(found)


def meaningful(word: str) -> bool:
    """Whether a word is a search key at all: not a small word, not a lone letter."""
    return fold(word) not in STOPWORDS and (len(word) > 1 or word.isdigit())


@lru_cache(maxsize=1 << 17)
def _word_keys(word: str) -> tuple[str, tuple[str, ...]]:
    """(its singular folded form, the keys it gives alone and through the compound it is): a word's share of
    ``index_text``, the same each time the word comes back (a catalogue indexes a million words, a few
    tens of thousands of them different)."""
    found = keys(word) if meaningful(word) else ()
    for part in COMPOUNDS.get(fold(word), ()):
        found += keys(part)
    return _singular(fold(word)), found


def index_text(text: str) -> str:
    """``text`` as the index stores it: its keys, separated by spaces, compounds both joined and apart."""
    found: list[str] = []
    cut = [_word_keys(word) for word in words(text)]
    for position, (singular, own) in enumerate(cut):
        found += own
        joined = _JOINED.get((singular, cut[position + 1][0] if position + 1 < len(cut) else ""))
        if joined:
            found += keys(joined)
    return " ".join(found)
