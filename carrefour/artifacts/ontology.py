"""The version's ontology graph, written beside its other artifacts.

Every web worker names properties and types from it (server/vocabulary.py) on its first
page of a version: read from this file, it costs the store nothing, however many workers
and machines share the version's artifacts (``ARTIFACTS_DIR``).
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Graphs, Hub

ONTOLOGY_FILE = "ontology.nt"


def build_ontology(view: Writer, hub: Hub) -> None:
    with open(view.artifacts / ONTOLOGY_FILE, "wb") as output:
        view.dump(output, ox.RdfFormat.N_TRIPLES, Graphs(hub).ontology)


def ontology_quads(snapshot: Snapshot, hub: Hub) -> list[ox.Quad]:
    """The ontology graph's statements: from the version's artifacts, else from the store."""
    graph = Graphs(hub).ontology
    path = snapshot.info.artifacts / ONTOLOGY_FILE if snapshot.info.artifacts is not None else None
    if path is None or not path.is_file():  # a version published before the file was written
        return list(snapshot.quads(graph=graph))
    with open(path, "rb") as document:
        return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(document, ox.RdfFormat.N_TRIPLES)]
