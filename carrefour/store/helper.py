"""Read-only work of a write session, done by a second process on a frozen copy of it.

A publication ends with work that only reads the store (identity links, the search
index, the facets), and reading RocksDB is where that work spends its time, on one
core of a machine that has two.  A checkpoint of the session (RocksDB hard links: a
few milliseconds, no space) is a copy frozen at that moment, which another process
opens read-only while the session goes on writing; the helper process runs a function
on it and hands back what the function returns.  The function must be a module-level
function (it is sent by name), and its result picklable.

On a machine with a single core, or for a writer that cannot make checkpoints, the
work runs in the session's own process, in the same order, with the same result.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

from carrefour.store.base import DatasetInfo, Writer
from carrefour.store.embedded import EmbeddedWriter, OxigraphView
from carrefour.store.lifetime import exit_with_parent

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[..., T]  # work(view, *args): view is a Snapshot with .artifacts


class CheckpointView(OxigraphView):
    """A checkpoint opened read-only, with the artifacts folder of the version being written."""

    def __init__(self, store: ox.Store, info: DatasetInfo, artifacts: Path) -> None:
        super().__init__(store, info)
        self.artifacts = artifacts


def _run_on_checkpoint(path: str, info: DatasetInfo, artifacts: Path, work: Work[T], args: tuple[Any, ...]) -> T:
    store = ox.Store.read_only(path)
    try:
        return work(CheckpointView(store, info, artifacts), *args)
    finally:
        del store


def _warm_up() -> None:
    """Import what the work will need while the session is still writing."""
    import carrefour.artifacts  # noqa: F401
    import loader.linking  # noqa: F401


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Pending(Generic[T]):
    """The result of work given to the helper, or of the same work done here if the helper died."""

    future: Future[T]
    here: Callable[[], T]

    def result(self) -> T:
        try:
            return self.future.result()
        except BrokenProcessPool:
            log.warning("the helper process died: its work is done again in this process")
            return self.here()


class Helper:
    """A second process for the read-only work of one write session (a context manager)."""

    def __init__(self, writer: Writer, processes: int | None = None) -> None:
        self._writer: Writer | None = writer
        self._folder = writer.artifacts.parent / "checkpoints"
        self._numbers = itertools.count()
        self._submitted: list[Future[Any]] = []  # the work on the session (not what is read ahead)
        wanted = (1 if cores() > 1 else 0) if processes is None else processes
        self._pool: ProcessPoolExecutor | None = None
        if wanted and isinstance(writer, EmbeddedWriter):
            # spawn: a forked child would share the session's RocksDB handle and threads.
            # If this process is killed, the helper removes the checkpoints and exits (carrefour.store.lifetime).
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=exit_with_parent,
                initargs=(str(self._folder),),
            )
            self._ready = self._pool.submit(_warm_up)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def submit(self, work: Work[T], *args: Any) -> Pending[T]:
        """Run ``work(view, *args)`` on the session as it is now; its pending result.

        In the helper process, ``view`` is a checkpoint of the session taken now; in
        the session's process (no helper), it is the writer itself, and the work is
        done before this returns.  If the helper process dies (killed, out of memory),
        the work is done again here when its result is asked for, on the writer as it
        is then: the work must only read what the session no longer changes.
        """
        writer = self._writer
        if writer is None:
            raise RuntimeError("the helper of a finished write session")

        def here() -> T:
            return work(writer, *args)

        if self._pool is not None and not self._started():
            self._pool = None
        if self._pool is None:
            done: Future[T] = Future()
            try:
                done.set_result(here())
            except Exception as exc:
                done.set_exception(exc)
            return Pending(done, here)
        assert isinstance(writer, EmbeddedWriter)
        checkpoint = self._folder / f"{next(self._numbers):04d}"
        self._folder.mkdir(exist_ok=True)
        writer.checkpoint(checkpoint)
        try:
            future = self._pool.submit(_run_on_checkpoint, str(checkpoint), writer.info, writer.artifacts, work, args)
        except BrokenProcessPool:  # it died doing earlier work: no more helper for this session
            shutil.rmtree(checkpoint, ignore_errors=True)
            self._pool = None
            return self.submit(work, *args)
        future.add_done_callback(lambda _: shutil.rmtree(checkpoint, ignore_errors=True))
        self._submitted.append(future)
        return Pending(future, here)

    def prepare(self, work: Callable[..., T], *args: Any) -> Pending[T | None] | None:
        """Run ``work(*args)`` in the helper process now, on no view of the session (it reads files that do not
        change: a published version's); None without a helper process (there is no idle core to do it on).

        Its result comes back to this process, and what it kept in the helper process is there for the work
        submitted after it (one process takes the work in the order given).  A helper that died gives None.
        """
        if self._pool is None:
            return None
        try:  # queued behind the warm-up: this process does not wait for the helper to start
            return Pending(self._pool.submit(work, *args), lambda: None)
        except BrokenProcessPool:
            return None

    def _started(self) -> bool:
        """Whether the helper process runs; if it could not start, the work is done here (and said)."""
        try:
            self._ready.result()
        except BrokenProcessPool:
            # e.g. a main script without ``if __name__ == "__main__":``, which a spawned process runs again
            log.warning("the helper process could not start: the read-only work runs in this process")
            return False
        return True

    def close(self) -> None:
        """End the helper: work on the session is waited for (it writes the session's files); reading ahead is not
        (a session that changed nothing can be over before the previous version is read: an unchanged
        re-harvest at 40,000 records waited 1.4 s for it), and the helper process ends once it is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=not all(future.done() for future in self._submitted), cancel_futures=True)
            self._pool = None
        shutil.rmtree(self._folder, ignore_errors=True)
        self._writer = None  # the session's store closes with its last reference

    def __enter__(self) -> Helper:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
