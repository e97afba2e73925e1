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
from concurrent.futures import Future, ThreadPoolExecutor

import pyoxigraph as ox

RECORDS = ox.NamedNode("urn:x-carrefour:validation:records")
_CHUNK = 50_000  # statements converted at a time: bounds the transient copies

Statement = ox.Quad | ox.Triple


def default_graph_quads(items: Sequence[Statement]) -> list[ox.Quad]:
    """Context statements as quads of the default graph, whatever graph they came from."""
    return [ox.Quad(item.subject, item.predicate, item.object) for item in items]


def _has_blank_nodes(items: Sequence[Statement]) -> bool:
    return any(isinstance(item.subject, ox.BlankNode) or isinstance(item.object, ox.BlankNode) for item in items)


def _record_quads(items: Sequence[Statement]) -> list[ox.Quad]:
    return [
        item
        if isinstance(item, ox.Quad) and not isinstance(item.graph_name, ox.DefaultGraph)
        else ox.Quad(item.subject, item.predicate, item.object, RECORDS)
        for item in items
    ]


class ValidationDataset:
    """Records in named graphs, context in the default graph, of a fresh in-memory store.

    Blank nodes keep their labels (statements that have some are added as terms, not
    through a parser, which would rename them): both engines, and the caller, name the
    same nodes the same way.

    Records can be added while they are still being produced (``add``, then ``close``):
    the store parses them in a thread of its own, which does not hold the interpreter
    lock, so a harvest maps the next records meanwhile, on the machine's other core.
    """

    def __init__(self, records: Sequence[Statement] = (), context: Sequence[Sequence[Statement]] = ()) -> None:
        self.store = ox.Store()
        self._loader: ThreadPoolExecutor | None = None
        self._loading: list[Future[None]] = []
        self.add(records)
        self.close(context)

    def add(self, records: Sequence[Statement]) -> None:
        """Add records; they may still be loading when this returns (``close`` waits for them)."""
        for start in range(0, len(records), _CHUNK):
            self._add_records(records[start : start + _CHUNK])

    def close(self, context: Sequence[Sequence[Statement]] = ()) -> None:
        """Add the context (to the default graph) and wait until every record is in the store."""
        for part in context:
            if all(type(t) is ox.Triple for t in part) and not _has_blank_nodes(part):
                # no blank node to rename: the parser is faster than adding terms one by one
                self.store.load(ox.serialize(part, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
            else:
                self.store.extend(default_graph_quads(part))
        for loading in self._loading:
            loading.result()
        self._loading.clear()
        if self._loader is not None:
            self._loader.shutdown()
            self._loader = None

    def clear(self) -> None:
        """Let the memory go, even while the caller still holds the dataset."""
        self.close()
        self.store = ox.Store()

    def _add_records(self, chunk: Sequence[Statement]) -> None:
        if all(isinstance(item, ox.Quad) and not isinstance(item.graph_name, ox.DefaultGraph) for item in chunk):
            self.store.extend(chunk)  # type: ignore[arg-type]  # already quads of named graphs
        elif _has_blank_nodes(chunk):
            self.store.extend(_record_quads(chunk))
        else:  # twice as fast as building quads in Python, but a parser renames blank nodes
            text = ox.serialize(chunk, format=ox.RdfFormat.N_QUADS)
            if self._loader is None:
                self._loader = ThreadPoolExecutor(1, thread_name_prefix="validation-load")
            self._loading.append(
                self._loader.submit(self.store.load, text, format=ox.RdfFormat.N_QUADS, to_graph=RECORDS)
            )

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
