"""Property-based fuzzing of the readers, the mapping, the SPARQL gate and the web routes (hypothesis)."""

from __future__ import annotations

import pytest

from bench.reliability.fuzz import (
    SEEDS,
    http_targets,
    mapping_check,
    mutations,
    reader_check,
    records,
    run_property,
    sparql_gate_check,
    sparql_texts,
)
from bench.reliability.server import Served, server_errors_logged

EXAMPLES = 60


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_a_reader_given_any_bytes_reads_or_fails_clearly(fmt: str) -> None:
    result = run_property(f"reader {fmt}", mutations(SEEDS[fmt]), reader_check(fmt), EXAMPLES)
    assert result.tried >= EXAMPLES and not result.failures, result.failures


def test_the_mapping_given_any_record_never_crashes() -> None:
    result = run_property("mapping", records, mapping_check(), EXAMPLES * 2)
    assert result.tried >= EXAMPLES and not result.failures, result.failures


def test_the_sparql_gate_never_lets_an_update_through() -> None:
    result = run_property("gate", sparql_texts, sparql_gate_check, EXAMPLES * 3)
    assert result.tried >= EXAMPLES and not result.failures, result.failures


def test_a_failing_property_is_reported_with_its_input() -> None:
    def check(value: int) -> None:
        assert value < 5, f"too big: {value}"

    from hypothesis import strategies as st

    result = run_property("self-check", st.integers(0, 100), check, 50)
    assert result.failures and "too big: 5" in result.failures[0]


def test_no_path_header_parameter_or_query_text_gets_a_server_error(served: Served) -> None:
    for result in http_targets(served, EXAMPLES, "/partner/feed-a"):
        assert result.tried >= EXAMPLES and not result.failures, (result.name, result.failures)
    assert not server_errors_logged(served)
