"""Artifacts derived from each published version: statistics, and whatever else serves it.

Builders run inside the write session, after the graphs are in place and before the
version is published, so that a version and its artifacts appear together.  The search
index, the facets, the catalogue, the places and the calls read the whole store: a helper
process builds them from a checkpoint of the session (carrefour.store.helper) while this one
writes the statistics and the dumps (which serialise what the session wrote, from its memory).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from carrefour.artifacts.calls import build_calls
from carrefour.artifacts.catalogue import build_catalogue
from carrefour.artifacts.dumps import build_dumps
from carrefour.artifacts.facets import build_facets
from carrefour.artifacts.ontology import build_ontology
from carrefour.artifacts.places import build_places
from carrefour.artifacts.search import build_search
from carrefour.artifacts.stats import build_stats
from carrefour.store.base import Snapshot, Writer
from carrefour.store.helper import Helper
from carrefour.vocab import Hub

Builder = Callable[[Writer, Hub], None]
HELPED: tuple[Builder, ...] = (build_search, build_facets, build_catalogue, build_places, build_calls)
OWN: tuple[Builder, ...] = (build_stats, build_ontology, build_dumps)
BUILDERS = (*OWN, *HELPED)
# What a machine can rebuild from the store alone when it lacks a version's artifacts
# (carrefour.store.remote_artifacts); the dumps read the whole store and are not among them.
REBUILDABLE = (build_stats, build_ontology, build_search, build_facets, build_catalogue, build_places, build_calls)


def run_builders(view: Snapshot, builders: Sequence[Builder], hub: Hub) -> dict[str, float]:
    """Run ``builders`` on ``view`` (a writer, or a checkpoint of one); the seconds each took."""
    seconds = {}
    for builder in builders:
        clock = time.perf_counter()
        builder(view, hub)  # type: ignore[arg-type]  # a checkpoint view has the writer's artifacts folder
        seconds[builder.__name__.removeprefix("build_")] = time.perf_counter() - clock
    return seconds


def build_artifacts(writer: Writer, hub: Hub, helper: Helper | None = None) -> dict[str, float]:
    """Run every artifact builder on the version being written; the seconds each took.

    ``artifacts`` is the wall time of the whole step (the helper's builders overlap this process's).
    """
    if helper is None:
        with Helper(writer) as own:
            return build_artifacts(writer, hub, own)
    clock = time.perf_counter()
    helped = helper.submit(run_builders, HELPED, hub)
    seconds = run_builders(writer, OWN, hub)
    seconds.update(helped.result())
    seconds["artifacts"] = time.perf_counter() - clock
    return seconds
