"""Answers to public queries, cut at the cap and serialised by the hub itself.

Both stores produce rows or triples their own way; from there on the same code
keeps at most ``cap`` of them and at most ``max_bytes`` of text (one row may be
a gigabyte long), says whether it cut, and writes the negotiated
format, so the public endpoint answers the same bytes whatever engine ran the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import TypeVar

import pyoxigraph as ox

from carrefour import formats
from carrefour.errors import QueryError
from carrefour.sparql_results import RESULT_FORMATS_BY_NAME, Row, serialize_boolean, serialize_select
from carrefour.store.base import QueryAnswer


def graph_format(name: str) -> formats.RdfFormatInfo:
    """The RDF format a graph answer may be written in: triples formats and JSON-LD.

    :raises QueryError: unknown, or a dataset format the answer has no graphs for.
    """
    found = formats.by_name(name)
    if found is None or found.datasets and found.name != "jsonld":
        raise QueryError(f"unsupported graph format {name!r}")
    return found


def boolean_answer(value: bool, format_name: str) -> QueryAnswer:
    fmt = RESULT_FORMATS_BY_NAME[format_name]
    return QueryAnswer("ASK", fmt.media_type, serialize_boolean(value, fmt.name), 1)


_TERM_OVERHEAD = 16  # bytes a serialisation adds around a term, roughly (quotes, brackets, a name)


T = TypeVar("T")


def _within_bytes(items: list[T], size: Callable[[T], int], max_bytes: int) -> tuple[list[T], bool]:
    """The leading items whose estimated serialisation fits in ``max_bytes``, and whether any were left out."""
    total = 0
    for index, item in enumerate(items):
        total += size(item)
        if total > max_bytes:
            return items[:index], True
    return items, False


def _row_size(row: Row) -> int:
    return sum(len(term.value) + _TERM_OVERHEAD for term in row.values())


def _triple_size(triple: ox.Triple) -> int:
    return len(str(triple))


def select_answer(
    variables: Sequence[str],
    rows: Iterable[Row],
    format_name: str,
    cap: int,
    max_bytes: int,
    cut_by_store: bool = False,
) -> QueryAnswer:
    """Keep ``cap`` rows within ``max_bytes``; ``capped`` when there were more, or when the store may have cut."""
    fmt = RESULT_FORMATS_BY_NAME[format_name]
    kept = list(islice(rows, cap + 1))
    capped = cut_by_store or len(kept) > cap
    kept, too_big = _within_bytes(kept[:cap], _row_size, max_bytes)
    body = serialize_select(variables, kept, fmt.name)
    return QueryAnswer("SELECT", fmt.media_type, body, len(kept), capped or too_big)


def graph_answer(
    triples: Iterable[ox.Triple],
    format_name: str,
    cap: int,
    prefixes: dict[str, str] | None,
    form: str,
    max_bytes: int,
    cut_by_store: bool = False,
) -> QueryAnswer:
    """Keep ``cap`` triples within ``max_bytes``, grouped by subject (serialisers group consecutive triples only)."""
    fmt = graph_format(format_name)
    kept = list(islice(triples, cap + 1))
    capped = cut_by_store or len(kept) > cap
    kept, too_big = _within_bytes(kept[:cap], _triple_size, max_bytes)
    kept = sorted(kept, key=lambda t: (str(t.subject), str(t.predicate)))
    body = ox.serialize(kept, format=fmt.oxigraph, prefixes=prefixes)
    return QueryAnswer(form, fmt.media_type, body, len(kept), capped or too_big)
