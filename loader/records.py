"""Records as the hub sees them once mapped: groups of triples under one root IRI.

A record is a resource a partner published (an initiative, an actor, a concept)
with its fragment nodes (``#address``…).  Grouping, hashing and comparing records
is how a re-harvest knows what was loaded, updated, left unchanged or removed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from loader.validation.report import record_of


def group_by_record(triples: Iterable[ox.Triple | ox.Quad]) -> dict[str, list[ox.Triple]]:
    """Triples by the record of their subject; triples are shared, not copied (40,000 records hold a million)."""
    groups: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        subject = t.subject
        if isinstance(subject, ox.NamedNode):
            triple = t if type(t) is ox.Triple else ox.Triple(subject, t.predicate, t.object)
            groups[record_of(subject.value)].append(triple)
    return groups


def record_hash(triples: list[ox.Triple]) -> str:
    """A digest of a record's content, independent of triple order."""
    lines = sorted({str(t) for t in triples})
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass
class RecordDiff:
    loaded: set[str] = field(default_factory=set)  # new records
    updated: set[str] = field(default_factory=set)
    unchanged: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)  # published before, gone now


def diff_records(previous: dict[str, str], current: dict[str, str]) -> RecordDiff:
    """Compare record hashes of the published graph and of the new harvest."""
    diff = RecordDiff()
    for iri, digest in current.items():
        if iri not in previous:
            diff.loaded.add(iri)
        elif previous[iri] != digest:
            diff.updated.add(iri)
        else:
            diff.unchanged.add(iri)
    diff.removed = set(previous) - set(current)
    return diff


def drop_records(
    triples: list[ox.Triple], rejected: set[str], still_published: set[str] | frozenset[str] = frozenset()
) -> tuple[list[ox.Triple], int]:
    """Remove rejected records and the links that pointed to them; return the dangling links count.

    Links to ``still_published`` records (rejected now, but whose previous version stays
    published) are kept: their target still exists.
    """
    kept = []
    dangling = 0
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and record_of(t.subject.value) in rejected:
            continue
        if isinstance(t.object, ox.NamedNode) and t.object.value in rejected and t.object.value not in still_published:
            dangling += 1
            continue
        kept.append(t)
    return kept, dangling
