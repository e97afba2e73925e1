"""The LDES reference client (npm ``ldes-client``), run as a partner would, and what it replicates.

``./dev.sh test`` installs it into tests/support/node/; tests that need it skip, saying
so, when it is not there.  Its members (printed as N-Triples, one member after
another) are applied in the order of their timestamps to a replica: a creation or an
update puts the record's triples (read back from the version: the version's IRI and
its fragment nodes renamed to the record's, the version's own statements left out),
a deletion takes the record out.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.history.content import canonical_hash
from carrefour.history.terms import AS, GENERATED_AT, IS_VERSION_OF, METADATA, TYPE
from carrefour.store.base import Snapshot
from carrefour.vocab import Graphs, Hub
from loader.records import group_by_record

CLIENT = Path(__file__).resolve().parent / "node" / "node_modules" / ".bin" / "ldes-client"
NOT_INSTALLED = f"the LDES reference client is not installed ({CLIENT}): ./dev.sh test installs it with npm"


def client() -> Path:
    if not CLIENT.exists():
        pytest.skip(NOT_INSTALLED)
    return CLIENT


@dataclass(frozen=True)
class Member:
    version: str
    record: str
    kind: str
    time: str
    triples: tuple[ox.Triple, ...]


def run_client(url: str, state: Path, timeout: float = 300) -> list[Member]:
    """Run ``ldes-client URL --save STATE`` to its end; the members it printed (its log goes beside the state)."""
    done = subprocess.run(
        [str(client()), url, "--save", str(state)], capture_output=True, timeout=timeout, check=False,
        env={**os.environ, "LOG_LEVEL": "debug"},
    )  # fmt: skip
    runs = len(list(state.parent.glob(f"{state.name}-*.log")))
    (state.parent / f"{state.name}-{runs + 1}.log").write_bytes(done.stderr)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return parse_members(done.stdout)


def parse_members(output: bytes) -> list[Member]:
    """The members in the client's output: a version, its statements and those of its fragment nodes."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(output, format=ox.RdfFormat.TURTLE)]
    versions = {t.subject.value: t.object.value for t in triples if t.predicate == IS_VERSION_OF}
    by_version: dict[str, list[ox.Triple]] = {iri: [] for iri in versions}
    for triple in triples:
        owner = triple.subject.value.split("#", 1)[0]
        if owner in by_version:
            by_version[owner].append(triple)
    members = []
    for version, found in by_version.items():
        kind = next(t.object.value[len(AS) :] for t in found if t.predicate == TYPE and t.object.value.startswith(AS))
        time = next(t.object.value for t in found if t.predicate == GENERATED_AT)
        members.append(Member(version, versions[version], kind, time, tuple(found)))
    return members


def record_triples(member: Member) -> list[ox.Triple]:
    """The record's triples as the member carries them, under the record's own IRIs."""
    pattern = re.compile("^" + re.escape(member.version) + "(?=$|#)")

    def renamed(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.NamedNode) and pattern.match(term.value):
            return ox.NamedNode(pattern.sub(member.record, term.value))
        return term

    own = [
        t
        for t in member.triples
        if not (t.subject.value == member.version and (t.predicate in METADATA or _is_kind(t)))
    ]
    return [ox.Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in own]  # type: ignore[arg-type]


def _is_kind(triple: ox.Triple) -> bool:
    return triple.predicate == TYPE and triple.object.value.startswith(AS)


@dataclass
class Replica:
    """The records a partner holds after applying the members it read."""

    records: dict[str, str] = field(default_factory=dict)  # record IRI -> canonical hash

    def apply(self, members: list[Member]) -> None:
        for member in sorted(members, key=lambda m: (m.time, m.version)):
            if member.kind == "Delete":
                self.records.pop(member.record, None)
            else:
                self.records[member.record] = canonical_hash(record_triples(member))


def hub_records(snapshot: Snapshot, hub: Hub) -> dict[str, str]:
    """Record IRI -> canonical hash of every record the hub publishes (partner data and curated graphs)."""
    prefix = hub.iri("graph", "partner") + "/"
    graphs = [g for g in snapshot.graphs() if g.value.startswith(prefix) or g == Graphs(hub).curated]
    records: dict[str, str] = {}
    for graph in graphs:
        for iri, triples in group_by_record(snapshot.quads(graph=graph)).items():
            records[iri] = canonical_hash(triples)
    return records
