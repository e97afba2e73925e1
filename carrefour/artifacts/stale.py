"""Artifacts that describe another version's data: what a push carried (carrefour.artifacts.refresh).

Nothing may be copied from them as if they were their version's own: neither the files a
session that touched no record would carry over, nor the dumps of graphs it did not change.
"""

from __future__ import annotations

from pathlib import Path

from carrefour.store.base import Writer

STALE_FILE = "STALE"


def stale_of(artifacts: Path | None) -> str | None:
    """The version whose data ``artifacts`` describe, when it is not their own; None when they are current."""
    if artifacts is None:
        return None
    try:
        return (artifacts / STALE_FILE).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def current_previous(writer: Writer) -> Path | None:
    """The previous version's artifacts when they are that version's own (not carried), else None."""
    previous = writer.previous.info.artifacts if writer.previous is not None else None
    return previous if stale_of(previous) is None else None
