"""What a store holds, reduced to figures that compare: triples and a canonical hash per named graph.

A graph's hash is the SHA-256 of its sorted N-Triples lines; blank nodes are first
renamed by RDF Dataset Canonicalization (RDFC-1.0, W3C), so two stores that hold
the same graph give the same hash whatever labels their blank nodes got.

Some graphs say *when*: harvest activities, first-published and modified times,
validation report dates, the dataset's publication.  ``normalise`` replaces
every ``xsd:dateTime``/``xsd:date`` literal and the time stamps inside the hub's
harvest and change IRIs by fixed values, so that two harvests of the same feeds at
different times compare equal where they must; and the records' content hashes
(``cf:contentHash``), salted with each store's own privacy salt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import XSD, Hub

TIME_TYPES = frozenset({XSD + "dateTime", XSD + "date", XSD + "dateTimeStamp"})
CONTENT_HASH = Hub("http://127.0.0.1/").term("contentHash")  # of the vocabulary, whatever the base
SALTED = ox.Literal("HASH")
_STAMP = re.compile(r"/(\d{8}T\d{6}Z)")  # harvest/{partner}/{stamp}, change/{partner}/{stamp-n}


@dataclass(frozen=True)
class GraphFigures:
    triples: int
    sha256: str


def _normal_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, ox.Literal) and term.datatype.value in TIME_TYPES:
        return ox.Literal("TIME", datatype=term.datatype)
    if isinstance(term, ox.NamedNode) and _STAMP.search(term.value):
        return ox.NamedNode(_STAMP.sub("/STAMP", term.value))
    return term


def normalise(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return [
        ox.Triple(
            _normal_term(t.subject), t.predicate, SALTED if t.predicate == CONTENT_HASH else _normal_term(t.object)
        )  # type: ignore[arg-type]
        for t in triples
    ]


def graph_figures(triples: Iterable[ox.Triple]) -> GraphFigures:
    """Triple count and canonical hash of one graph."""
    triples = list(set(triples))
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        triples = [q.triple for q in dataset]
    lines = sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    return GraphFigures(len(triples), digest)


def store_figures(snapshot: Snapshot, normalised: frozenset[str] = frozenset()) -> dict[str, GraphFigures]:
    """Graph IRI -> figures, for every named graph; the graphs in ``normalised`` with their times normalised."""
    figures = {}
    for graph in snapshot.graphs():
        triples = [q.triple for q in snapshot.quads(graph=graph)]
        if graph.value in normalised:
            triples = normalise(triples)
        figures[graph.value] = graph_figures(triples)
    return figures
