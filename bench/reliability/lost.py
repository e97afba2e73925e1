"""Nothing lost: the suite's store, after all it went through, equals a fresh harvest of the same feeds.

    python -m bench.reliability.lost             # compares the suite's hub with a fresh one

A fresh hub is built in a new folder the same way (``carrefour init``, the same
synthetic bulk, ``carrefour harvest`` of the same feed edition), and each named
graph of both is compared by triple count and canonical hash (RDFC-1.0 for blank
nodes).  Graphs that say *when* things happened are compared with their times
normalised (``bench.reliability.content.normalise``): provenance, the partner
reports, the dataset description.  The change feed and the history (``graph/changes``,
``graph/history``) are the graphs that legitimately differ: they record the removals
and the versions of every session the suite ran (alternating feed editions), which a
fresh hub never saw; their counts are shown, not compared.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench.published_hub import BASE
from bench.reliability.common import Outcome, hub_from, parser
from bench.reliability.content import GraphFigures, store_figures
from bench.reliability.hub import SuiteHub, build_hub
from carrefour.history.terms import history_graph
from carrefour.vocab import Graphs, Hub


def timed_graphs(graph_names: list[str]) -> frozenset[str]:
    """Graphs whose content holds times: provenance, reports, the dataset's metadata."""
    terms = Hub(BASE)
    prefixes = (terms.iri("graph", "provenance"), terms.iri("graph", "report"), terms.iri("graph", "meta"))
    return frozenset(g for g in graph_names if g.startswith(prefixes))


@dataclass
class Comparison:
    graphs: int = 0
    equal: int = 0
    differences: list[str] = field(default_factory=list)
    normalised: list[str] = field(default_factory=list)
    history: dict[str, tuple[int, int]] = field(default_factory=dict)  # graph -> (suite triples, fresh triples)
    triples: tuple[int, int] = (0, 0)


def figures_of(hub: SuiteHub) -> dict[str, GraphFigures]:
    store = hub.open_store()
    try:
        snapshot = store.snapshot()
        return store_figures(snapshot, timed_graphs([g.value for g in snapshot.graphs()]))
    finally:
        store.close()


def compare(suite: SuiteHub, fresh: SuiteHub) -> Comparison:
    history = {Graphs(Hub(BASE)).changes.value, history_graph(Hub(BASE)).value}  # they grow with every session
    mine, theirs = figures_of(suite), figures_of(fresh)
    result = Comparison(normalised=sorted(timed_graphs(list(mine))))
    result.triples = (sum(f.triples for f in mine.values()), sum(f.triples for f in theirs.values()))
    for graph in sorted(set(mine) | set(theirs)):
        if graph in history:
            result.history[graph] = (
                mine[graph].triples if graph in mine else 0,
                theirs[graph].triples if graph in theirs else 0,
            )
            continue
        result.graphs += 1
        a, b = mine.get(graph), theirs.get(graph)
        if a == b:
            result.equal += 1
        else:
            result.differences.append(
                f"{graph}: suite {a.triples if a else 'absent'} triples, fresh {b.triples if b else 'absent'}"
            )
    return result


def fresh_like(suite: SuiteHub, folder: Path) -> SuiteHub:
    """A new hub of the same sizes, its feeds replaced by the suite's (same records), harvested once."""
    shutil.rmtree(folder, ignore_errors=True)
    fresh = build_hub(folder, suite.n, suite.feed_records, log=lambda *_: None)
    return fresh


def run_lost(suite: SuiteHub, fresh_folder: Path | None = None) -> Outcome:
    """Harvest the suite's hub with edition 0 once more (its final state), then compare with a fresh hub."""
    suite.use_edition(0)
    suite.harvest()
    folder = fresh_folder or suite.folder.parent / f"{suite.folder.name}-fresh"
    fresh = fresh_like(suite, folder)
    try:
        result = compare(suite, fresh)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out = Outcome("Nothing lost: the suite's store vs a fresh harvest of the same feeds")
    out.add(
        "named graphs equal (count + canonical hash)",
        f"{result.equal} of {result.graphs}",
        "all",
        result.equal == result.graphs,
    )
    out.add("triples, suite vs fresh", f"{result.triples[0]:,} vs {result.triples[1]:,}", "", True)
    out.notes += result.differences[:10]
    out.notes.append(
        "compared with times normalised: " + ", ".join(g.rsplit("/graph/", 1)[-1] for g in result.normalised)
    )
    for graph, (a, b) in result.history.items():
        out.notes.append(f"not compared (history of the suite's harvests): {graph}: {a} triples vs {b} fresh")
    return out


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0], n=2000, feed_records=500)
    args = options.parse_args(argv)
    out = run_lost(hub_from(args))
    out.print()
    return out


if __name__ == "__main__":
    main()
