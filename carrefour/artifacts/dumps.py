"""Bulk dumps of a published version: the whole hub and each partner graph, gzipped.

They are written at publication, inside the write session, so a version and its
dumps appear together.  Each file is streamed from the store through gzip to disk
(the store's own dump, never a graph in memory), hashed on the way, and described
in ``dumps.json``: file, format, graph, size, SHA-256, date and triple count, which
the web layer, VoID and DCAT read instead of touching the files again.
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
GZIP_LEVEL = 6  # zlib's default: most of level 9's ratio at a fraction of its time
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


def write_dump(view: Snapshot | Writer, plan: DumpPlan, target: Path) -> tuple[int, str]:
    """Stream one dump to ``target`` (atomically: a temporary name, then a rename); return size and SHA-256."""
    info = formats.by_name(plan.format)
    assert info is not None, plan.format
    graph = ox.NamedNode(plan.graph) if plan.graph else None
    temporary = target.with_name(f".{target.name}.partial")
    mtime = int(view.info.published.timestamp())
    try:
        with open(temporary, "wb") as raw:
            hashing = _HashingWriter(raw)
            with gzip.GzipFile(filename="", mode="wb", fileobj=hashing, compresslevel=GZIP_LEVEL, mtime=mtime) as gz:
                view.dump(gz, info.oxigraph, graph)  # type: ignore[arg-type]
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return hashing.size, hashing.sha256.hexdigest()


def write_dumps(
    view: Snapshot | Writer,
    hub: Hub,
    folder: Path,
    progress: Callable[[DumpPlan, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write every dump of ``view`` into ``folder`` and its manifest last; return the manifest.

    :param progress: called before each file with the plan, its index and the number of files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    plans = plan_dumps(view, hub)
    counts = {g.value: view.count(g) for g in view.graphs()}
    date = view.info.published.isoformat()
    files = []
    for index, plan in enumerate(plans):
        if progress is not None:
            progress(plan, index, len(plans))
        size, digest = write_dump(view, plan, folder / plan.file)
        info = formats.by_name(plan.format)
        assert info is not None
        triples = counts.get(plan.graph, 0) if plan.graph else sum(counts.values())
        files.append(
            DumpFile(
                plan.file,
                plan.format,
                info.media_type,
                "gzip",
                plan.graph,
                plan.partner,
                plan.title,
                size,
                digest,
                date,
                triples,
            )  # fmt: skip
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
    for entry in (manifest or {}).get("files", []):
        if _SAFE_FILE.match(entry["file"]):
            yield DumpFile(**entry)
