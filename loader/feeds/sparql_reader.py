"""A partner's SPARQL endpoint, read page by page with the SPARQL 1.1 protocol (POST).

The partner's query (SELECT or CONSTRUCT, with a stable ORDER BY) is sent with
``LIMIT page_size OFFSET n`` until a page comes back short (SELECT) or empty
(CONSTRUCT).  SELECT rows are records (``group_by`` merges the rows of one
resource, multi-valued properties giving several rows); CONSTRUCT results are
gathered, then their resources of ``record_types`` become records, as for RDF files.
Queries go through the partner's fetcher, so the endpoint is held to the same
egress rules, delay and limits as any other partner request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from carrefour.errors import HarvestError
from loader.feeds.fetch import Fetcher
from loader.feeds.items import Problem, Record
from loader.feeds.resources import resource_records
from loader.feeds.spec import FeedSpec

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


def _is_select(query: str) -> bool:
    form = re.search(r"\b(SELECT|CONSTRUCT)\b", query, re.IGNORECASE)
    return form is not None and form.group(1).upper() == "SELECT"


class Endpoint:
    """One partner endpoint, with the hub's limits applied to every request."""

    def __init__(self, spec: FeedSpec, fetcher: Fetcher) -> None:
        self.spec = spec
        self.fetcher = fetcher
        self.settings = fetcher.settings

    def run(self, query: str, accept: str) -> bytes:
        """The raw answer to ``query``, in the media type ``accept``.

        :raises HarvestError: unreachable, refused, too slow or too large.
        """
        return self.fetcher.post(self.spec.source, {"query": query}, accept)

    def pages(self) -> Iterator[tuple[int, str]]:
        """(offset, query) of each page, at most HARVEST_MAX_PAGES of them."""
        for number in range(self.settings.max_pages):
            offset = number * self.spec.page_size
            yield offset, f"{self.spec.query.rstrip()}\nLIMIT {self.spec.page_size}\nOFFSET {offset}"


def _binding_value(binding: dict[str, Any]) -> Any:
    if binding.get("type") == "uri":
        return binding["value"]
    if binding.get("type") == "bnode":
        return "_:" + binding["value"]
    if binding.get("xml:lang"):
        return {"@value": binding["value"], "@language": binding["xml:lang"]}
    return binding["value"]


def _merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of one resource as one record: each variable's distinct values, in a stable order."""
    values: dict[str, list[Any]] = {}
    for row in rows:
        for name, value in row.items():
            found = values.setdefault(name, [])
            if value not in found:
                found.append(value)
    merged: dict[str, Any] = {}
    for name, found in values.items():
        found.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        merged[name] = found[0] if len(found) == 1 else found
    return merged


def _select(endpoint: Endpoint) -> Iterator[Record | Problem]:
    spec = endpoint.spec
    group: list[dict[str, Any]] = []
    group_key: Any = None
    number = 0
    for offset, query in endpoint.pages():
        body = endpoint.run(query, JSON)
        try:
            rows = json.loads(body)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise HarvestError(f"{spec.source}: not SPARQL JSON results (page at offset {offset}): {exc}") from exc
        for binding in rows:
            row = {name: _binding_value(value) for name, value in binding.items() if isinstance(value, dict)}
            if spec.group_by is None:
                number += 1
                yield Record(row, f"{spec.source} row {number}")
                continue
            key = row.get(spec.group_by)
            if group and key != group_key:
                yield Record(_merge(group), f"{spec.source} {spec.group_by}={group_key}")
            if not group or key != group_key:
                group, group_key = [], key
            group.append(row)
        if len(rows) < spec.page_size:
            break
    else:
        yield Problem(spec.source, f"page limit of {endpoint.settings.max_pages} reached: the rest is not read")
    if group:
        yield Record(_merge(group), f"{spec.source} {spec.group_by}={group_key}")


def _construct(endpoint: Endpoint) -> Iterator[Record | Problem]:
    spec = endpoint.spec
    quads: list[ox.Quad] = []
    for offset, query in endpoint.pages():
        body = endpoint.run(query, TURTLE)
        try:
            page = list(ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=spec.source))
        except (SyntaxError, ValueError) as exc:
            raise HarvestError(f"{spec.source}: the answer at offset {offset} is not valid Turtle: {exc}") from exc
        if not page:
            break
        quads += page
    else:
        yield Problem(spec.source, f"page limit of {endpoint.settings.max_pages} reached: the rest is not read")
    yield from resource_records(quads, spec.record_types, spec.prefixes, origin=spec.source)


def read_sparql(spec: FeedSpec, fetcher: Fetcher) -> Iterator[Record | Problem]:
    endpoint = Endpoint(spec, fetcher)
    yield from (_select(endpoint) if _is_select(spec.query) else _construct(endpoint))
