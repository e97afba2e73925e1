"""A push's version carries the previous artifacts; a later write session rebuilds them.

A push changes a handful of records, but the artifacts (catalogue, facets, search
index, places, dumps, statistics) read the whole store: 6 s per push at 2,000
initiatives, growing with the hub, against a push answered in 200 ms.  So a push
publishes its version with the previous version's artifacts, hard-linked, and a
``STALE`` file naming the version whose data they describe; the serving process
rebuilds them once pushes pause (server.artifact_refresh), in a write session of its
own that publishes the same data with fresh artifacts.  Record pages, the history and
the event streams read the store: they show a push at once.  Search, maps, counts and
dumps follow at the refresh; any harvest rebuilds them too.
"""

from __future__ import annotations

from contextlib import suppress

from carrefour.artifacts.build import build_artifacts
from carrefour.artifacts.stale import STALE_FILE, stale_of
from carrefour.hardlinks import link_tree
from carrefour.store.base import Store, Writer
from carrefour.vocab import Hub

_NOT_CARRIED = ("COMPLETE",)  # the shared folder's own marker (carrefour.store.remote_artifacts)


class _Fresh(Exception):
    """The published artifacts describe their own version: the refresh session ends without publishing."""


def carry_artifacts(writer: Writer, hub: Hub) -> None:
    """Give the session the previous version's artifacts, marked stale; build them when there are none."""
    previous = writer.previous.info.artifacts if writer.previous is not None else None
    if previous is None or not previous.is_dir():
        build_artifacts(writer, hub)
        return
    describes = stale_of(previous) or writer.previous.info.version  # type: ignore[union-attr]
    link_tree(previous, writer.artifacts, STALE_FILE, *_NOT_CARRIED)
    (writer.artifacts / STALE_FILE).write_text(describes, encoding="utf-8")


def refresh_artifacts(store: Store, hub: Hub) -> str | None:
    """Publish the data as it is with rebuilt artifacts if the published ones were carried: the new version.

    None when the published artifacts are current (nothing is published then).

    :raises StoreBusy: another write session runs.
    """
    with suppress(_Fresh), store.writer() as writer:
        if writer.previous is None or stale_of(writer.previous.info.artifacts) is None:
            raise _Fresh
        build_artifacts(writer, hub)
        return writer.info.version
    return None
