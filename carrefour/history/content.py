"""A record's triples as kept in a version, and as a version shows them.

The content is N-Triples with the hub's IRIs written relative to its base, so that
``carrefour rebase`` needs no rewrite of the history, and a hash of it does not
change with the base.  Shown as a version, the record's IRI and its fragment nodes
(``…#address``) become the version's (``version/{stamp}/…#address``): two versions
of one record on one page never mix their triples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

_SAFE_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal, base: str) -> str:
    if isinstance(term, ox.NamedNode) and term.value.startswith(base):
        relative = term.value[len(base) :]
        # a relative reference is read as such only if nothing before its first slash looks like a scheme
        if relative[:1] in _SAFE_START and ":" not in relative.split("/", 1)[0]:
            return f"<{relative}>"
    return str(term)


def encode(triples: Iterable[ox.Triple], base: str) -> str:
    """The record's triples, sorted, one per line, hub IRIs relative to ``base``."""
    lines = {f"{_term(t.subject, base)} {_term(t.predicate, base)} {_term(t.object, base)} ." for t in triples}
    return "\n".join(sorted(lines))


def decode(text: str, base: str) -> list[ox.Triple]:
    """The triples of ``encode``'s text, IRIs absolute again under ``base``."""
    parsed = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=base)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]


def canonical_hash(triples: Iterable[ox.Triple]) -> str:
    """SHA-256 of the sorted N-Triples lines: canonical for records, which have no blank nodes."""
    return hashlib.sha256("\n".join(sorted({f"{t} ." for t in triples})).encode()).hexdigest()


def rewrite(triples: Iterable[ox.Triple], record: str, version: str) -> list[ox.Triple]:
    """The record's triples with ``record`` and its fragment nodes under ``version`` instead."""
    fragment = record + "#"

    def moved(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and (term.value == record or term.value.startswith(fragment)):
            return ox.NamedNode(version + term.value[len(record) :])
        return term

    return [ox.Triple(moved(t.subject), t.predicate, moved(t.object)) for t in triples]  # type: ignore[arg-type]


def fragments(triples: Iterable[ox.Triple], record: str) -> list[ox.NamedNode]:
    """The record's fragment nodes that are subjects of its triples, sorted."""
    prefix = record + "#"
    found = {t.subject.value for t in triples if t.subject.value.startswith(prefix)}
    return [ox.NamedNode(iri) for iri in sorted(found)]
