"""What a catalogue view shows, as its URL says it: text, filters, sort, page.

The whole state is in the query string, so a view can be shared, bookmarked and
reached again with the back button: ``/search?q=tiers+lieux&theme=health&theme=culture
&territory=region/53&sort=name&page=2``.  A facet named twice means either value; two
facets mean both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

FILTERS = ("kind", "theme", "audience", "method", "support", "actor-type", "legal-form", "status", "stage",
           "partner", "territory")  # fmt: skip
SORTS = ("relevance", "name", "distance", "modified")
MAX_TEXT = 200
MAX_VALUES = 30  # per facet
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,99}")
_NEAR = re.compile(r"(-?[0-9]{1,2}(?:\.[0-9]{1,8})?),(-?[0-9]{1,3}(?:\.[0-9]{1,8})?)")


@dataclass(frozen=True)
class Query:
    text: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, codes), facets in FILTERS order
    sort: str = ""  # "" is the default: relevance with text, else by name
    near: tuple[float, float] | None = None  # (lat, lon) the distance is measured from
    literal: bool = False  # places in the text are words, not filters
    page: int = 1

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    def toggled(self, facet: str, code: str) -> Query:
        """The query with ``code`` added to ``facet``'s values, or removed if it was there; back to page 1."""
        chosen = self.selected(facet)
        codes = tuple(c for c in chosen if c != code) if code in chosen else (*chosen, code)
        return self.with_filter(facet, codes)

    def with_filter(self, facet: str, codes: tuple[str, ...]) -> Query:
        filters = dict(self.filters) | {facet: codes}
        ordered = tuple((name, filters[name]) for name in FILTERS if filters.get(name))
        return replace(self, filters=ordered, page=1)

    def params(self) -> list[tuple[str, str]]:
        """The query string's pairs, in a stable order (the page's own URL, its links, its cache key)."""
        pairs = [("q", self.text)] if self.text else []
        pairs += [(facet, code) for facet, codes in self.filters for code in codes]
        if self.literal:
            pairs.append(("literal", "1"))
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.near is not None:
            pairs.append(("near", f"{self.near[0]:g},{self.near[1]:g}"))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, path: str, lang: str, **extra: str) -> str:
        """``path`` with this query (and ``extra`` pairs, such as ``format``) in the page's language."""
        pairs = self.params() + list(extra.items()) + ([("lang", lang)] if lang != "fr" else [])
        return f"{path}?{urlencode(pairs)}" if pairs else path


def parse_query(args: MultiDict[str, str], page: int) -> Query:
    """The view a request's query string asks for.

    :raises BadRequest: an unknown sort, a malformed ``near`` or filter value, too many values (400).
    """
    filters = []
    for facet in FILTERS:
        codes = tuple(dict.fromkeys(code.strip() for code in args.getlist(facet) if code.strip()))
        if len(codes) > MAX_VALUES or not all(_CODE.fullmatch(code) for code in codes):
            raise BadRequest(f"{facet}: at most {MAX_VALUES} values, each a code such as health or region/53")
        if codes:
            filters.append((facet, codes))
    sort = args.get("sort", "")
    if sort and sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    near = None
    if args.get("near"):
        found = _NEAR.fullmatch(args["near"])
        if found is None or abs(float(found[1])) > 90 or abs(float(found[2])) > 180:
            raise BadRequest("near must be latitude,longitude in degrees, such as 48.11,-1.68")
        near = (float(found[1]), float(found[2]))
    text = " ".join(args.get("q", "")[:MAX_TEXT].split())
    return Query(text, tuple(filters), sort, near, args.get("literal") == "1", page)
