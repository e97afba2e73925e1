"""Edits to the hub's own query texts never land inside a string or a comment."""

from __future__ import annotations

from carrefour.sparql_text import bind_values, split_prologue


def test_the_prologue_is_split_from_the_query_it_declares_prefixes_for() -> None:
    prologue, rest = split_prologue('PREFIX select: <http://e/select#>\nSELECT ?s WHERE { ?s select:x "SELECT" }')
    assert prologue == "PREFIX select: <http://e/select#>\n"
    assert rest == 'SELECT ?s WHERE { ?s select:x "SELECT" }'


def test_values_are_bound_in_the_first_group_not_in_a_string_or_comment() -> None:
    query = 'SELECT ?s WHERE # { not here\n { ?s <http://e/p> "{" }'
    bound = bind_values(query, {"s": "<http://e/a>"})
    assert bound == 'SELECT ?s WHERE # { not here\n { VALUES (?s) { (<http://e/a>) }  ?s <http://e/p> "{" }'
