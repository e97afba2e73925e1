"""Our result writers produce what W3C parsers read back, term for term."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from carrefour.sparql_results import RESULT_FORMATS, serialize_boolean, serialize_select

ROWS = [
    {"s": ox.NamedNode("http://e/a"), "o": ox.Literal('Café, "quoted"\n<tag>', language="fr")},
    {
        "s": ox.NamedNode("http://e/b"),
        "o": ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    },
    {"s": ox.BlankNode("b1")},
    {"o": ox.Literal("tab\there")},
]


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_select_round_trips_through_pyoxigraph(name: str) -> None:
    body = serialize_select(["s", "o"], ROWS, name)
    fmt = ox.QueryResultsFormat.from_media_type(next(f.media_type for f in RESULT_FORMATS if f.name == name))
    parsed = ox.parse_query_results(io.BytesIO(body), fmt)
    rows = [{v.value: s[v] for v in parsed.variables if s[v] is not None} for s in parsed]
    assert [r.get("o") for r in rows] == [r.get("o") for r in ROWS]
    assert [type(r.get("s")) for r in rows] == [type(r.get("s")) for r in ROWS]


def test_csv_is_rfc4180() -> None:
    body = serialize_select(["s", "o"], ROWS, "csv").decode()
    assert body.startswith("s,o\r\n")
    assert '"Café, ""quoted""\n<tag>"' in body
    assert "_:b1" in body


@pytest.mark.parametrize("name", ["json", "xml"])
@pytest.mark.parametrize("value", [True, False])
def test_boolean_round_trips(name: str, value: bool) -> None:
    fmt = ox.QueryResultsFormat.JSON if name == "json" else ox.QueryResultsFormat.XML
    assert bool(ox.parse_query_results(io.BytesIO(serialize_boolean(value, name)), fmt)) is value
