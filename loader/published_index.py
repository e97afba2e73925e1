"""What a partner has published, as a re-harvest needs it first: each record's key, content hash and provenance.

A re-harvest starts by reading, of the partner's published version, the key of every record (which IRI a record
key was given), the content hash of every record (which feed records need no mapping) and which records its
provenance graph describes.  Read from the store, that is 40,000 statements each at 40,000 records, 0.6 to 1 s
a read (the store decodes every term of every statement).  So a harvest keeps them beside the partner's reports
(``published.json``), made from what its write session wrote (the lists a graph was replaced with, or the
statements it added and removed), and stamped with the version it published: the next harvest reads the file
when the store still publishes that version, and the store otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import DCT, Hub
from loader.content_hashes import memo_hash

INDEX_FILE = "published.json"
FORMAT = 2  # content hashes in hexadecimal
_CREATED = ox.NamedNode(DCT + "created")
Pairs = frozenset[tuple[str, str]]  # (subject IRI, value)


@dataclass(frozen=True)
class PublishedIndex:
    """One partner's records as one version publishes them."""

    keys: Pairs  # (record IRI, its cf:recordKey) in the partner's data graph
    hashes: Pairs  # (record IRI, its cf:contentHash in hexadecimal: loader.content_hashes) in the provenance graph
    created: Pairs  # (record IRI, its dct:created) in the provenance graph

    def described(self) -> set[str]:
        """The records the provenance graph gives a creation date."""
        return {iri for iri, _ in self.created}

    def hash_records(self) -> dict[str, str]:
        """content hash -> record IRI."""
        return {digest: iri for iri, digest in sorted(self.hashes)}


NOTHING = PublishedIndex(frozenset(), frozenset(), frozenset())  # before a partner's first harvest


def _parts(hub: Hub, partner_id: str) -> tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode, ox.NamedNode]:
    return (
        hub.graph("partner", partner_id),
        hub.term("recordKey"),
        hub.graph("provenance", partner_id),
        hub.term("contentHash"),
    )


def _pairs(
    statements: Iterable[ox.Quad | ox.Triple], predicate: ox.NamedNode, value: Callable[[str], str] = str
) -> set[tuple[str, str]]:
    return {(s.subject.value, value(s.object.value)) for s in statements if s.predicate == predicate}


def read_index(snapshot: Snapshot, hub: Hub, partner_id: str, partner_dir: Path) -> PublishedIndex:
    """The partner's index for the version ``snapshot`` publishes: from the file when it is that version's."""
    try:
        kept = orjson.loads((partner_dir / INDEX_FILE).read_bytes())
        if kept["version"] == snapshot.info.version and kept.get("format") == FORMAT:
            return PublishedIndex(*(frozenset(map(tuple, kept[name])) for name in ("keys", "hashes", "created")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    _, _, provenance, content_hash = _parts(hub, partner_id)
    # patterns, not queries: no SPARQL evaluation for the partner's every record
    return PublishedIndex(
        published_keys(snapshot, hub, partner_id),
        frozenset(_pairs(snapshot.quads(None, content_hash, None, provenance), content_hash, memo_hash)),
        frozenset(_pairs(snapshot.quads(None, _CREATED, None, provenance), _CREATED)),
    )


def published_keys(snapshot: Snapshot, hub: Hub, partner_id: str) -> Pairs:
    """(record IRI, its key) of the records the store publishes for the partner."""
    data, key, _, _ = _parts(hub, partner_id)
    return frozenset(_pairs(snapshot.quads(None, key, None, data), key))


def session_index(writer: Writer, hub: Hub, partner_id: str, before: PublishedIndex) -> PublishedIndex | None:
    """The partner's index once ``writer``'s session is published, from ``before`` (the previous version's) and
    what the session wrote; None when the session does not know (it amended a graph without keeping the list)."""
    data, key, provenance, content_hash = _parts(hub, partner_id)
    found = [
        _graph_pairs(writer, graph, predicate, old, value)
        for graph, predicate, old, value in (
            (data, key, before.keys, str),
            (provenance, content_hash, before.hashes, memo_hash),
            (provenance, _CREATED, before.created, str),
        )
    ]
    keys, hashes, created = found
    return None if keys is None or hashes is None or created is None else PublishedIndex(keys, hashes, created)


def _graph_pairs(
    writer: Writer, graph: ox.NamedNode, predicate: ox.NamedNode, before: Pairs, value: Callable[[str], str]
) -> Pairs | None:
    if graph not in writer.changed:
        return before
    written = writer.written(graph)
    if written is not None:
        return frozenset(_pairs(written, predicate, value))
    if writer.delta is None or writer.previous is None:
        return None
    removed, added = writer.delta.removed_and_added(writer.previous, writer)
    removed = [q for q in removed if q.graph_name == graph]
    added = [q for q in added if q.graph_name == graph]
    return frozenset((before - _pairs(removed, predicate, value)) | _pairs(added, predicate, value))


def save_index(partner_dir: Path, version: str, index: PublishedIndex | None) -> None:
    """Kept for the harvest after the one publishing ``version`` (None: the session did not know it; removed)."""
    path = partner_dir / INDEX_FILE
    if index is None:
        path.unlink(missing_ok=True)
        return
    # in the sets' order: the reader makes sets again (sorting the three lists took 0.1 to 0.2 s at 40,000 records)
    kept = {"format": FORMAT, "version": version, "keys": list(index.keys), "hashes": list(index.hashes),
            "created": list(index.created)}  # fmt: skip
    partner_dir.mkdir(parents=True, exist_ok=True)
    temporary = partner_dir / f".{INDEX_FILE}.partial"
    temporary.write_bytes(orjson.dumps(kept))
    os.replace(temporary, path)
