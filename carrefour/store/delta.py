"""What a write session added and removed, while it is small enough to keep.

The statistics of a version (carrefour.artifacts.stats) count the union of every graph: a
scan of the whole store, 2 s a million quads.  A session that changed a few thousand
statements (a re-harvest that found little new) knows which statements those are: the counts
are the previous version's, adjusted by looking each of them up before and after.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox

DELTA_LIMIT = 200_000  # statements past which a lookup each costs more than counting the store again


@dataclass
class Delta:
    """Statements a session added and removed (some may have been no-ops: readers look them up)."""

    added: set[ox.Quad] = field(default_factory=set)
    removed: set[ox.Quad] = field(default_factory=set)

    def note(self, added: Collection[ox.Quad], removed: Collection[ox.Quad]) -> bool:
        """Take a step of the session into account; False once the delta grew past ``DELTA_LIMIT``."""
        if len(self.added) + len(self.removed) + len(added) + len(removed) > DELTA_LIMIT:
            return False
        self.removed.update(removed)
        self.added.update(added)
        return True

    def statements(self) -> set[ox.Quad]:
        return self.added | self.removed

    def effective(self, before: Reader, now: Reader) -> set[ox.Quad]:
        """The statements one of the two views holds and the other not (a record rewritten as it was: none)."""
        return {quad for quad in self.statements() if holds(before, quad) != holds(now, quad)}

    def removed_and_added(self, before: Reader, now: Reader) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """The statements only ``before`` holds, and those only ``now`` holds."""
        effective = self.effective(before, now)
        removed = {quad for quad in effective if holds(before, quad)}
        return removed, effective - removed


class Reader(Protocol):
    def quads(self, subject: Any, predicate: Any, object: Any, graph: Any) -> Iterator[ox.Quad]: ...


def holds(view: Reader, quad: ox.Quad, anywhere: bool = False) -> bool:
    """Whether ``view`` holds the statement in its graph (``anywhere``: in any graph)."""
    graph = None if anywhere else quad.graph_name
    return next(iter(view.quads(quad.subject, quad.predicate, quad.object, graph)), None) is not None
