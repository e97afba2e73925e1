"""The gate and the engines read generated hostile texts alike (bench/reliability/gate_fuzz.py at CI size).

A listener on another loopback port stands for an internal host: whenever an engine's
own reading of a text reaches it (or calls a store function), the gate must have refused
the text; whatever the gate let through reaches nothing when it runs.
"""

from __future__ import annotations

import pytest

from bench.reliability.gate_fuzz import run
from tests.support import virtuoso


def test_the_gate_agrees_with_oxigraph_on_generated_hostile_texts() -> None:
    outcome = run(examples=3000, virtuoso_examples=0)
    figures = {f.name: f for f in outcome.figures}
    assert figures["Oxigraph: texts tried"].value == "3000"
    assert figures["Oxigraph: texts the engine reads as reaching out"].ok  # the check can see a leak
    assert figures["Oxigraph: disagreements (accepted, engine reaches out)"].value == "0", outcome.notes


@pytest.mark.virtuoso
@pytest.mark.skipif(not virtuoso.available(), reason=virtuoso.NOT_INSTALLED)
def test_the_gate_agrees_with_virtuoso_on_generated_hostile_texts() -> None:
    outcome = run(examples=0, virtuoso_examples=600)
    figures = {f.name: f for f in outcome.figures}
    assert figures["Virtuoso: texts tried"].value == "600"
    assert figures["Virtuoso: texts the engine reads as reaching out"].ok
    assert figures["Virtuoso: disagreements (accepted, engine reaches out)"].value == "0", outcome.notes
