"""What a write session added and removed, while it is small enough to keep.

The statistics of a version (carrefour.artifacts.stats) count the union of every graph: a
scan of the whole store, 2 s a million quads.  A session that changed a few thousand
statements (a re-harvest that found little new) knows which statements those are: the counts
are the previous version's, adjusted by looking each of them up before and after.
"""

from __future__ import annotations

import weakref
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
    # the last split into (removed, added) and the views it was made between: the statistics, the indexes and
    # the dumps each ask for it once the session is written (90,000 statements looked up twice: 2.3 s); the views
    # held weakly, as the writer holds its delta: a cycle would keep the session's lists (a million statements)
    # alive past the session, until the collector's next full scan
    _split: tuple[weakref.ref, weakref.ref, set[ox.Quad], set[ox.Quad]] | None = field(
        default=None, repr=False, compare=False
    )

    def note(self, added: Collection[ox.Quad], removed: Collection[ox.Quad]) -> bool:
        """Take a step of the session into account; False once the delta grew past ``DELTA_LIMIT``."""
        if len(self.added) + len(self.removed) + len(added) + len(removed) > DELTA_LIMIT:
            return False
        self.removed.update(removed)
        self.added.update(added)
        self._split = None
        return True

    def statements(self) -> set[ox.Quad]:
        return self.added | self.removed

    def effective(self, before: Reader, now: Reader) -> set[ox.Quad]:
        """The statements one of the two views holds and the other not (a record rewritten as it was: none)."""
        removed, added = self.removed_and_added(before, now)
        return removed | added

    def removed_and_added(self, before: Reader, now: Reader) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """The statements only ``before`` holds, and those only ``now`` holds (kept until the next step)."""
        if self._split is None or self._split[0]() is not before or self._split[1]() is not now:
            removed, added = set(), set()
            for quad in self.statements():
                was, is_ = holds(before, quad), holds(now, quad)
                if was != is_:
                    (added if is_ else removed).add(quad)
            self._split = (weakref.ref(before), weakref.ref(now), removed, added)
        return self._split[2], self._split[3]


class Reader(Protocol):
    def quads(self, subject: Any, predicate: Any, object: Any, graph: Any) -> Iterator[ox.Quad]: ...

    def contains(self, quad: ox.Quad) -> bool: ...


def holds(view: Reader, quad: ox.Quad, anywhere: bool = False) -> bool:
    """Whether ``view`` holds the statement in its graph (``anywhere``: in any graph)."""
    if not anywhere:
        return view.contains(quad)
    return next(iter(view.quads(quad.subject, quad.predicate, quad.object, None)), None) is not None
