"""Partner text damaged before it reached the hub: repair what can be, recognise what cannot.

Two kinds of damage arrive in feeds.  Double encoding (UTF-8 bytes read as Latin-1 or
cp1252 and encoded again: ``BibliothÃ¨que``) loses nothing, and ftfy undoes it.  Letters
replaced by U+FFFD upstream (``Biblioth\ufffdque``) are lost: such text is published as
written and flagged, never made into an IRI, and matched tolerantly where a name must be
recognised (``loader.geo.damaged_name_pattern``).
"""

from __future__ import annotations

from typing import Any

import ftfy

REPLACEMENT = "\ufffd"


def repaired(text: str) -> str:
    """``text`` with double encoding undone; nothing else is changed (quotes, ligatures, widths stay)."""
    if text.isascii():  # no mojibake without a byte above 127: the common case, kept cheap
        return text
    return ftfy.fix_encoding(text)


def repaired_fields(value: Any) -> Any:
    """A record's fields (nested JSON included) with every text repaired."""
    if isinstance(value, str):
        return repaired(value)
    if isinstance(value, dict):
        return {key: repaired_fields(item) for key, item in value.items()}
    if isinstance(value, list):
        return [repaired_fields(item) for item in value]
    return value


def is_damaged(text: str) -> bool:
    """Letters were lost upstream (U+FFFD): no repair can bring them back."""
    return REPLACEMENT in text
