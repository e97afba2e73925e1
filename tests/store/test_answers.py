"""Answers kept within a number of rows and a number of bytes (carrefour.store.answers)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from carrefour.store.answers import select_answer


def test_one_row_past_the_byte_cap_is_cut_to_none_and_flagged() -> None:
    """One row may be as long as a whole dump: no row of it is sent, and the answer says it was cut."""
    huge = {"x": ox.Literal("a" * (512 * 1024))}
    answer = select_answer(["x"], iter([huge]), "json", cap=25, max_bytes=256 * 1024)
    assert answer.capped and json.loads(answer.body)["results"]["bindings"] == []
    small = {"x": ox.Literal("a" * 1024)}
    answer = select_answer(["x"], iter([small, small]), "json", cap=25, max_bytes=256 * 1024)
    assert not answer.capped and len(json.loads(answer.body)["results"]["bindings"]) == 2
