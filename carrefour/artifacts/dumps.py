"""Bulk dumps of a published version: the whole hub and each partner graph, gzipped.

They are written at publication, inside the write session, so a version and its
dumps appear together.  The store's own serialiser streams each graph through gzip
to disk (never a graph in memory); reading the store is the slow part, so each graph
is read from it once and what it writes is fanned out to every file made of that
graph.  Files are hashed on the way and described in
``dumps.json`` (file, format, graph, size, SHA-256, date, triple count), which the
web layer, VoID and DCAT read instead of touching the files again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from carrefour import formats
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import Hub, slugify

DUMPS_DIR = "dumps"
MANIFEST = "dumps.json"
GZIP_LEVEL = 3  # half the time of zlib's default 6 for a fifth more bytes, on the hub's N-Quads
GZIP_MEDIA_TYPE = "application/gzip"
_SAFE_FILE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.gz$")


@dataclass(frozen=True)
class DumpPlan:
    """One file to write: which graph (None: the whole hub) in which format."""

    file: str
    format: str  # a name of carrefour.formats
    graph: str | None
    partner: str | None
    title: str


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


def partner_graphs(view: Snapshot | Writer, hub: Hub) -> dict[str, ox.NamedNode]:
    """Partner id -> the partner's data graph (``graph/partner/{id}``)."""
    prefix = hub.iri("graph", "partner") + "/"
    return {g.value[len(prefix) :]: g for g in view.graphs() if g.value.startswith(prefix)}


def plan_dumps(view: Snapshot | Writer, hub: Hub) -> list[DumpPlan]:
    """The files of a version: the hub in N-Quads and Turtle, each partner graph in Turtle and N-Triples."""
    plans = [
        DumpPlan("carrefour.nq.gz", "nq", None, None, "Carrefour — every named graph (N-Quads)"),
        DumpPlan("carrefour.ttl.gz", "ttl", None, None, "Carrefour — union of the graphs (Turtle)"),
    ]
    for partner, graph in sorted(partner_graphs(view, hub).items()):
        stem = f"partner-{slugify(partner, max_length=80)}"
        for name in ("ttl", "nt"):
            label = "Turtle" if name == "ttl" else "N-Triples"
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
    """One dump being written: gzip into a temporary file, hashed on the way, renamed into place at the end."""

    def __init__(self, target: Path, mtime: int) -> None:
        self.target = target
        self._temporary = target.with_name(f".{target.name}.partial")
        self._raw = open(self._temporary, "wb")  # noqa: SIM115 - closed by finish() or abort()
        self._hashing = _HashingWriter(self._raw)
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._hashing, compresslevel=GZIP_LEVEL, mtime=mtime)

    def write(self, data: bytes) -> int:
        return self._gzip.write(data)

    def finish(self) -> tuple[int, str]:
        """Close, sync and publish the file under its name; its compressed size and SHA-256."""
        self._gzip.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self._temporary, self.target)
        return self._hashing.size, self._hashing.sha256.hexdigest()

    def abort(self) -> None:
        self._gzip.close()
        self._raw.close()
        self._temporary.unlink(missing_ok=True)


class _Fanout:
    """Write what the store's serialiser writes into several dumps at once."""

    def __init__(self, sinks: list[_Sink]) -> None:
        self._sinks = sinks

    def write(self, data: bytes) -> int:
        for sink in self._sinks:
            sink.write(data)
        return len(data)

    def flush(self) -> None:
        """The serialiser's flush: nothing to do, the dumps are closed by ``finish``."""

    def end_of_graph(self) -> None:
        for sink in self._sinks:
            if isinstance(sink, _TriplesToQuads):
                sink.end_of_graph()


class _TriplesToQuads:
    """N-Triples of one graph written on as N-Quads: the graph name goes before each line's final `` .``.

    In N-Triples every line ends with `` .\n`` and no term holds a raw line break
    (literals escape it), so each ``b" .\n"`` ends a statement; a statement cut
    between two writes is kept until its end arrives.
    """

    def __init__(self, output: GzipOutput, graph: ox.NamedNode) -> None:
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

    def end_of_graph(self) -> None:
        if self._pending:
            raise ValueError("the N-Triples of a graph ended inside a statement")


_Sink = GzipOutput | _TriplesToQuads | IO[bytes]


def _sinks(
    plans: list[DumpPlan], outputs: dict[str, GzipOutput], graph: ox.NamedNode, names: tuple[str, ...]
) -> list[_Sink]:
    """The dumps that ``graph`` goes into, among the formats ``names``."""
    return [
        _TriplesToQuads(outputs[plan.file], graph) if plan.format == "nq" else outputs[plan.file]
        for plan in plans
        if plan.format in names and plan.graph in (None, graph.value)
    ]


def write_dumps(
    view: Snapshot | Writer,
    hub: Hub,
    folder: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write every dump of ``view`` into ``folder``, then its manifest; return the manifest.

    Graph after graph, the store writes the graph once, as N-Triples, into the hub's
    N-Quads, the partner's N-Triples and a scratch file; the scratch file is then
    parsed again into Turtle for the hub's union and the partner's Turtle (parsing is
    several times faster than reading the store a second time).  The store's order
    keeps each subject's triples together, so the Turtle groups them.  The hub's
    data lives in named graphs only (writers replace named graphs), so the whole-hub
    dumps are the named graphs, one after the other.

    :param progress: called before each graph with its name, its rank and the number of graphs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    plans = plan_dumps(view, hub)
    graphs = view.graphs()
    counts = {g.value: view.count(g) for g in graphs}
    mtime = int(view.info.published.timestamp())
    outputs = {plan.file: GzipOutput(folder / plan.file, mtime) for plan in plans}
    scratch = folder / ".graph.nt.partial"
    written: dict[str, tuple[int, str]] = {}
    try:
        for rank, graph in enumerate(graphs):
            if progress is not None:
                progress(graph.value, rank, len(graphs))
            with open(scratch, "wb") as copy:
                triples = _Fanout([*_sinks(plans, outputs, graph, ("nq", "nt")), copy])
                view.dump(triples, ox.RdfFormat.N_TRIPLES, graph)  # type: ignore[arg-type]
                triples.end_of_graph()
            turtle = _Fanout(_sinks(plans, outputs, graph, ("ttl",)))
            ox.serialize(ox.parse(path=scratch, format=ox.RdfFormat.N_TRIPLES), turtle, ox.RdfFormat.TURTLE)
        for file, output in outputs.items():
            written[file] = output.finish()
    except BaseException:
        for file, output in outputs.items():
            if file not in written:
                output.abort()
        raise
    finally:
        scratch.unlink(missing_ok=True)
    date = view.info.published.isoformat()
    files = []
    for plan in plans:
        info = formats.by_name(plan.format)
        assert info is not None
        size, digest = written[plan.file]
        triples = counts.get(plan.graph, 0) if plan.graph else sum(counts.values())
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
            )
        )
    manifest = {"version": view.info.version, "published": date, "files": [asdict(f) for f in files]}
    temporary = folder / f".{MANIFEST}.partial"
    temporary.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)
    return manifest


def build_dumps(writer: Writer, hub: Hub) -> None:
    """The builder run at publication: dumps of the version being written, next to it."""
    write_dumps(writer, hub, writer.artifacts / DUMPS_DIR)


def dumps_folder(snapshot: Snapshot) -> Path | None:
    """The folder of the published version's dumps, when this machine has them."""
    if snapshot.info.artifacts is None:
        return None
    folder = snapshot.info.artifacts / DUMPS_DIR
    return folder if (folder / MANIFEST).is_file() else None


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
            yield DumpFile(**entry)
