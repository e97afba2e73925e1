"""What a validation runs on: the records and their context, in one in-memory store.

Both engines judge the same terms.  Oxigraph stores typed literals in canonical
form ("95.000000"^^xsd:decimal is kept as "95"), which is what the hub publishes, so
the records are loaded into the store first and each engine reads them from there.
Records keep their named graphs (records in the default graph go to ``RECORDS``);
the context (vocabulary, concept schemes, territories) is the default graph.  Queries
see the union of all graphs; a focus node is an IRI that is the subject of a record,
i.e. of a triple in a named graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

RECORDS = ox.NamedNode("urn:x-carrefour:validation:records")
_CHUNK = 50_000  # records serialised at a time: bounds the transient N-Quads text


def ntriples(items: Sequence[ox.Quad | ox.Triple]) -> bytes:
    """Context statements as N-Triples, whatever graph they came from."""
    triples = [item if isinstance(item, ox.Triple) else item.triple for item in items]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


class ValidationDataset:
    """Records in named graphs, context in the default graph, of a fresh in-memory store."""

    def __init__(self, records: Sequence[ox.Quad | ox.Triple], context: Sequence[bytes]) -> None:
        self.store = ox.Store()
        for start in range(0, len(records), _CHUNK):
            chunk = records[start : start + _CHUNK]
            if all(isinstance(item, ox.Quad) and not isinstance(item.graph_name, ox.DefaultGraph) for item in chunk):
                self.store.extend(chunk)  # type: ignore[arg-type]  # quads already in named graphs: as they are
            else:
                text = ox.serialize(chunk, format=ox.RdfFormat.N_QUADS)
                self.store.load(text, format=ox.RdfFormat.N_QUADS, to_graph=RECORDS)
        for part in context:
            self.store.load(part, format=ox.RdfFormat.N_TRIPLES)

    def select(self, query: str, **options: object) -> ox.QuerySolutions:
        result = self.store.query(query, use_default_graph_as_union=True, **options)  # type: ignore[arg-type]
        assert isinstance(result, ox.QuerySolutions)
        return result

    def construct_into(self, query: str, graph: ox.NamedNode) -> None:
        """Store what a CONSTRUCT query (over all graphs) builds into ``graph``, without a round trip to Python."""
        result = self.store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QueryTriples)
        self.store.load(result.serialize(format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query, use_default_graph_as_union=True))

    def record_subjects(self) -> set[ox.NamedNode]:
        """The focus nodes the findings may be about: IRIs described by the records."""
        return {
            quad.subject
            for quad in self.store
            if isinstance(quad.subject, ox.NamedNode) and not isinstance(quad.graph_name, ox.DefaultGraph)
        }
