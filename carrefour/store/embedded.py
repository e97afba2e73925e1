"""The embedded store: pyoxigraph on disk, published in generations.

RocksDB allows one writer per database, and read-only handles do not see later
writes.  So each publication is a new *generation*: a write session checkpoints the
current generation (``Store.backup``: hard links, milliseconds), changes the copy,
builds the version's artifacts next to it (dumps, search index, statistics), and
then flips one pointer file atomically (``os.replace``).  Readers stat the pointer
on every snapshot and reopen read-only when it moves, so a running server sees a
finished harvest without a restart and never half of one.  A killed writer leaves
an uncommitted folder that the next writer deletes; the pointer never moved.

Layout of the store folder::

    CURRENT.json            pointer to the published generation
    write.lock              held (flock) by the one write session
    generations/00000012/   store/ (RocksDB), artifacts/, COMMITTED
    generations/LAST        the last generation number used
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from carrefour.errors import BaseMismatch, QueryError, StoreBusy, StoreError
from carrefour.store.base import Bindings, DatasetInfo, Neighbourhood, PublicQuery, QueryAnswer, Solution, Term
from carrefour.store.delta import DELTA_LIMIT, Delta
from carrefour.store.query_pool import QueryPool
from carrefour.vocab import RDF_TYPE

POINTER = "CURRENT.json"
# Quads per bulk load: a million quads took 5.7 s in batches of 50,000, 8.0 s in batches of 200,000
# (which also buffer more); the many files small batches make are compacted before anyone reads them.
BULK_BATCH = 50_000
COMMITTED = "COMMITTED"
# Fewer quads than this are added in place: a bulk load writes files of its own, some 25 ms even for one quad.
AMEND_IN_PLACE = 10_000


def touch(quad: ox.Quad) -> str:
    """What a statement added or removed is about, for ``EmbeddedWriter.touched``: its predicate, or its class."""
    return f"{quad.predicate.value} {quad.object.value}" if quad.predicate == RDF_TYPE else quad.predicate.value


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class OxigraphView:
    """Read operations over one pyoxigraph store (shared by snapshots and writers)."""

    def __init__(self, store: ox.Store, info: DatasetInfo) -> None:
        self._store = store
        self.info = info

    def quads(
        self,
        subject: Term | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(subject, predicate, object, graph)

    def contains(self, quad: ox.Quad) -> bool:
        return quad in self._store  # a fifth of a pattern's time: no term is decoded

    def describe(self, iri: ox.NamedNode) -> list[ox.Quad]:
        quads = list(self._store.quads_for_pattern(iri, None, None, None))
        prefix = iri.value + "#"
        seen = {iri}
        queue = [q.object for q in quads]
        while queue:
            node = queue.pop()
            if isinstance(node, ox.NamedNode) and node.value.startswith(prefix) and node not in seen:
                seen.add(node)
                found = list(self._store.quads_for_pattern(node, None, None, None))
                quads.extend(found)
                queue.extend(q.object for q in found)
        return quads

    def neighbourhood(
        self, iri: ox.NamedNode, predicates: Sequence[ox.NamedNode], referring: bool = True
    ) -> Neighbourhood:
        return Neighbourhood(self.describe(iri), list(self.quads(None, None, iri, None)) if referring else None)

    def lookup(self, subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> list[ox.Quad]:
        return [q for s in subjects for p in predicates for q in self._store.quads_for_pattern(s, p, None, None)]

    def _query(self, query: str, bindings: Bindings | None) -> object:
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        try:
            return self._store.query(query, use_default_graph_as_union=True, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from exc
        except RuntimeError as exc:  # e.g. a bound variable missing from the projection
            raise QueryError(f"query cannot run: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Solution]:
        results = self._query(query, bindings)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        names = [v.value for v in results.variables]
        rows = []
        for solution in results:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        results = self._query(query, bindings)
        if not isinstance(results, ox.QueryBoolean):
            raise QueryError("ask() needs an ASK query")
        return bool(results)

    def graphs(self) -> list[ox.NamedNode]:
        return sorted((g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is None:
            return len(self._store)
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": graph})
        return int(rows[0]["n"].value) if rows else 0

    def dump(self, output: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        if graph is not None or format.supports_datasets:
            self._store.dump(output, format, from_graph=graph)
            return
        # A triples format for the whole dataset: the union, one graph at a time so
        # that each graph's triples stay grouped by subject.
        for name in self.graphs():
            self._store.dump(output, format, from_graph=name)


class EmbeddedSnapshot(OxigraphView):
    """A published generation opened read-only."""

    def __init__(self, store: ox.Store, info: DatasetInfo, store_path: Path, pool: QueryPool) -> None:
        super().__init__(store, info)
        self.store_path = store_path
        self._pool = pool

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        return self._pool.run(str(self.store_path), query, dict(query.prefixes))

    def backup(self, target: Path) -> None:
        """Checkpoint this generation into ``target`` (hard links on one file system)."""
        self._store.backup(str(target))


class EmbeddedWriter(OxigraphView):
    """A write session on a new generation, published by ``EmbeddedStore.writer``."""

    def __init__(self, store: ox.Store, info: DatasetInfo, previous: EmbeddedSnapshot | None, artifacts: Path) -> None:
        super().__init__(store, info)
        self.previous = previous
        self.artifacts = artifacts
        self.changed: set[ox.NamedNode] = set()  # graphs this session replaced or dropped
        # graphs this session only amended: the statements it added, and the (subject, predicate) pairs it removed from
        self.amended: dict[ox.NamedNode, tuple[set[ox.Quad], set[tuple[Term, ox.NamedNode]]]] = {}
        self._written: dict[ox.NamedNode, list[ox.Quad | ox.Triple]] = {}
        self._rewrote = False  # a graph replaced, dropped or bulk-loaded: compact() compacts; amendments flush
        # what the statements this session added or removed were about (``touch``), so that an artifact reading
        # none of it is carried over (carrefour.artifacts); None once a graph came or went whole, unseen
        self.touched: set[str] | None = set()
        self.delta: Delta | None = Delta()  # the statements added and removed, while few (carrefour.store.delta)

    def _noted(self, added: Collection[ox.Quad], removed: Collection[ox.Quad]) -> None:
        """Note what a step added and removed (``touched``, ``delta``)."""
        if self.touched is not None:
            self.touched.update(touch(quad) for quad in chain(added, removed))
        if self.delta is not None and not self.delta.note(added, removed):
            self.delta = None

    def _whole(self) -> None:
        """A graph came or went whole: what it held is not listed."""
        self.touched = None
        self.delta = None

    def written(self, graph: ox.NamedNode) -> list[ox.Quad | ox.Triple] | None:
        """The list this session replaced ``graph`` with (duplicates possible), or None.

        The artifacts of the version serialise these instead of reading the graph
        back: reading a large graph out of RocksDB is several times slower.
        """
        return self._written.get(graph)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad | ox.Triple]) -> None:
        """Write only the difference with what the graph holds: an unchanged graph costs a read.

        Removing quads one by one is what makes a rewrite slow (RocksDB deletes), so the
        graph's current quads are streamed against the set of new ones: those still
        wanted leave the set, the others are removed, and what is left of the set is added.
        A graph whose content did not change stays out of ``changed``.
        """
        self.amended.pop(graph, None)  # a graph replaced is published whole
        if isinstance(quads, list):  # kept for the artifacts; a stream (a download) stays a stream
            self._written[graph] = quads
        else:
            self._written.pop(graph, None)
        if not self._store.contains_named_graph(graph):  # a new graph: stream it in, no set needed
            self.changed.add(graph)
            if isinstance(quads, list) and len(quads) <= DELTA_LIMIT:
                self._noted([ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads], ())
            else:
                self._whole()
            self._bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            return
        wanted = {ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads}
        if not wanted:
            self.drop_graph(graph)
            return
        gone: list[ox.Quad] = []
        kept = 0
        for quad in self._store.quads_for_pattern(None, None, None, graph):
            if quad in wanted:
                wanted.discard(quad)
                kept += 1
            else:
                gone.append(quad)
        if not gone and not wanted:
            return
        self.changed.add(graph)
        self._noted(wanted, gone)
        if kept:
            for quad in gone:
                self._store.remove(quad)
            self._rewrote |= len(gone) >= AMEND_IN_PLACE  # many deletes: compacting keeps reads fast
        elif gone:
            self._store.remove_graph(graph)  # nothing in common: one graph removal
            self._rewrote = True
        del gone
        self._add(list(wanted))

    def _add(self, quads: list[ox.Quad]) -> None:
        """A few quads through RocksDB's write path (it compacts as it goes), many by a bulk load."""
        if len(quads) < AMEND_IN_PLACE:
            self._store.extend(quads)
        else:
            self._bulk_extend(iter(quads))

    def release(self) -> None:
        """Let go of the session's RocksDB handle: the session is over, whoever still holds this writer.

        A session that only flushed may leave RocksDB compacting in the background; the handle
        must be closed (which waits for that) before readers open the generation.
        """
        self._store = None  # type: ignore[assignment]

    def compact(self) -> None:
        """Flush and compact what the session wrote.

        Bulk loads leave many overlapping files; a handle opened read-only on them
        (a checkpoint, a web worker on the published generation) read a million quads
        in 20 s instead of 5 s.  Compacting them costs one or two seconds per million.
        A session that only amended (a push) wrote through RocksDB's own write path,
        which compacts as it goes: a flush is enough, where compacting cost a push 0.25 s.
        """
        self._store.flush()
        if self._rewrote:
            self._store.optimize()

    def checkpoint(self, target: Path) -> None:
        """A frozen copy of the session as it is now, compacted, that another process can open read-only."""
        self.compact()
        self._store.backup(str(target))

    def _bulk_extend(self, quads: Iterator[ox.Quad]) -> None:
        self._rewrote = True
        while batch := list(islice(quads, BULK_BATCH)):
            self._store.bulk_extend(batch)

    def amendment(self, graph: ox.NamedNode) -> list[ox.Quad] | None:
        """What a store holding the previous version must add to ``graph`` once it has removed every value
        of ``amended_pairs(graph)``; None when the session replaced the graph (it goes whole).

        The statements added that are still there, and every value the removed (subject, predicate)
        pairs have now: a remote store then needs no statement matched by value (it may write values
        otherwise than they were sent).
        """
        if graph not in self.amended:
            return None
        plus, pairs = self.amended[graph]
        kept = [q for q in plus if q in self._store]
        return kept + [q for s, p in pairs for q in self._store.quads_for_pattern(s, p, None, graph) if q not in plus]

    def amended_pairs(self, graph: ox.NamedNode) -> set[tuple[Term, ox.NamedNode]]:
        """The (subject, predicate) pairs some statement of ``graph`` was removed from in this session."""
        return self.amended[graph][1] if graph in self.amended else set()

    def load_graph(self, graph: ox.NamedNode, path: Path, format: ox.RdfFormat, base_iri: str | None = None) -> None:
        self.drop_graph(graph)
        self.changed.add(graph)
        self._rewrote = True
        self._whole()
        try:
            self._store.bulk_load(path=path, format=format, to_graph=graph, base_iri=base_iri)
        except SyntaxError as exc:
            raise StoreError(f"cannot load {path}: {exc}") from exc

    def amend_graph(
        self, graph: ox.NamedNode, add: Iterable[ox.Quad | ox.Triple], remove: Iterable[ox.Quad | ox.Triple] = ()
    ) -> None:
        self._written.pop(graph, None)
        removed = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in remove]
        added = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in add]
        # a statement removed and added back as it was (a record rewritten unchanged) is no change at all
        kept = {quad for quad in set(removed).intersection(added) if quad in self._store}
        if kept:
            removed = [quad for quad in removed if quad not in kept]
            added = [quad for quad in added if quad not in kept]
        if removed or added:
            if graph not in self.changed or graph in self.amended:  # not replaced earlier in the session
                plus, pairs = self.amended.setdefault(graph, (set(), set()))
                plus.update(added)
                pairs.update((q.subject, q.predicate) for q in removed)
            self.changed.add(graph)
        self._noted(added, removed)
        for quad in removed:
            self._store.remove(quad)
        self._add(added)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.amended.pop(graph, None)
        self.changed.add(graph)
        self._written.pop(graph, None)
        if self._store.contains_named_graph(graph):
            self._rewrote = True
            gone = list(islice(self._store.quads_for_pattern(None, None, None, graph), DELTA_LIMIT + 1))
            if len(gone) > DELTA_LIMIT:
                self._whole()
            else:  # a small graph dropped (emptied links, a report) keeps the session's list of statements
                self._noted((), gone)
            self._store.remove_graph(graph)

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        raise StoreError("public queries run on published snapshots, not in write sessions")


TRASH = ".deleting-"  # a generation being deleted (its folder's name)


def _delete(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


class EmbeddedStore:
    """The default store: one folder on disk, no server to install."""

    kind = "embedded"
    remote = False

    def __init__(
        self, root: Path, base_url: str, keep_generations: int = 3, query_workers: int = 2, query_memory_mb: int = 0
    ) -> None:
        self.root = root
        self.base_url = base_url
        self.keep_generations = max(2, keep_generations)
        self.pool = QueryPool(query_workers, query_memory_mb)
        self._lock = threading.Lock()
        self._pointer = str(root / POINTER)  # read on every snapshot: a plain string, no path arithmetic
        self._pointer_stamp: tuple[int, int] | None = None
        self._snapshot: EmbeddedSnapshot | None = None

    # -- reading ---------------------------------------------------------------

    @property
    def generations_dir(self) -> Path:
        return self.root / "generations"

    def _read_pointer(self) -> dict[str, str] | None:
        try:
            return json.loads((self.root / POINTER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {self.root / POINTER}: {exc}") from exc

    def published(self) -> bool:
        return (self.root / POINTER).exists()

    def published_info(self) -> DatasetInfo | None:
        """What the pointer says is published, without opening the generation (cheap)."""
        pointer = self._read_pointer()
        if pointer is None:
            return None
        return DatasetInfo(
            version=pointer["version"],
            published=datetime.fromisoformat(pointer["published"]),
            base_url=pointer.get("base_url", self.base_url),
            artifacts=self.generations_dir / pointer["generation"] / "artifacts",
        )

    def snapshot(self) -> EmbeddedSnapshot:
        """The published generation; reopened when a writer has published a newer one.

        :raises StoreError: nothing has been published yet.
        """
        try:
            stat = os.stat(self._pointer)
        except FileNotFoundError as exc:
            raise StoreError(f"no data published in {self.root} yet: run `carrefour init`") from exc
        stamp = (stat.st_mtime_ns, stat.st_ino)
        with self._lock:
            if self._snapshot is not None and stamp == self._pointer_stamp:
                return self._snapshot
            info = self.published_info()
            if info is None or info.artifacts is None:
                raise StoreError(f"no data published in {self.root} yet: run `carrefour init`")
            generation = info.artifacts.parent
            try:
                store = ox.Store.read_only(str(generation / "store"))
            except OSError as exc:
                raise StoreError(f"cannot open generation {generation.name}: {exc}") from exc
            self._snapshot = EmbeddedSnapshot(store, info, generation / "store", self.pool)
            self._pointer_stamp = stamp
            return self._snapshot

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's write lock (an flock: it dies with the process holding it).

        :raises StoreBusy: another process holds it.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self.generations_dir.mkdir(exist_ok=True)
        lock_file = open(self.root / "write.lock", "a+")  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock_file.close()
            raise StoreBusy(f"another process is writing to {self.root} (harvest or init in progress)") from exc
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
            lock_file.close()

    @contextmanager
    def writer(self, version: str | None = None, moving_from: str | None = None) -> Iterator[EmbeddedWriter]:
        """Open the one write session; publish its generation when the block ends.

        :param version: publish under this version (a mirror copies its remote's);
            a fresh one is made otherwise.
        :param moving_from: the base URL the published version holds, when the session moves
            it to this store's base (``carrefour rebase``); otherwise they must be the same.
        :raises StoreBusy: another process holds the write session.
        :raises BaseMismatch: the published version holds another base than this store's.
        """
        with self._locked(), self._collecting_garbage():
            previous = self.snapshot() if self.published() else None
            if previous is not None and previous.info.base_url != (moving_from or self.base_url):
                raise BaseMismatch(
                    f"the store in {self.root} holds the hub under {previous.info.base_url}, "
                    f"not under {moving_from or self.base_url}: nothing was written"
                )
            number = self._next_generation_number()
            generation = self.generations_dir / f"{number:08d}"
            generation.mkdir()
            if previous is not None:
                previous.backup(generation / "store")
            (generation / "artifacts").mkdir()
            info = DatasetInfo(
                version=version or f"{number}-{secrets.token_hex(4)}",
                published=_utcnow(),
                base_url=self.base_url,
                artifacts=generation / "artifacts",
            )
            store = ox.Store(str(generation / "store"))
            writer = EmbeddedWriter(store, info, previous, generation / "artifacts")
            try:
                yield writer
                writer.compact()
            except BaseException as exc:
                writer.release()
                del writer, store
                shutil.rmtree(generation, ignore_errors=True)
                if isinstance(exc, OSError):  # a full disk, a read-only or failing device: say so, plainly
                    raise StoreError(
                        f"cannot write the new version in {self.root} ({exc.strerror or exc}): "
                        "nothing was published, the published version is unchanged"
                    ) from exc
                raise
            writer.release()  # a caller may still hold the session: it must not hold RocksDB open
            del writer, store  # closes RocksDB (and waits for its background compactions) before publication
            self._publish(generation, info)

    def _next_generation_number(self) -> int:
        """A number never used before, even by a failed session whose folder is gone.

        RocksDB locks a database by its path for as long as the process holds the
        handle (a traceback is enough to keep it): a failed session's path is not reused.
        """
        marker = self.generations_dir / "LAST"
        numbers = [int(p.name) for p in self.generations_dir.iterdir() if p.name.isdigit()]
        with suppress(FileNotFoundError, ValueError):
            numbers.append(int(marker.read_text(encoding="utf-8")))
        number = max(numbers, default=0) + 1
        marker.write_text(str(number), encoding="utf-8")
        return number

    def _publish(self, generation: Path, info: DatasetInfo) -> None:
        (generation / COMMITTED).write_text(info.version, encoding="utf-8")
        pointer = {
            "generation": generation.name,
            "version": info.version,
            "published": info.published.isoformat(),
            "base_url": info.base_url,
        }
        temporary = self.root / f".{POINTER}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(pointer, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _unpublished(self) -> list[Path]:
        """Unpublished generations, folders left being deleted and pointer drafts: what dead sessions left, when the
        caller holds the lock."""
        pointer = self._read_pointer()
        current = pointer["generation"] if pointer else None
        folders = sorted(self.generations_dir.iterdir()) if self.generations_dir.is_dir() else []
        found = [p for p in folders if p.name.isdigit() and not (p / COMMITTED).exists() and p.name != current]
        return found + [p for p in folders if p.name.startswith(TRASH)] + sorted(self.root.glob(f".{POINTER}.*"))

    def leftovers(self) -> list[Path]:
        """What write sessions that died left (unpublished generations, their checkpoints, folders being deleted,
        pointer drafts).

        None while a session runs: what it writes is not left over.
        """
        try:
            with self._locked():
                return self._unpublished()
        except StoreBusy:
            return []

    def clean(self) -> list[Path]:
        """Remove what dead write sessions left; what was removed.

        :raises StoreBusy: a session runs.
        """
        with self._locked():
            found = self._unpublished()
            with self._collecting_garbage():
                pass
        return found

    @contextmanager
    def _collecting_garbage(self) -> Iterator[None]:
        """Unpublished leftovers and all but the newest published generations deleted by a thread while the block
        runs (unlinking a generation's files took 0.3 to 0.45 s at the start of every write session at 40,000
        records), moved out of the way first: a folder being deleted is never taken for a generation.  What a
        process stopped before deleting is deleted by the next one."""
        pointer = self._read_pointer()
        current = pointer["generation"] if pointer else None
        unpublished = self._unpublished()
        committed = [p for p in sorted(self.generations_dir.iterdir()) if p.name.isdigit() and p not in unpublished]
        doomed = [p for p in committed[: -(self.keep_generations - 1)] if p.name != current]
        folders = []
        for path in [*unpublished, *doomed]:
            if not path.is_dir():
                path.unlink(missing_ok=True)
            elif path.name.startswith(TRASH):
                folders.append(path)
            else:
                folders.append(path.rename(path.with_name(f"{TRASH}{path.name}-{secrets.token_hex(4)}")))
        deleting = threading.Thread(target=_delete, args=(folders,), name="carrefour-garbage")
        deleting.start()
        try:
            yield
        finally:
            deleting.join()

    def close(self) -> None:
        self.pool.close()
        with self._lock:
            self._snapshot = None
            self._pointer_stamp = None
