"""Numbers, amounts, dates and counted nouns as French and English write them (no server)."""

from __future__ import annotations

import pytest

from carrefour.vocab import XSD
from server.display import amount, byte_size, literal_text, number, when
from server.i18n import counted, tally

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        ("6000000", f"6{NNBSP}000{NNBSP}000", "6,000,000"),
        ("130", "130", "130"),
        ("-1234.50", f"-1{NNBSP}234,5", "-1,234.5"),
        (0.1, "0,1", "0.1"),
        ("n/a", "n/a", "n/a"),
    ],
)
def test_numbers(value: str | float, french: str, english: str) -> None:
    assert number(value, "fr") == french and number(value, "en") == english


def test_amounts_sizes_and_dates() -> None:
    assert amount("6000000", "fr") == f"6{NNBSP}000{NNBSP}000{NBSP}€" and amount("6000000", "en") == "€6,000,000"
    assert byte_size(273_900, "fr") == f"273,9{NBSP}ko" and byte_size(273_900, "en") == f"273.9{NBSP}kB"
    assert when("2026-12-06", "fr") == "6 décembre 2026" and when("2026-12-01", "fr") == "1er décembre 2026"
    assert when("2026-12-06T09:42:32Z", "fr") == "6 décembre 2026 à 09:42 UTC"
    assert when("2026-12-06T10:42:32+01:00", "en") == "6 December 2026, 09:42 UTC"
    assert literal_text("2010", XSD + "gYear", "fr") == "2010"
    assert literal_text("2024-03", XSD + "gYearMonth", "fr") == "mars 2024"
    assert literal_text("true", XSD + "boolean", "fr") == "oui"


def test_counted_nouns_follow_each_languages_plural() -> None:
    assert counted("fr", 1, "result") == "1 résultat" and counted("fr", 0, "result") == "0 résultat"
    assert counted("en", 1, "result") == "1 result" and counted("en", 0, "result") == "0 results"
    assert counted("fr", 2000, "actor") == f"2{NNBSP}000 acteurs"
    kinds = {"initiative": 66, "programme": 1, "actor": 7}
    assert tally("fr", kinds) == "66 initiatives dont 1 dispositif d'accompagnement, 7 acteurs"
    assert tally("en", kinds) == "66 initiatives including 1 support programme, 7 actors"
