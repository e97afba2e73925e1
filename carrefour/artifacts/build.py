"""Artifacts derived from each published version: statistics, and whatever else serves it.

Builders run inside the write session, after the graphs are in place and before the
version is published, so that a version and its artifacts appear together.  The search
index, the facets, the catalogue, the places and the calls read the whole store: the session's
two processes share them.  A helper process (carrefour.store.helper) builds them one by one from a
checkpoint of the session, the costliest first, while this one writes the statistics and the dumps
(which serialise what the session wrote, from its memory), then builds, costliest first, those the
helper has not begun; each builder is claimed by whichever process comes to it first
(:func:`claim`), so that neither waits while the other has two to build.
When the session changed nothing those builders read (a harvest that found every record
unchanged only writes its own account: the activity, the report), their files are copied
from the previous version instead; when it changed a few records, the catalogue, the places,
the search index and the facets are the previous version's brought up to date for them
(:mod:`carrefour.artifacts.changes`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carrefour.artifacts import read_ahead
from carrefour.artifacts.calls import CALLS_FILE, build_calls
from carrefour.artifacts.catalogue import CATALOGUE_FILE, ENTRIES_FILE, build_catalogue
from carrefour.artifacts.changes import RecordChanges, account_touches, record_changes
from carrefour.artifacts.dumps import DUMPS_DIR, build_dumps, intact_dumps, located_dumps
from carrefour.artifacts.facets import FACETS_FILE, build_facets
from carrefour.artifacts.ontology import build_ontology
from carrefour.artifacts.places import FRANCE_MAP_FILE, PLACES_FILE, build_places, rows_in
from carrefour.artifacts.search import SEARCH_FILE, build_search
from carrefour.artifacts.stale import current_previous
from carrefour.artifacts.stats import build_stats
from carrefour.catalogue.entries import entry_lines
from carrefour.centres import centres
from carrefour.memory import collection_paused
from carrefour.store.base import Snapshot, Writer
from carrefour.store.helper import Helper, Pending
from carrefour.vocab import Hub

log = logging.getLogger(__name__)
Builder = Callable[[Writer, Hub], None]
# In the order both processes take them: the costliest first (at 40,000 records: 24, 8.4, 6.2, 3.3 and 0.02 s).
HELPED: tuple[Builder, ...] = (build_catalogue, build_places, build_facets, build_search, build_calls)
OWN: tuple[Builder, ...] = (build_stats, build_ontology, build_dumps)
BUILDERS = (*OWN, *HELPED)
# Those that bring the previous version's index up to date when a session changed only records
# (carrefour.artifacts.changes): they are given the records changed.
UPDATING: frozenset[Builder] = frozenset({build_catalogue, build_places, build_search, build_facets})
# What a machine can rebuild from the store alone when it lacks a version's artifacts
# (carrefour.store.remote_artifacts); the dumps read the whole store and are not among them.
REBUILDABLE = (build_stats, build_ontology, build_search, build_facets, build_catalogue, build_places, build_calls)
HELPED_FILES = {
    build_search: (SEARCH_FILE,),
    build_facets: (FACETS_FILE,),
    build_catalogue: (CATALOGUE_FILE, ENTRIES_FILE),
    build_places: (PLACES_FILE, FRANCE_MAP_FILE),
    build_calls: (CALLS_FILE,),
}


def builder_name(builder: Builder) -> str:
    """What the timings call a builder: ``build_catalogue`` -> ``catalogue``."""
    return builder.__name__.removeprefix("build_")


def carried_over(writer: Writer, hub: Hub) -> Path | None:
    """The previous version's artifacts, when the session touched nothing the helped builders read."""
    touched: set[str] | None = getattr(writer, "touched", None)
    previous = current_previous(writer)
    if touched is None or previous is None or not touched <= account_touches(hub):
        return None
    files = [previous / name for names in HELPED_FILES.values() for name in names]
    return previous if all(path.is_file() for path in files) else None


def carry_over(writer: Writer, previous: Path) -> dict[str, float]:
    """Copy the helped builders' files of the previous version (copies: a version's files are its own)."""
    seconds = {}
    for builder, names in HELPED_FILES.items():
        clock = time.perf_counter()
        for name in names:
            shutil.copyfile(previous / name, writer.artifacts / name)
        seconds[builder_name(builder)] = time.perf_counter() - clock
    return seconds


def run_builders(
    view: Snapshot, builders: Sequence[Builder], hub: Hub, changes: RecordChanges | None = None
) -> dict[str, float]:
    """Run ``builders`` on ``view`` (a writer, or a checkpoint of one); the seconds each took."""
    seconds = {}
    for builder in builders:
        clock = time.perf_counter()
        with collection_paused():
            if builder in UPDATING:
                builder(view, hub, changes)  # type: ignore[arg-type, call-arg]
            else:
                builder(view, hub)  # type: ignore[arg-type]  # a checkpoint view has the writer's artifacts folder
        seconds[builder_name(builder)] = time.perf_counter() - clock
    return seconds


def claim(claims: Path, builder: Builder) -> bool:
    """Whether this process is the first to come to ``builder`` (an exclusive creation: one process wins)."""
    try:
        (claims / builder.__name__).open("x").close()
    except FileExistsError:
        return False
    return True


def run_claimed(
    view: Snapshot, builders: Sequence[Builder], hub: Hub, claims: Path, changes: RecordChanges | None = None
) -> dict[str, float]:
    """Run, in order, each of ``builders`` no other process has claimed; the seconds each took (then whatever
    was read ahead for them and not taken is dropped)."""
    seconds = {}
    try:
        for builder in builders:
            if claim(claims, builder):
                seconds.update(run_builders(view, (builder,), hub, changes))
    finally:
        read_ahead.forget()
    return seconds


Ahead = list[read_ahead.Ahead[Any] | None]  # what the helper read ahead for the session's process


def read_previous(previous: Path, hub: Hub) -> Ahead:
    """Run in the helper process while the session maps: what the builders it will run read of the previous
    version, kept there for them; and, for the session's process, the check of the previous dumps and where each
    subject's lines are in them."""
    read_ahead.keep(read_ahead.read(entry_lines, previous / ENTRIES_FILE, hub))
    read_ahead.keep(read_ahead.read(rows_in, previous / PLACES_FILE))
    read_ahead.warm(centres)
    return [read_ahead.read(intact_dumps, previous / DUMPS_DIR), read_ahead.read(located_dumps, previous / DUMPS_DIR)]


def read_ahead_of(writer: Writer, hub: Hub, helper: Helper) -> Pending[Ahead | None] | None:
    """Have the helper read the previous version's artifacts while the session maps (for
    :func:`build_artifacts`); None when there is no helper process or no previous version of the hub's own."""
    previous = current_previous(writer)
    return helper.prepare(read_previous, previous, hub) if previous is not None else None


def build_artifacts(
    writer: Writer, hub: Hub, helper: Helper | None = None, ahead: Pending[Ahead | None] | None = None
) -> dict[str, float]:
    """Run every artifact builder on the version being written; the seconds each took.

    ``artifacts`` is the wall time of the whole step (the helper's builders overlap this process's); ``ahead``:
    what the helper read ahead (:func:`read_ahead_of`).
    """
    if helper is None:
        with Helper(writer) as own:
            return build_artifacts(writer, hub, own)
    clock = time.perf_counter()
    previous = carried_over(writer, hub)
    if previous is not None:
        seconds = carry_over(writer, previous)
        seconds.update(run_builders(writer, OWN, hub))
        seconds["artifacts"] = time.perf_counter() - clock
        return seconds
    changes = record_changes(writer, hub)
    for found in (ahead.result() if ahead is not None else None) or ():
        read_ahead.keep(found)
    with tempfile.TemporaryDirectory(prefix="claims-", dir=writer.artifacts.parent) as folder:
        claims = Path(folder)
        helped = helper.submit(run_claimed, HELPED, hub, claims, changes)
        seconds = run_builders(writer, OWN, hub)
        here = run_claimed(writer, HELPED, hub, claims, changes)
        for name in here:
            log.debug("%s built by the session's process", name)
        seconds.update(here)
        seconds.update(helped.result())  # a helper that died: its work is done here, below
    missing = [builder for builder in HELPED if builder_name(builder) not in seconds]
    seconds.update(run_builders(writer, missing, hub, changes))
    seconds["artifacts"] = time.perf_counter() - clock
    return seconds
