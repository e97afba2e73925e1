"""Regular expressions with pySHACL's meaning, evaluated mostly by the store.

pySHACL tests ``sh:pattern`` and rdflib evaluates SPARQL ``REGEX`` with Python's
``re.search``; Oxigraph runs Rust's regex engine.  For patterns written in a common
subset (literal characters, classes, ``\\d \\s \\w \\b``, groups, alternation,
repetition, ``^`` and ``$``) the two agree on printable ASCII text, and they differ
elsewhere: Python's ``$`` also matches before a final newline, its ``\\s`` includes
``\\x1c``–``\\x1f``, Unicode classes differ.  So the store only *suspects* a value
(no Rust match, or some character outside printable ASCII) and Python has the last
word on the suspects; a pattern outside the subset is left to Python entirely.
"""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox

OUTSIDE_PRINTABLE_ASCII = "[^ -~]"  # a SPARQL REGEX: the text holds a character the engines may read differently
PYTHON_REGEX = ox.NamedNode("urn:x-carrefour:function:python-regex")  # custom function: rdflib's REGEX

_CLASS_ESCAPES = set("dDsSwWntrfv")
_ESCAPES = _CLASS_ESCAPES | set("bB")
_PUNCTUATION_ESCAPES = set("\\.^$|?*+()[]{}-/:#")
_QUANTIFIER = re.compile(r"(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})\??")
_SPARQL_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE}  # rdflib's REGEX reads these
_PATTERN_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE}  # pySHACL's sh:flags reads these


def honoured_flags(flags: str, pattern_constraint: bool) -> str:
    """The XPath flags Python honours, as pySHACL reads sh:flags or rdflib reads REGEX flags; the rest are ignored."""
    table = _PATTERN_FLAGS if pattern_constraint else _SPARQL_FLAGS
    given = flags.lower() if pattern_constraint else flags
    return "".join(sorted({flag for flag in given if flag in table}))


def python_flags(flags: str) -> int:
    """Python ``re`` flags for honoured XPath flags."""
    value = 0
    for flag in flags:
        value |= _SPARQL_FLAGS[flag]
    return value


@cache
def same_on_ascii(pattern: str) -> bool:
    """True when Python and Rust give ``pattern`` the same meaning on printable ASCII text."""
    position, length = 0, len(pattern)
    after_atom = False
    while position < length:
        char = pattern[position]
        if not " " <= char <= "~":
            return False
        if char == "\\":
            escaped = pattern[position + 1 : position + 2]
            if not (escaped in _ESCAPES or escaped in _PUNCTUATION_ESCAPES):
                return False
            if escaped in "bB" and pattern[position + 2 : position + 3] == "{":
                return False  # Rust reads \b{start} as a special boundary
            position, after_atom = position + 2, escaped not in "bB"
            continue
        if char == "[":
            end = _class_end(pattern, position)
            if end is None:
                return False
            position, after_atom = end, True
            continue
        if char == "(":
            if pattern[position + 1 : position + 2] == "?" and pattern[position + 1 : position + 3] != "?:":
                return False  # look-arounds, named groups, inline flags
            position += 3 if pattern[position + 1 : position + 2] == "?" else 1
            after_atom = False
            continue
        quantifier = _QUANTIFIER.match(pattern, position)
        if quantifier is not None:
            if not after_atom:
                return False
            position = quantifier.end()
            if pattern[position : position + 1] in ("+", "*", "?", "{"):
                return False  # possessive or stacked repetition
            after_atom = False
            continue
        if char in "{}":
            return False  # a brace that is not a counted repetition: Python reads it literally, Rust refuses it
        position += 1
        after_atom = char not in "|(^$"
    return True


def _class_end(pattern: str, start: int) -> int | None:
    """The position after a character class ``[...]`` in the common subset, or None."""
    position = start + 1
    if pattern[position : position + 1] == "^":
        position += 1
    first = position
    while position < len(pattern):
        char = pattern[position]
        if not " " <= char <= "~" or char == "[":
            return None
        if char == "]":
            return position + 1 if position > first else None
        if pattern[position : position + 2] in ("&&", "--", "~~"):
            return None  # set operations in Rust, literal characters in Python
        if char == "\\":
            escaped = pattern[position + 1 : position + 2]
            if not (escaped in _CLASS_ESCAPES or escaped in _PUNCTUATION_ESCAPES):
                return None
            position += 2
            continue
        position += 1
    return None


@cache
def compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def python_regex(text: ox.Literal, pattern: ox.Literal, flags: ox.Literal | None = None) -> ox.Literal | None:
    """SPARQL ``REGEX`` as rdflib evaluates it (``re.search``); None (an error) for non-string arguments."""
    for argument in (text, pattern, flags):
        if argument is not None and not _is_string(argument):
            return None
    options = python_flags(honoured_flags(flags.value, pattern_constraint=False)) if flags is not None else 0
    try:
        matcher = compiled(pattern.value, options)
    except re.error:
        return None
    return ox.Literal(bool(matcher.search(text.value)))


def _is_string(term: object) -> bool:
    return isinstance(term, ox.Literal) and (
        term.language is not None or term.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
    )
