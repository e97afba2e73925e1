"""Artifacts derived from each published version: statistics, and whatever else serves it.

Builders run inside the write session, after the graphs are in place and before the
version is published, so that a version and its artifacts appear together.
"""

from __future__ import annotations

import time

from carrefour.artifacts.dumps import build_dumps
from carrefour.artifacts.facets import build_facets
from carrefour.artifacts.search import build_search
from carrefour.artifacts.stats import build_stats
from carrefour.store.base import Writer
from carrefour.vocab import Hub

BUILDERS = (build_stats, build_search, build_facets, build_dumps)
# What a machine can rebuild from the store alone when it lacks a version's artifacts
# (carrefour.store.remote_artifacts); the dumps read the whole store and are not among them.
REBUILDABLE = (build_stats, build_search, build_facets)


def build_artifacts(writer: Writer, hub: Hub) -> dict[str, float]:
    """Run every artifact builder on the version being written; the seconds each took."""
    seconds = {}
    for builder in BUILDERS:
        clock = time.perf_counter()
        builder(writer, hub)
        seconds[builder.__name__.removeprefix("build_")] = time.perf_counter() - clock
    return seconds
