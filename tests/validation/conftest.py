"""Both validation engines, and the comparison every equivalence test makes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pyoxigraph as ox
import pytest

from carrefour.vocab import Hub
from loader.validation import Finding, Report, Validator
from tests.support.rdf import vocabulary_iris


@pytest.fixture(scope="session")
def fast(hub: Hub) -> Validator:
    return Validator(hub)


@pytest.fixture(scope="session")
def reference(hub: Hub) -> Validator:
    return Validator(hub, engine="pyshacl")


def parse_turtle(text: str, hub: Hub) -> list[ox.Quad]:
    return list(ox.parse(vocabulary_iris(text, hub), format=ox.RdfFormat.TURTLE, base_iri=hub.base))


def assert_same_findings(fast_report: Report, reference_report: Report) -> None:
    """Same findings, one for one: focus, path, severity, shape, component, value and both messages."""
    fast_findings, reference_findings = Counter(fast_report.findings), Counter(reference_report.findings)
    only_fast = sorted((fast_findings - reference_findings).elements(), key=Finding.order)
    only_reference = sorted((reference_findings - fast_findings).elements(), key=Finding.order)
    lines = [f"fast only: {f}" for f in only_fast[:15]] + [f"pyshacl only: {f}" for f in only_reference[:15]]
    assert not lines, (
        f"{len(only_fast)} finding(s) only from the fast engine, {len(only_reference)} only from pySHACL\n"
        + ("\n".join(lines))
    )
    assert fast_report.rejected_records() == reference_report.rejected_records()


def validate_both(
    fast: Validator,
    reference: Validator,
    data: Sequence[ox.Quad | ox.Triple],
    extra_context: Sequence[ox.Quad | ox.Triple] = (),
) -> Report:
    """Validate with both engines, check they agree, and return the fast engine's report."""
    fast_report = fast.validate(data, extra_context)
    assert_same_findings(fast_report, reference.validate(data, extra_context))
    return fast_report
