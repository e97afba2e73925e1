"""The hub's own graphs: vocabulary, shapes, concept schemes, territories, curated data.

They are Turtle files in the project.  The vocabulary, its shapes and the shared
concept schemes are written with IRIs relative to the vocabulary's persistent
namespace and parsed with it; territories and curated data are written with IRIs
relative to the base URL (their resources are the instance's) and name the vocabulary
by its persistent IRIs, which follow the ``VOCABULARY_NAMESPACE`` setting when an
operator changes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from carrefour import paths
from carrefour.vocab import VOCABULARY, Graphs, Hub

VOCABULARY_FILES = ("carrefour.ttl", "history.ttl")  # in ontology/: the vocabulary graph


@dataclass(frozen=True)
class GraphSource:
    graph: ox.NamedNode
    files: tuple[Path, ...]
    in_vocabulary: bool = False  # relative IRIs resolve against the vocabulary namespace, not the base

    def parse(self, hub: Hub) -> list[ox.Quad]:
        """The source's quads, in the default graph, for ``hub``."""
        return parse_files(self.files, hub, self.in_vocabulary)


def reference_sources(graphs: Graphs) -> list[GraphSource]:
    """Vocabulary, shapes, concept schemes and regions/départements: the validation context."""
    return [
        GraphSource(graphs.ontology, tuple(paths.ONTOLOGY_DIR / f for f in VOCABULARY_FILES), in_vocabulary=True),
        GraphSource(graphs.shapes, (paths.SHAPES_DIR / "carrefour.shacl.ttl",), in_vocabulary=True),
        GraphSource(graphs.concepts, (paths.REFERENCE_DIR / "concepts.ttl",), in_vocabulary=True),
        GraphSource(graphs.territories, (paths.REFERENCE_DIR / "territories.ttl",)),
    ]


def curated_source(graphs: Graphs) -> GraphSource:
    """The hub's curated dataset, drawn from the documents the project was created from."""
    return GraphSource(graphs.curated, tuple(sorted(paths.CURATED_DIR.glob("*.ttl"))))


def parse_files(files: Iterable[Path], hub: Hub, in_vocabulary: bool = False) -> list[ox.Quad]:
    """Parse project Turtle files into quads of the default graph."""
    base = hub.vocabulary if in_vocabulary else hub.base
    quads: list[ox.Quad] = []
    for path in files:
        quads.extend(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base))
    if in_vocabulary or hub.vocabulary == VOCABULARY:
        return quads
    return [retarget(quad, hub.vocabulary) for quad in quads]


def retarget(quad: ox.Quad, vocabulary: str) -> ox.Quad:
    """A quad naming the default vocabulary namespace, naming ``vocabulary`` instead."""

    def move(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and term.value.startswith(VOCABULARY):
            return ox.NamedNode(vocabulary + term.value[len(VOCABULARY) :])
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(VOCABULARY):
            return ox.Literal(term.value, datatype=ox.NamedNode(vocabulary + term.datatype.value[len(VOCABULARY) :]))
        return term

    return ox.Quad(move(quad.subject), move(quad.predicate), move(quad.object), quad.graph_name)  # type: ignore[arg-type]
