"""The hub's own graphs: vocabulary, shapes, concept schemes, territories, curated data.

They are Turtle files in the project written with IRIs relative to the base URL,
loaded with the configured base so that every IRI is minted under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from carrefour import paths
from carrefour.vocab import Graphs


@dataclass(frozen=True)
class GraphSource:
    graph: ox.NamedNode
    files: tuple[Path, ...]


def reference_sources(graphs: Graphs) -> list[GraphSource]:
    """Vocabulary, shapes, concept schemes and regions/départements: the validation context."""
    return [
        GraphSource(graphs.ontology, (paths.ONTOLOGY_DIR / "carrefour.ttl", paths.ONTOLOGY_DIR / "history.ttl")),
        GraphSource(graphs.shapes, (paths.SHAPES_DIR / "carrefour.shacl.ttl",)),
        GraphSource(graphs.concepts, (paths.REFERENCE_DIR / "concepts.ttl",)),
        GraphSource(graphs.territories, (paths.REFERENCE_DIR / "territories.ttl",)),
    ]


def curated_source(graphs: Graphs) -> GraphSource:
    """The hub's curated dataset, drawn from the documents the project was created from."""
    return GraphSource(graphs.curated, tuple(sorted(paths.CURATED_DIR.glob("*.ttl"))))


def parse_files(files: tuple[Path, ...], base_iri: str) -> list[ox.Quad]:
    """Parse project Turtle files into quads of the default graph."""
    quads: list[ox.Quad] = []
    for path in files:
        quads.extend(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    return quads
