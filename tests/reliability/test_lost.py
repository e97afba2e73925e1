"""After every other reliability test abused it, the hub equals a fresh harvest of the same feeds."""

from __future__ import annotations

from bench.reliability.hub import SuiteHub
from bench.reliability.lost import compare, fresh_like, run_lost


def test_nothing_was_lost(suite_hub: SuiteHub) -> None:
    out = run_lost(suite_hub)
    print("\n" + "\n".join(f"{f.name}: {f.value}" for f in out.figures))
    assert out.ok, out.notes


def test_the_comparison_sees_a_changed_graph(suite_hub: SuiteHub, tmp_path) -> None:
    fresh = fresh_like(suite_hub, tmp_path / "fresh")
    fresh.use_edition(1)
    fresh.harvest()  # the other edition: the feed graphs differ by a few records
    result = compare(suite_hub, fresh)
    assert any("graph/partner/feed-a" in d for d in result.differences), result.differences
