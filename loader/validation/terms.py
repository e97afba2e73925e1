"""Oxigraph terms as rdflib terms, without rdflib rewriting them.

rdflib normalises lexical forms when it builds a literal ("…Z" dateTimes become
"…+00:00", "1e5"^^xsd:decimal becomes "100000"), which would make the reference
engine judge and report other strings than the store holds.  Literals are built
with ``normalize=False``; ``xsd:string`` literals become plain literals, as rdflib's
own N-Triples parser makes them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import rdflib

from carrefour.vocab import XSD

_XSD_STRING = XSD + "string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_RDFLIB_TERMS = logging.getLogger("rdflib.term")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib term for an Oxigraph term; blank nodes keep their labels."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return rdflib.Literal(term.value, normalize=False)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype), normalize=False)


class TermCache:
    """Converts terms once each: a graph repeats its predicates, classes and concepts many times."""

    def __init__(self) -> None:
        self._terms: dict[Term, rdflib.term.Identifier] = {}

    def __call__(self, term: Term) -> rdflib.term.Identifier:
        converted = self._terms.get(term)
        if converted is None:
            converted = self._terms[term] = to_rdflib(term)
        return converted


@contextmanager
def ill_typed_literals_expected() -> Iterator[None]:
    """Keep rdflib from logging a traceback for each ill-typed literal: judging them is the point here."""
    disabled, _RDFLIB_TERMS.disabled = _RDFLIB_TERMS.disabled, True
    try:
        yield
    finally:
        _RDFLIB_TERMS.disabled = disabled
