"""What a feed reader yields: records to map, or problems to report.

A problem is one unreadable part of a feed (a malformed row, a page that failed):
it is reported and the rest of the feed is read.  A feed that cannot be read at
all raises ``HarvestError`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Record:
    """One record of a partner's feed, as plain data (strings, lists, nested dicts)."""

    fields: dict[str, Any]
    origin: str  # where in the feed: "line 12", "$[3]", a page URL, a subject IRI
    url: str | None = None  # the record's own page at the partner, when the feed gives it


@dataclass(frozen=True)
class Problem:
    """A part of the feed that could not be read; the harvest reports it and goes on.

    ``skipped`` marks parts left out on purpose or gone for good (a page robots.txt
    forbids, a page on another host, a page that answers 404 Gone): they are reported,
    but the feed still counts as completely read, so records no longer listed are removed.

    ``record`` marks a problem that is one record of the feed (a malformed row, a JSON
    item that is not an object): it counts among the records read, and rejected.  A
    page, a sitemap or a page limit holds no record or many, and counts as neither.
    """

    origin: str
    message: str
    skipped: bool = False
    record: bool = False
