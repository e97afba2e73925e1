"""Bulk dumps of a published version: the whole hub, its open part, the curated data and each partner graph, gzipped.

They are written at publication, inside the write session, so a version and its
dumps appear together.  The store's own serialiser streams each graph through gzip
to disk (never a graph in memory); reading the store is the slow part, so each graph
is read from it once and what it writes is fanned out to every file made of that
graph.  Files are hashed on the way and described in
``dumps.json`` (file, format, graph, size, SHA-256, date, triple count, licences), which the
web layer, VoID and DCAT read instead of touching the files again.

The whole hub mixes its partners' licences, open or not; ``carrefour-open.nq.gz`` holds
only the graphs under an open licence (:mod:`carrefour.artifacts.licences`), each in
its named graph so that a reuser can credit each source.  A union file counts its
triples once each, as a reader loading it gets them: a triple two graphs hold is one.

Each graph is its own gzip member of every file it goes into (RFC 1952 §2.2: a gzip
file is a series of members, read as the concatenation of their contents), and where
each member lies is kept beside the files (``.members.json``, not published): a graph
the write session did not change is copied from the previous version's files, as
compressed bytes, instead of being read from the store and compressed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from isal import igzip, isal_zlib

from carrefour import formats
from carrefour.artifacts.dump_blocks import (
    BLOCK_START,
    SUBJECT_RUN,
    BlocksInChunks,
    Located,
    is_block,
    is_run,
    subject_runs,
    turtle_blocks,
)
from carrefour.artifacts.licences import graph_licence, open_graphs
from carrefour.artifacts.read_ahead import ready, take
from carrefour.artifacts.stale import current_previous
from carrefour.artifacts.stats import (
    dumped_triples,
    graph_counts,
    partner_graphs,
    short_beside,
    stats_in,
    union_triples,
)
from carrefour.history.terms import history_graph
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, XSD, Graphs, Hub, slugify

DUMPS_DIR = "dumps"
MANIFEST = "dumps.json"
MEMBERS = ".members.json"  # file -> graph -> (offset, length) of its gzip member; "lines": graph -> statements
WHOLE_QUADS, WHOLE_UNION, OPEN_QUADS = "carrefour.nq.gz", "carrefour.ttl.gz", "carrefour-open.nq.gz"
# ISA-L's level 2: at 40,000 records a quarter of zlib's level 3 time for 5 % more bytes (the hub's N-Quads, 309 MiB:
# 1.02 → 0.24 s, 16.3 → 17.1 MiB; zlib's default 6: 2.95 s, 13.0 MiB); its inflating takes half of zlib's too
GZIP_LEVEL = 2
GZIP_MEDIA_TYPE = "application/gzip"
_SAFE_FILE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.gz$")


@dataclass(frozen=True)
class DumpPlan:
    """One file to write: which graph (None: several) in which format."""

    file: str
    format: str  # a name of carrefour.formats
    graph: str | None
    partner: str | None
    title: str
    members: frozenset[str] | None = None  # the graphs of a file of several (None: every graph)

    def holds(self, graph: str) -> bool:
        if self.graph is not None:
            return self.graph == graph
        return self.members is None or graph in self.members


@dataclass(frozen=True)
class DumpFile:
    """One written dump, as listed in the manifest."""

    file: str
    format: str
    media_type: str  # of the content once decompressed
    encoding: str
    graph: str | None
    partner: str | None
    title: str
    size: int
    sha256: str
    date: str
    triples: int
    licences: tuple[str, ...] = ()  # of the graphs it holds (absent from manifests written before)


LABELS = {"ttl": "Turtle", "nt": "N-Triples"}


def plan_dumps(view: Snapshot | Writer, hub: Hub) -> list[DumpPlan]:
    """The files of a version: the hub in N-Quads and Turtle, its open graphs in N-Quads, the curated data
    and each partner graph in Turtle and N-Triples."""
    opened = frozenset(graph.value for graph in open_graphs(view, hub))
    plans = [
        DumpPlan(WHOLE_QUADS, "nq", None, None, "Carrefour — every named graph, licences mixed (N-Quads)"),
        DumpPlan(WHOLE_UNION, "ttl", None, None, "Carrefour — union of the graphs, licences mixed (Turtle)"),
        DumpPlan(OPEN_QUADS, "nq", None, None, "Carrefour — the graphs under an open licence (N-Quads)", opened),
    ]
    curated = Graphs(hub).curated
    if curated in view.graphs():
        for name, label in LABELS.items():
            plans.append(DumpPlan(f"curated.{name}.gz", name, curated.value, None, f"curated data ({label})"))
    for partner, graph in sorted(partner_graphs(view, hub).items()):
        stem = f"partner-{slugify(partner, max_length=80)}"
        for name, label in LABELS.items():
            plans.append(DumpPlan(f"{stem}.{name}.gz", name, graph.value, partner, f"{partner} ({label})"))
    return plans


class _HashingWriter:
    """A binary sink that hashes and counts what goes through it to the file below."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()


class GzipOutput:
    """One dump being written: gzip members into a temporary file, hashed on the way, renamed into place at the end.

    Each graph goes in as its own gzip member, compressed once for every file holding the same bytes
    (:func:`_compress_members`, :func:`_amended_members`) or copied from the previous version's file.
    """

    def __init__(self, target: Path, mtime: int) -> None:
        self.target = target
        self._temporary = target.with_name(f".{target.name}.partial")
        self._raw = open(self._temporary, "wb")  # noqa: SIM115 - closed by finish() or abort()
        self._hashing = _HashingWriter(self._raw)
        self.mtime = mtime
        self.members: dict[str, tuple[int, int]] = {}  # graph -> (offset, length)

    def copy(self, graph: str, compressed: Iterable[bytes]) -> None:
        """The member of ``graph``, compressed already (in chunks)."""
        offset = self._hashing.size
        for chunk in compressed:
            self._hashing.write(chunk)
        self.members[graph] = (offset, self._hashing.size - offset)

    def finish(self) -> tuple[int, str]:
        """Close, sync and publish the file under its name; its compressed size and SHA-256."""
        if not self.members:  # an empty dump is still a gzip file
            self.copy("", [igzip.compress(b"", GZIP_LEVEL, mtime=self.mtime)])
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self._temporary, self.target)
        return self._hashing.size, self._hashing.sha256.hexdigest()

    def abort(self) -> None:
        self._raw.close()
        self._temporary.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def intact_dumps(folder: Path) -> frozenset[str]:
    """The files of a dumps folder still as its manifest describes them (size and SHA-256): a damaged dump is not
    carried on.  Hashing them takes 0.23 s at 40,000 records: a harvest's helper does it ahead
    (:mod:`carrefour.artifacts.read_ahead`)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    return frozenset(entry.file for entry in manifest_files(manifest) if _intact(folder / entry.file, entry))


def _intact(path: Path, entry: DumpFile) -> bool:
    return path.is_file() and path.stat().st_size == entry.size and file_sha256(path) == entry.sha256


class _Reused:
    """The members of the previous version's dumps, for the graphs the session left as they were."""

    def __init__(self, folder: Path | None, unchanged: Callable[[ox.NamedNode], bool]) -> None:
        self._folder, self._unchanged = folder, unchanged
        try:
            index = json.loads((folder / MEMBERS).read_text(encoding="utf-8")) if folder is not None else {}
        except (OSError, ValueError):
            index = {}
        self._lines: dict[str, int] = index.pop("lines", {})
        intact = take(intact_dumps, folder) if folder is not None else frozenset()
        self._members: dict[str, dict[str, list[int]]] = {file: m for file, m in index.items() if file in intact}
        self._located = (ready(located_dumps, folder) if folder is not None else None) or {}

    def lines(self, graph: ox.NamedNode) -> int | None:
        """The statements the previous version dumped of the graph, when it says."""
        return self._lines.get(graph.value)

    def located(self, graph: ox.NamedNode) -> tuple[Located, Located] | None:
        """Where each subject's lines are in the graph's N-Triples and its Turtle, when found ahead."""
        return self._located.get(graph.value)

    def triples(self, graph: ox.NamedNode) -> Iterator[bytes] | None:
        """The graph's N-Triples as the previous version dumped them, a few MiB of whole lines at a time; None when
        there is no such member.

        From its own N-Triples file when it has one (a partner's, the curated data's), else from its member of the
        hub's N-Quads, each line's graph name taken out (0.5 s of a 1 % change at 40,000 records).
        """
        if self._folder is None:
            return None
        for file, members in self._members.items():
            if file.endswith(".nt.gz") and graph.value in members:
                return _member_lines(self._folder / file, *members[graph.value])
        member = self._members.get(WHOLE_QUADS, {}).get(graph.value)
        if member is None:
            return None
        return _member_lines(self._folder / WHOLE_QUADS, *member, f" {graph} .\n".encode())

    def turtle(self, graph: ox.NamedNode) -> Iterator[bytes] | None:
        """The graph's Turtle as the previous version dumped it (its member of the union), in chunks of whole
        lines; None when there is no such member."""
        member = self._members.get(WHOLE_UNION, {}).get(graph.value)
        if self._folder is None or member is None:
            return None
        return _member_lines(self._folder / WHOLE_UNION, *member)

    def copy(self, graph: ox.NamedNode, plans: list[DumpPlan], outputs: dict[str, GzipOutput]) -> int | None:
        """Copy the graph's members into the files holding it; its statements (None: it must be written)."""
        holding = [plan.file for plan in plans if plan.holds(graph.value)]
        if (
            self._folder is None
            or graph.value not in self._lines
            or not self._unchanged(graph)
            or not all(graph.value in self._members.get(file, {}) for file in holding)
        ):
            return None
        for file in holding:
            outputs[file].copy(graph.value, _chunks(self._folder / file, *self._members[file][graph.value]))
        return self._lines[graph.value]


LOCATED_LINES = 1_000  # a graph's blocks are found ahead past this many statements (below, a millisecond or two)


def located_dumps(folder: Path) -> dict[str, tuple[Located, Located]]:
    """Graph -> where each subject's lines are in its N-Triples and in its Turtle, as the previous version's dumps
    in ``folder`` hold them, for each graph with N-Triples of its own (a partner's: what a harvest amends) and
    of some size (0.5 s for the million statements of a partner at 40,000 records: a helper finds them ahead,
    :mod:`carrefour.artifacts.read_ahead`)."""
    index = json.loads((folder / MEMBERS).read_text(encoding="utf-8"))
    lines, union = index.pop("lines", {}), index.get(WHOLE_UNION, {})
    found = {}
    for file, members in index.items():
        for graph, (offset, length) in members.items() if file.endswith(".nt.gz") else ():
            if lines.get(graph, 0) >= LOCATED_LINES and graph in union and graph not in found:
                found[graph] = (
                    subject_runs(_member_lines(folder / file, offset, length)),
                    turtle_blocks(_member_lines(folder / WHOLE_UNION, *union[graph])),
                )
    return found


class _TriplesToQuads:
    """N-Triples of one graph written on as N-Quads: the graph name goes before each line's final `` .``.

    In N-Triples every line ends with `` .\n`` and no term holds a raw line break
    (literals escape it), so each ``b" .\n"`` ends a statement; a statement cut
    between two writes is kept until its end arrives.
    """

    def __init__(self, output: IO[bytes], graph: ox.NamedNode) -> None:
        self._output = output
        self._end = f" {graph} .\n".encode()
        self._pending = b""

    def write(self, data: bytes) -> int:
        cut = data.rfind(b"\n")
        if cut < 0:
            self._pending += data
            return len(data)
        lines, self._pending = self._pending + data[: cut + 1], data[cut + 1 :]
        self._output.write(lines.replace(b" .\n", self._end))
        return len(data)

    def close(self) -> None:
        if self._pending:
            raise ValueError("the N-Triples of a graph ended inside a statement")


_Sink = _TriplesToQuads | IO[bytes]


Content = Callable[[ox.NamedNode], "list[ox.Quad | ox.Triple] | None"]
CHUNK = 1 << 20


# compressed bytes inflated at a time: some 2 MiB of text, which the processor's caches hold (the 173 MiB of a
# partner's N-Triples at 40,000 records: 0.15 s by 128 KiB, 0.35 s by 1 MiB, which inflate to 14 MiB at a time)
INFLATED = 1 << 17


def _chunks(path: Path, offset: int, length: int, size: int = CHUNK) -> Iterator[bytes]:
    """``length`` bytes of the file from ``offset``, ``size`` at a time."""
    with open(path, "rb") as source:
        source.seek(offset)
        while length > 0 and (data := source.read(min(size, length))):
            length -= len(data)
            yield data


def _member_lines(path: Path, offset: int, length: int, end: bytes | None = None) -> Iterator[bytes]:
    """The lines of a gzip member, in chunks that end with a line; of N-Quads of one graph, as N-Triples with
    ``end`` (the graph's name and the final dot, which becomes the dot: no raw line break is inside a term)."""
    inflate = isal_zlib.decompressobj(wbits=31)  # a gzip member
    pending = b""
    for data in _chunks(path, offset, length, INFLATED):
        chunk = pending + inflate.decompress(data)
        cut = chunk.rfind(b"\n") + 1
        pending = chunk[cut:]
        yield chunk[:cut] if end is None else chunk[:cut].replace(end, b" .\n")
    if pending + inflate.flush():
        raise ValueError(f"{path}: a member ends inside a statement")


def _graph_files(view: Snapshot | Writer, graph: ox.NamedNode, content: Content | None, scratch: Path) -> int | None:
    """The graph as N-Triples in ``scratch.nt`` and as Turtle in ``scratch.ttl``; its statements when known without
    counting the lines (a list written), else None.

    A graph the write session has just replaced is serialised from the list it was
    given (duplicates dropped, as the store drops them), a fraction of a second for a
    million triples; any other graph is read from the store once, as N-Triples, and
    that file is parsed again into Turtle (parsing is several times faster than
    reading the store a second time).  The store's order keeps each subject's triples
    together, and so does a writer's list, so the Turtle groups them.
    """
    nt, ttl = scratch.with_suffix(".nt"), scratch.with_suffix(".ttl")
    written = content(graph) if content is not None else None
    if written is not None:
        unique = dict.fromkeys(t if type(t) is ox.Triple else ox.Triple(t.subject, t.predicate, t.object)
                               for t in written)  # fmt: skip
        triples = as_stored(list(unique))
        ox.serialize(triples, nt, ox.RdfFormat.N_TRIPLES)
        ox.serialize(triples, ttl, ox.RdfFormat.TURTLE)
        return len(triples)
    with open(nt, "wb") as output:
        view.dump(output, ox.RdfFormat.N_TRIPLES, graph)
    with open(ttl, "wb") as output:
        ox.serialize(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES), output, ox.RdfFormat.TURTLE)
    return None


class _Tee:
    """Bytes written on to several sinks."""

    def __init__(self, sinks: list[_Sink]) -> None:
        self._sinks = sinks

    def write(self, data: bytes) -> int:
        for sink in self._sinks:
            sink.write(data)
        return len(data)

    def writelines(self, lines: Iterable[bytes]) -> None:
        self.write(b"".join(lines))


def _amended_members(amend: _Amend, scratch: Path, graph: ox.NamedNode, names: list[str], mtime: int) -> int | None:
    """The graph's members of the formats ``names`` in ``scratch.{name}.gz``, compressed as its amended N-Triples
    and Turtle are written (writing a partner's 260 MiB of text out, then reading it back to compress it, took
    1.2 s of a 1 % change at 40,000 records); its statements, or None (the members left incomplete) when it could
    not be amended.  One thread: the helper process works on the other core meanwhile."""
    with ExitStack() as stack:
        member = {
            name: stack.enter_context(igzip.GzipFile("", "wb", GZIP_LEVEL, stack.enter_context(
                open(scratch.with_suffix(f".{name}.gz"), "wb")), mtime))
            for name in names
        }  # fmt: skip
        quads = _TriplesToQuads(member["nq"], graph) if "nq" in member else None
        written = amend.triples(_Tee([sink for sink in (member.get("nt"), quads) if sink is not None]))
        if written is None or ("ttl" in member and not amend.turtle(member["ttl"])):
            return None
        if quads is not None:
            quads.close()
    return written


Amendment = tuple[list[ox.Triple], list[ox.Triple]]  # the statements a session removed from a graph, and added


@dataclass(frozen=True)
class Amendments:
    changes: dict[ox.NamedNode, Amendment]  # graph -> what the session removed from it and added to it
    sizes: dict[str, int]  # graph IRI -> statements it holds now: what the amended N-Triples must count


def amended_triples(
    previous: Iterable[bytes],
    removed: list[ox.Triple],
    added: list[ox.Triple],
    output: _Tee | IO[bytes],
    lines_of: dict[bytes, list[bytes]] | None = None,
    located: Located | None = None,
    lines: int | None = None,
) -> int | None:
    """Write a graph's N-Triples from its previous ones (chunks of whole lines), less the lines of the statements
    removed, plus those added; the lines written, or None (nothing to keep of what was written) when a blank node
    is among them (its label in the previous dump is the store's own) or ``located`` is wrong.  ``lines_of``, when
    given, is filled with the lines each subject that lost or gained a statement holds now, in runs of whole lines
    (its Turtle block is made from them, see :func:`_blocks`).  ``located``: where each subject's lines are in the
    previous N-Triples (:func:`carrefour.artifacts.dump_blocks.subject_runs`), each checked when read.  ``lines``:
    how many the previous N-Triples hold, when known (else counted as they are read: 0.15 s for a million).

    A subject's new lines take the place of its first line removed (a value changed stays among the
    subject's others, and the Turtle groups them); those of a subject that lost nothing come last, together.
    Reading a million statements back from the store took 6 to 11 s of a 1 % change at 40,000 records;
    this compares lines as bytes, a chunk at a time: both sides are written by the store's N-Triples writer,
    the session's literals in the store's canonical form (``as_stored``).  A chunk is read as blocks of lines of
    one subject, found by the regular expression engine unless ``located``, and only the blocks of a subject that
    lost a statement are read line by line (a Python loop over each of a million lines took 1 s).
    """
    if any(isinstance(term, ox.BlankNode) for t in (*removed, *added) for term in (t.subject, t.object)):
        return None
    gone = set(_lines(removed))
    losing = {line[: line.index(b" ")] for line in gone}
    pending: dict[bytes, list[bytes]] = {}
    for line in _lines(added):
        pending.setdefault(line[: line.index(b" ")], []).append(line)
    now = lines_of if lines_of is not None else {}
    changed = losing | pending.keys() if lines_of is not None else losing
    for subject in changed:
        now[subject] = list(pending.get(subject, ()))
    written = lines or 0
    within = BlocksInChunks(located, changed) if located is not None else None
    for chunk in previous:
        if lines is None:
            written += chunk.count(b"\n")
        start = 0  # what is not written of the chunk yet
        if within is None:
            blocks = [(b.start(), b.end(), b[1], True) for b in SUBJECT_RUN.finditer(chunk) if b[1] in changed]
        else:
            blocks = within.chunk(len(chunk))
            if not all(is_run(chunk, at, end, subject) for at, end, subject, _ in blocks):
                return None
        for at, end, subject, _ in blocks:
            if subject not in losing:  # it gained statements only: its lines stay
                now[subject].append(chunk[at:end])
                continue
            for line in chunk[at:end].splitlines(keepends=True):  # ``at``: where the line read begins
                if line in gone:
                    new = pending.pop(subject, ())
                    output.write(chunk[start:at])
                    output.writelines(new)
                    written += len(new) - 1
                    start = at + len(line)
                else:
                    now[subject].append(line)
                at += len(line)
        output.write(chunk[start:])
    if within is not None and not within.whole():
        return None
    for lines in pending.values():
        output.writelines(lines)
        written += len(lines)
    return written


def amended_turtle(
    previous: Iterable[bytes], now: dict[bytes, bytes], output: IO[bytes], located: Located | None = None
) -> bool:
    """Write a graph's Turtle from its previous one (chunks of whole lines), each subject of ``now`` (written as in
    Turtle, ``<iri>``) in its block there given, in place of its block before, or after every other block; False
    (nothing to keep of what was written) when ``located`` (where each subject's blocks are,
    :func:`carrefour.artifacts.dump_blocks.turtle_blocks`) is wrong.

    The store's Turtle writer begins each subject's block on a line of its own and every following line of it with
    a tab (it writes no prefix, and escapes a line break in a literal): a block is found by its first line.
    Parsing a million statements again to write them as Turtle took 3.4 s of a 1 % change at 40,000 records.
    """
    pending = dict(now)
    within = BlocksInChunks(located, now.keys()) if located is not None else None
    replaced = False  # whether the block being read is one replaced (a block may go on in the next chunk)
    for chunk in previous:
        start = 0  # where what is not written yet begins
        if within is not None:
            for at, end, subject, begins in within.chunk(len(chunk)):
                if not is_block(chunk, at, end, subject, begins):
                    return False
                output.write(chunk[start:at])
                if begins:
                    output.write(pending.pop(subject, b""))
                start = end
            output.write(chunk[start:])
            continue
        # found by the regular expression engine, not line by line (the chunk's last line break begins no line)
        for block in BLOCK_START.finditer(b"\n" + chunk, 0, len(chunk)):
            at = block.start()  # in the chunk: the line after the line break matched
            if replaced:
                start = at  # the block replaced ends here
            replaced = block[1] in now
            if replaced:
                output.write(chunk[start:at])
                output.write(pending.pop(block[1], b""))
                start = at
        if not replaced:
            output.write(chunk[start:])
    if within is not None and not within.whole():
        return False
    output.writelines(pending.values())
    return True


def _blocks(lines_of: dict[bytes, list[bytes]]) -> dict[bytes, bytes]:
    """Subject (as Turtle writes it, ``<iri>``, as N-Triples do) -> its block of the graph's Turtle now, from the
    N-Triples lines it holds now (empty: it has none left).  For the 1,200 subjects of a 1 % change at 40,000
    records, 0.05 s where reading them from the store (every term decoded) took 0.4 s."""
    found = {}
    for subject, lines in lines_of.items():
        triples = ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES) if lines else ()
        found[subject] = ox.serialize(triples, format=ox.RdfFormat.TURTLE) if lines else b""
    return found


def _lines(triples: list[ox.Triple]) -> list[bytes]:
    return ox.serialize(as_stored(triples), format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True) if triples else []


_TEXT = frozenset({XSD + "string", RDF + "langString"})
_VALUE_SUBJECT = "urn:carrefour:literal:"


def as_stored(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples written as the store gives them back: Oxigraph keeps numbers, booleans and dates as values,
    written again in their canonical form (``"2.50"^^xsd:decimal`` comes back ``"2.5"``), so a graph dumps the
    same from a session's list as from the store (a later version copies its member, see ``_Reused``).

    Each distinct typed literal goes through an in-memory store once: a fraction of a second for a million triples.
    """
    typed = list(
        {t.object for t in triples if isinstance(t.object, ox.Literal) and t.object.datatype.value not in _TEXT}
    )
    if not typed:
        return triples
    values = ox.Store()
    predicate = ox.NamedNode(_VALUE_SUBJECT + "value")
    values.extend(ox.Quad(ox.NamedNode(f"{_VALUE_SUBJECT}{i}"), predicate, literal) for i, literal in enumerate(typed))
    canonical = {}
    for quad in values.quads_for_pattern(None, predicate, None):
        literal = typed[int(quad.subject.value[len(_VALUE_SUBJECT) :])]
        if quad.object != literal:
            canonical[literal] = quad.object
    if not canonical:
        return triples
    return [ox.Triple(t.subject, t.predicate, canonical[t.object]) if t.object in canonical else t for t in triples]


def _copy(path: Path, sinks: list[_Sink], count: bool = False) -> int | None:
    """Write the file into every sink; the number of lines (of statements, in N-Triples) when asked to ``count``
    (0.15 s for a million)."""
    lines = 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            if count:
                lines += chunk.count(b"\n")
            for sink in sinks:
                sink.write(chunk)
    for sink in sinks:
        if isinstance(sink, _TriplesToQuads):
            sink.close()
    return lines if count else None


def write_nquads(triples: list[ox.Triple], graph: ox.NamedNode, path: Path) -> None:
    """``triples`` as N-Quads of ``graph``: the N-Triples writer, then the graph name on each line.

    Several times faster than making a quad of each triple in Python first.
    """
    scratch = path.with_name(f".{path.name}.nt")
    try:
        ox.serialize(triples, scratch, ox.RdfFormat.N_TRIPLES)
        with open(path, "wb") as output:
            _copy(scratch, [_TriplesToQuads(output, graph)])
    finally:
        scratch.unlink(missing_ok=True)


def write_dumps(
    view: Snapshot | Writer,
    hub: Hub,
    folder: Path,
    progress: Callable[[str, int, int], None] | None = None,
    content: Content | None = None,
    union: int | None = None,
    previous: Path | None = None,
    unchanged: Callable[[ox.NamedNode], bool] = lambda graph: False,
    amendments: Amendments | None = None,
) -> dict[str, Any]:
    """Write every dump of ``view`` into ``folder``, then its manifest; return the manifest.

    Graph after graph, the graph is written out once as N-Triples and once as Turtle
    (``_graph_files``); the N-Triples go into the hub's N-Quads and the partner's
    N-Triples, the Turtle into the hub's union and the partner's Turtle.  The hub's
    data lives in named graphs only (writers replace named graphs), so the whole-hub
    dumps are the named graphs, one after the other, but for the history.

    :param progress: called before each graph with its name, its rank and the number of graphs.
    :param content: what a write session wrote into a graph, when it did (``EmbeddedWriter.written``).
    :param union: the distinct triples of the union, when already counted (else counted here).
    :param previous: the previous version's dumps folder, whose members of the ``unchanged`` graphs are copied.
    :param amendments: what the session removed from and added to each graph it changed without replacing it:
        those graphs are written from the previous version's N-Triples (``amended_triples``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    plans = plan_dumps(view, hub)
    # the history grows with every session: it is followed through its event streams, not dumped each time
    graphs = [graph for graph in view.graphs() if graph != history_graph(hub)]
    counts: dict[str, int] = {}
    mtime = int(view.info.published.timestamp())
    outputs = {plan.file: GzipOutput(folder / plan.file, mtime) for plan in plans}
    scratch = folder / ".graph.partial"
    written: dict[str, tuple[int, str]] = {}
    reused = _Reused(previous, unchanged)
    try:
        for rank, graph in enumerate(graphs):
            if progress is not None:
                progress(graph.value, rank, len(graphs))
            copied = reused.copy(graph, plans, outputs)
            if copied is not None:
                counts[graph.value] = copied
                continue
            holding = [p for p in plans if p.holds(graph.value)]
            names = [name for name in _MEMBERS if any(plan.format == name for plan in holding)]
            amend = _amender(reused, graph, amendments)
            amended = _amended_members(amend, scratch, graph, names, mtime) if amend is not None else None
            if amended is None:
                known = _graph_files(view, graph, content, scratch)
                amended = _compress_members(scratch, graph, names, mtime, known)
            counts[graph.value] = amended
            for plan in holding:
                packed = scratch.with_suffix(f".{plan.format}.gz")
                outputs[plan.file].copy(graph.value, _chunks(packed, 0, packed.stat().st_size))
        for file, output in outputs.items():
            written[file] = output.finish()
    except BaseException:
        for file, output in outputs.items():
            if file not in written:
                output.abort()
        raise
    finally:
        for suffix in (".nt", ".ttl", *(f".{name}.gz" for name in _MEMBERS)):
            scratch.with_suffix(suffix).unlink(missing_ok=True)
    date = view.info.published.isoformat()
    licences = {graph.value: graph_licence(view, hub, graph.value) for graph in graphs}
    files = []
    for plan in plans:
        info = formats.by_name(plan.format)
        assert info is not None
        size, digest = written[plan.file]
        held = [graph for graph in counts if plan.holds(graph)]
        if plan.file == WHOLE_UNION:
            triples = union if union is not None else dumped_triples(union_triples(view), graph_counts(view), hub)
        else:
            triples = sum(counts[graph] for graph in held)
        files.append(
            DumpFile(
                file=plan.file,
                format=plan.format,
                media_type=info.media_type,
                encoding="gzip",
                graph=plan.graph,
                partner=plan.partner,
                title=plan.title,
                size=size,
                sha256=digest,
                date=date,
                triples=triples,
                licences=tuple(sorted({licence for graph in held if (licence := licences[graph]) is not None})),
            )
        )
    members = {file: output.members for file, output in outputs.items()}
    (folder / MEMBERS).write_text(json.dumps({**members, "lines": counts}), encoding="utf-8")
    manifest = {"version": view.info.version, "published": date, "files": [asdict(f) for f in files]}
    temporary = folder / f".{MANIFEST}.partial"
    temporary.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)
    return manifest


_MEMBERS = {"nq": ".nt", "nt": ".nt", "ttl": ".ttl"}  # format -> the scratch file its member is made from


def _compress_members(scratch: Path, graph: ox.NamedNode, names: list[str], mtime: int, known: int | None) -> int:
    """The graph's member of each format of ``names`` in ``scratch.{name}.gz``, from its N-Triples and Turtle in
    ``scratch``; its statements (``known``, else counted once, as the N-Triples or N-Quads are compressed).

    Each format's member is compressed once and copied into every file of that format: the hub's N-Quads and its
    open part hold the same bytes, and so do the union's Turtle and the partner's (compressing 5 members, where
    3 differ, took 3.4 s of a 1 % change's 11.5 s of dumps at 40,000 records).  The three formats are compressed
    side by side, one thread each: ISA-L lets go of the interpreter while it compresses.
    """
    counted = None if known is not None else next((name for name in names if name != "ttl"), None)

    def compress(name: str) -> int | None:
        return _compress(scratch, graph, name, mtime, count=name == counted)

    with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
        lines = dict(zip(names, pool.map(compress, names), strict=True))
    return known if known is not None else lines.get(counted or "") or 0


def _compress(scratch: Path, graph: ox.NamedNode, name: str, mtime: int, count: bool) -> int | None:
    """The member of format ``name`` in ``scratch.{name}.gz``; the lines it holds when asked to ``count``."""
    packed = scratch.with_suffix(f".{name}.gz")
    with open(packed, "wb") as raw, igzip.GzipFile("", "wb", GZIP_LEVEL, raw, mtime) as member:
        sink = _TriplesToQuads(member, graph) if name == "nq" else member
        return _copy(scratch.with_suffix(_MEMBERS[name]), [sink], count)


@dataclass(frozen=True)
class _Amend:
    triples: Callable[[_Tee], int | None]  # writes the N-Triples; their count when it is what the graph holds
    turtle: Callable[[IO[bytes]], bool]  # writes the Turtle, once the N-Triples are right; False: it could not


def _amender(reused: _Reused, graph: ox.NamedNode, amendments: Amendments | None) -> _Amend | None:
    """What writes the graph's N-Triples, and its Turtle, from the previous version's and what the session changed,
    when both are known (else the graph is read from the store)."""
    amendment = amendments.changes.get(graph) if amendments is not None else None
    previous = reused.triples(graph) if amendment is not None else None
    turtle = reused.turtle(graph) if previous is not None else None
    if previous is None or turtle is None or amendment is None or amendments is None:
        return None
    size = amendments.sizes.get(graph.value)
    located = reused.located(graph)  # found ahead by the helper, when it was

    lines_of: dict[bytes, list[bytes]] = {}  # the changed subjects' lines now, as the N-Triples are amended

    def triples(output: _Tee) -> int | None:
        written = amended_triples(
            previous, *amendment, output, lines_of, located[0] if located else None, reused.lines(graph)
        )
        return written if written is not None and written == size else None

    def amend_turtle(output: IO[bytes]) -> bool:
        return amended_turtle(turtle, _blocks(lines_of), output, located[1] if located else None)

    return _Amend(triples, amend_turtle)


def session_amendments(writer: Writer, sizes: dict[str, int], previous: dict[str, Any]) -> Amendments | None:
    """What the session removed from and added to each graph it changed, when it kept the list and the list is
    short beside the store (else the graphs it changed are read back from the store).

    :param sizes: the statements each graph holds now (the version's statistics).
    :param previous: the previous version's statistics.
    """
    if writer.delta is None or writer.previous is None or not short_beside(writer.delta, previous):
        return None
    if all(writer.written(graph) is not None for graph in writer.changed):
        return Amendments({}, sizes)  # every graph changed was replaced by a list: none amended
    found: dict[ox.NamedNode, Amendment] = {}
    for index, quads in enumerate(writer.delta.removed_and_added(writer.previous, writer)):
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                found.setdefault(quad.graph_name, ([], []))[index].append(quad.triple)
    return Amendments(found, sizes)


def build_dumps(writer: Writer, hub: Hub) -> None:
    """The builder run at publication: dumps of the version being written, next to it.

    The union's size is read from the statistics this version's publication wrote just
    before (it takes the store a second a million quads to count), and so is each graph's,
    which a graph made from the previous version's dump must match.
    """
    stats = stats_in(writer.artifacts) or {}
    own = stats if stats.get("version") == writer.info.version else {}
    previous = current_previous(writer)  # carried ones are another version's: nothing is copied from them
    sizes = own.get("graphs")
    write_dumps(
        writer, hub, writer.artifacts / DUMPS_DIR, content=writer.written, union=own.get("dumped_triples"),
        previous=previous / DUMPS_DIR if previous is not None else None,
        unchanged=lambda graph: graph not in writer.changed,
        amendments=session_amendments(writer, sizes, stats_in(previous) or {})
        if previous is not None and sizes is not None
        else None,
    )  # fmt: skip


def dumps_folder(snapshot: Snapshot) -> Path | None:
    """The folder of the published version's dumps, when this machine has them."""
    if snapshot.info.artifacts is None:
        return None
    folder = snapshot.info.artifacts / DUMPS_DIR
    return folder if (folder / MANIFEST).is_file() else None


def copy_dumps(snapshot: Snapshot, out: Path) -> dict[str, Any] | None:
    """Copy the published version's dumps into ``out`` when this machine has them (None otherwise).

    The files are those published, byte for byte, each checked against its manifest
    entry; the manifest comes last, so a folder with a manifest is complete.
    """
    folder, manifest = dumps_folder(snapshot), read_manifest(snapshot)
    if folder is None or manifest is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    for entry in manifest_files(manifest):
        target = out / entry.file
        temporary = target.with_name(f".{target.name}.partial")
        shutil.copyfile(folder / entry.file, temporary)
        if temporary.stat().st_size != entry.size:
            temporary.unlink()
            raise OSError(f"{folder / entry.file} is not the file its manifest lists (size)")
        os.replace(temporary, target)
    shutil.copyfile(folder / MANIFEST, out / MANIFEST)
    return manifest


def read_manifest(snapshot: Snapshot) -> dict[str, Any] | None:
    """The published version's manifest, or None when its dumps are not on this machine."""
    folder = dumps_folder(snapshot)
    if folder is None:
        return None
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def manifest_files(manifest: dict[str, Any] | None) -> Iterator[DumpFile]:
    """The manifest's files, only those whose name is a plain file name (the web layer serves nothing else)."""
    for entry in (manifest or {}).get("files", []):
        if _SAFE_FILE.match(entry["file"]):
            yield DumpFile(**{**entry, "licences": tuple(entry.get("licences", ()))})
