"""Unchanged records: a content hash per feed record, so that a re-harvest maps only what changed.

A published record that one feed record, and only it, mapped to cleanly (no note, no finding, no
link to another record of the partner) carries ``cf:contentHash`` in its partner's provenance
graph: a digest of the feed record and of everything its mapping and validation depend on (the
partner file, the code of the loader, the shapes, the reference files, the privacy salt, the base).
A re-harvest hashes each feed record first; one whose hash the published provenance holds is
neither mapped nor validated: its published triples stay where they are, and only the records that
changed are written (``Writer.amend_graph``).  What mapping a record adds beside its triples (the
taxonomy codes it met, whose order of appearance names the concepts) is kept by hash in
``memo.json`` beside the partner's reports; a hash fixes it, so the file never goes stale.

Anything irregular (a feed record that could not be read, a changed record sharing or linking to a
skipped one, a partner the history does not follow yet) sends the partner through the whole harvest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import orjson
import pyoxigraph as ox

from carrefour import paths
from carrefour.store.base import Snapshot
from carrefour.vocab import Hub
from loader.feeds import Record
from loader.mapping.engine import MappedRecord
from loader.mapping.minting import KIND_PATHS
from loader.mapping.spec import PartnerSpec
from loader.validation.report import record_of

MEMO_FILE = "memo.json"
_DIGEST_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
Categories = Sequence[Sequence[str]]  # (taxonomy, code) met by a record, in order (as read back: lists of two)


@cache
def _code_digest() -> str:
    """What every partner's mapping depends on besides its file: the loader's code, shapes, reference files."""
    digest = hashlib.sha256()
    files = [*paths.PROJECT_ROOT.joinpath("loader").rglob("*.py"), *paths.SHAPES_DIR.rglob("*"),
             *paths.REFERENCE_DIR.rglob("*")]  # fmt: skip
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(paths.PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprint(spec: PartnerSpec, hub: Hub, salt: str) -> str:
    """The part of every record hash that is not the record: the same feed record hashes alike only under it."""
    # the partner file as written: a spec's repr holds sets, whose order changes from one process to the next
    declared = spec.path.read_text(encoding="utf-8") if spec.path is not None else repr(spec)
    return hashlib.sha256("\0".join((_code_digest(), declared, repr(spec.feed), hub.base, salt)).encode()).hexdigest()


def record_digest(fingerprint: str, record: Record) -> str:
    """A feed record's content hash (its place in the feed is left out: a record moved is unchanged).

    Its fields are written as JSON by orjson (0.14 s for 40,000 records, where ``json.dumps`` took 0.8 s), then a
    NUL and its page's address in JSON; unless orjson refuses them (an integer past 64 bits) or writes a float that
    is not a number (as ``null``): then the record is written by ``json`` as a whole (its text holds no raw NUL: no
    two records hash alike).
    """
    try:
        fields: bytes | None = orjson.dumps(record.fields, default=str, option=_DIGEST_OPTIONS)
    except orjson.JSONEncodeError:
        fields = None
    if fields is None or (b"null" in fields and _not_a_number(record.fields)):
        text = json.dumps([record.fields, record.url], sort_keys=True, ensure_ascii=False, default=str).encode()
    else:
        text = fields + b"\0" + orjson.dumps(record.url)
    return hashlib.sha256(fingerprint.encode() + b"\0" + text).hexdigest()  # published in base 32 (content_hashes)


def _not_a_number(value: object) -> bool:
    """Whether a float that is not a number is in ``value`` (a feed record's plain data)."""
    if isinstance(value, float):
        return value != value
    if isinstance(value, dict):
        return any(_not_a_number(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_not_a_number(item) for item in value)
    return False


def published_records(snapshot: Snapshot, graph: ox.NamedNode, iris: Iterable[str]) -> dict[str, list[ox.Triple]]:
    """The published triples of each record: its root and the fragment nodes (``#address``…) reached from it.

    Each quad's triple taken whole, and an object looked at further only when it begins with the record's IRI
    (a quarter less time: 500 records, 12,800 statements, 0.3 s).
    """
    records: dict[str, list[ox.Triple]] = {}
    for iri in iris:
        triples: list[ox.Triple] = []
        pending, seen = [ox.NamedNode(iri)], {iri}
        while pending:
            for quad in snapshot.quads(pending.pop(), None, None, graph):
                triples.append(quad.triple)
                node = quad.object
                if (
                    type(node) is ox.NamedNode
                    and (value := node.value).startswith(iri)
                    and value not in seen
                    and record_of(value) == iri
                ):
                    seen.add(value)
                    pending.append(node)
        if triples:
            records[iri] = triples
    return records


def load_categories(partner_dir: Path) -> dict[str, Categories]:
    """Read by orjson, as it is written (``json`` took 0.4 s each way at 40,000 records), its pairs left as lists
    (making each a tuple took 0.5 s more); a file that does not say as much is not read."""
    path = partner_dir / MEMO_FILE
    try:
        entries = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def save_categories(partner_dir: Path, categories: dict[str, Categories]) -> None:
    """Written whole, then renamed: a reader never sees half of it."""
    partner_dir.mkdir(parents=True, exist_ok=True)
    temporary = partner_dir / f".{MEMO_FILE}.partial"
    temporary.write_bytes(orjson.dumps(categories))
    os.replace(temporary, partner_dir / MEMO_FILE)


@dataclass
class RecordMemo:
    """One partner's harvest against the hashes its published version holds."""

    fingerprint: str
    partner_records: tuple[str, ...]  # IRI prefixes of the partner's records (links between records)
    previous: dict[str, str] = field(default_factory=dict)  # content hash -> published record IRI
    known: dict[str, Categories] = field(default_factory=dict)  # content hash -> its taxonomy codes
    skipped: dict[str, str] = field(default_factory=dict)  # record IRI -> hash, feed records not mapped again
    mapped: dict[str, list[str]] = field(default_factory=dict)  # record IRI -> hashes of the feed records mapping to it
    linked: set[str] = field(default_factory=set)  # records the records mapped this time link to
    clean: dict[str, Categories] = field(default_factory=dict)  # hash -> codes, feed records that may be skipped later
    irregular: str | None = None  # why this run cannot keep what it skipped

    @classmethod
    def start(cls, spec: PartnerSpec, hub: Hub, salt: str, previous: dict[str, str], known: dict[str, Categories]):
        prefixes = tuple(hub.iri(kind, spec.id) + "/" for kind in set(KIND_PATHS.values()))
        return cls(fingerprint(spec, hub, salt), prefixes, previous, known)

    def digest(self, record: Record) -> str:
        return record_digest(self.fingerprint, record)

    def skip(self, digest: str) -> Categories | None:
        """The taxonomy codes of a feed record that need not be mapped again (None: map it)."""
        iri = self.previous.get(digest)
        codes = self.known.get(digest)
        if iri is None or codes is None or iri in self.skipped or iri in self.mapped or iri in self.linked:
            return None
        self.skipped[iri] = digest
        return codes

    def note(self, digest: str, mapped: MappedRecord) -> None:
        """A feed record mapped this time: whether a later harvest may skip it, if valid and alone."""
        for entity in mapped.entities:
            self.mapped.setdefault(entity.iri, []).append(digest)
            linked = {record_of(t.object.value) for t in entity.triples if isinstance(t.object, ox.NamedNode)}
            self.linked |= linked
            if any(iri in self.skipped for iri in (entity.iri, *linked)):
                self.irregular = f"{entity.iri} is shared with or links to a record left as published"
        if mapped.notes or mapped.privacy or mapped.damaged or len(mapped.entities) != 1:
            return
        (entity,) = mapped.entities
        if entity.type == "Concept" or not entity.first_seen or self._links_records(entity.iri, entity.triples):
            return
        if any(isinstance(term, ox.BlankNode) for t in entity.triples for term in (t.subject, t.object)):
            return  # blank nodes are no record's: the record is compared and written whole each time
        self.clean[digest] = entity.categories

    def _links_records(self, iri: str, triples: list[ox.Triple]) -> bool:
        return any(
            isinstance(t.object, ox.NamedNode)
            and t.object.value.startswith(self.partner_records)
            and record_of(t.object.value) != iri
            for t in triples
        )

    def hashes(self, published: Iterable[str], findings: set[str]) -> dict[str, str]:
        """record IRI -> content hash, for the published records a later harvest may skip."""
        published = set(published)
        kept = {iri: digest for iri, digest in self.skipped.items() if iri in published}
        for iri, digests in self.mapped.items():
            if len(digests) == 1 and digests[0] in self.clean and iri in published and iri not in findings:
                kept[iri] = digests[0]
        return kept

    def categories(self, hashes: dict[str, str]) -> dict[str, Categories]:
        """What ``memo.json`` keeps for the next harvest: the codes of every hash published."""
        return {digest: self.clean[digest] if digest in self.clean else self.known.get(digest, [])
                for digest in hashes.values()}  # fmt: skip
