"""``carrefour rebase NEW_BASE``: move the hub to another base URL, deliberately, in one new version.

Every IRI under the old base — subjects, predicates, objects, graph names — is written
again under the new one; literals are text and stay as they are.  The version is
published like any other: its dumps, search index and statistics are rebuilt, and
readers see the old base until it is published, then the new one.  Harvest reports
written before keep the IRIs they were written with: they are history.
"""

from __future__ import annotations

from typing import TypeVar

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub

T = TypeVar("T", ox.NamedNode, ox.BlankNode, ox.Literal)


class Move:
    """Rewrites IRIs from one base to another."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def __call__(self, term: T) -> T:
        if isinstance(term, ox.NamedNode) and term.value.startswith(self.old):
            return ox.NamedNode(self.new + term.value[len(self.old) :])
        return term


def rebase(store: EmbeddedStore, old: Hub, new: Hub) -> str:
    """Publish the store's content under ``new.base`` (``store`` is opened under it); the new version.

    :raises BaseMismatch: the store does not hold its hub under ``old.base``.
    """
    move = Move(old.base, new.base)
    with store.writer(moving_from=old.base) as writer:
        for graph in writer.graphs():
            content = [ox.Triple(move(q.subject), move(q.predicate), move(q.object)) for q in writer.quads(graph=graph)]
            writer.drop_graph(graph)
            writer.replace_graph(move(graph), content)
        build_artifacts(writer, new)
        return writer.info.version
