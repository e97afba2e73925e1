"""Run untrusted SPARQL queries in child processes that can be killed.

pyoxigraph has no query timeout and cannot be interrupted from Python, and a
runaway query (a cartesian product, a deep property path) would keep a thread busy
long after its client gave up.  Each public query therefore runs in a child process
holding a read-only handle on the published store; when the deadline passes, the
child is killed and replaced.  The answer is serialised in the child, so only bytes
cross the pipe.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import pyoxigraph as ox

from carrefour.errors import QueryError, QueryOverLimit, QueryTimeout, StoreError
from carrefour.store.answers import boolean_answer, graph_answer, select_answer
from carrefour.store.base import PublicQuery, QueryAnswer
from carrefour.store.lifetime import exit_with_parent

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")
QUERY_FAILED = "the query could not be evaluated (a SERVICE call or an operation failed)"
BOOT_SECONDS = 60.0
# A query that has used this much processor time is a runaway: its process is demoted
# (niced) so that it only takes the time the web workers leave, until its deadline
# cuts it.  Partner queries use far less, and run at the web workers' priority.
DEMOTE_AFTER_CPU_SECONDS = 1.0
DEMOTED_NICENESS = 15
_POLL_SECONDS = 0.05
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """Processor time a process has used (Linux ``/proc``), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime, fields 14 and 15 of proc(5)
    except (OSError, IndexError, ValueError):
        return None


def _dataset_options(query: PublicQuery) -> dict[str, object]:
    """The query's RDF dataset, as the SPARQL 1.1 Protocol defines it (section 2.1.4).

    Graphs named by the request (``default-graph-uri``, ``named-graph-uri``) are the
    whole dataset: naming only default graphs leaves no named graph, and the other
    way round.  Otherwise the query's own FROM / FROM NAMED apply, and only a query
    naming no dataset at all sees the union of the hub's graphs as its default graph
    (the engine's union flag would override the query's FROM clauses).
    """
    if query.default_graphs or query.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in query.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in query.named_graphs],
        }
    return {"use_default_graph_as_union": not query.query.dataset}


def execute_public_query(store: ox.Store, query: PublicQuery, prefixes: dict[str, str] | None = None) -> QueryAnswer:
    """Execute the gate's canonical text on ``store`` and serialise at most ``query.cap`` rows or triples.

    :raises QueryError: the engine cannot parse or evaluate the query.
    """
    try:
        results = store.query(query.query.text, **_dataset_options(query))
        if isinstance(results, ox.QueryBoolean):
            return boolean_answer(bool(results), query.select_format)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows = ({name: s[name] for name in variables if s[name] is not None} for s in results)
            return select_answer(variables, rows, query.select_format, query.cap, query.max_bytes)
        return graph_answer(results, query.graph_format, query.cap, prefixes, query.query.form, query.max_bytes)
    except SyntaxError as exc:
        raise QueryError(f"the engine refused this query: {exc}") from exc
    except (OSError, ValueError, TypeError) as exc:
        # The engine's words may describe other hosts (a SERVICE call's connection error, a redirect):
        # the client learns that the query failed, the log learns why.
        log.warning("public query failed in the engine: %s: %s", type(exc).__name__, exc)
        raise QueryError(QUERY_FAILED) from exc


def _limit_memory(megabytes: int) -> None:
    """Cap the process's heap (``RLIMIT_DATA``: what it allocates, not what it maps from the store's files).

    A query that needs more makes the engine's allocation fail and the process abort;
    the parent sees it die and answers 503 (a 1 KB query doubling a string with CONCAT
    would otherwise grow to gigabytes within its time limit).
    """
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    os.environ["RUST_BACKTRACE"] = "0"  # an allocation failure aborts: one line in the log, not a page


def _child_main(conn: Connection, memory_mb: int) -> None:
    """Serve queries from the parent until the pipe closes, or at once if the parent dies mid-query."""
    exit_with_parent()
    _limit_memory(memory_mb)
    stores: dict[str, ox.Store] = {}
    conn.send(("ready", None))
    while True:
        try:
            path, query, prefixes = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if path not in stores:
                stores.clear()  # one version at a time: release the old handle
                stores[path] = ox.Store.read_only(path)
            conn.send(("ok", execute_public_query(stores[path], query, prefixes)))
        except QueryError as exc:
            conn.send(("query-error", str(exc)))
        except Exception as exc:  # the parent logs it and answers 503; the child stays up
            conn.send(("store-error", f"{type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    demoted: bool = False

    def demote(self) -> None:
        """Lower the process's priority (it cannot be raised again without privileges: it is retired after)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid or 0, DEMOTED_NICENESS)
        except OSError:
            return
        self.demoted = True

    def wait(self, deadline: float, on_demote: Callable[[], None]) -> bool:
        """Wait for the answer until ``deadline``, demoting the process once its query turns out a runaway."""
        start = _cpu_seconds(self.process.pid or 0) if self.process.pid else None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self.conn.poll(min(remaining, _POLL_SECONDS)):
                return True
            if not self.demoted and start is not None:
                used = _cpu_seconds(self.process.pid or 0)
                if used is not None and used - start >= DEMOTE_AFTER_CPU_SECONDS:
                    self.demote()
                    if self.demoted:
                        on_demote()

    def died_of_memory(self, memory_mb: int) -> bool:
        """Whether the process ended as an allocation failure ends it (abort), under a memory limit."""
        self.process.join(timeout=2)
        return memory_mb > 0 and self.process.exitcode in (-signal.SIGABRT, 128 + signal.SIGABRT)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """A small pool of killable query processes, created on first use.

    A runaway query does not hold its place in the pool: once demoted, its process
    stops counting towards ``size`` (until it is cut or answers, then retired), so
    the next queries get a process of their own instead of waiting behind it.  At
    most ``size`` runaways run besides the pool, so hostile clients cannot make a
    web worker start processes without end: beyond that, queries wait as before.
    """

    def __init__(self, size: int, memory_mb: int = 0) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._idle: list[_Worker] = []
        self._started = 0
        self._runaways = 0
        self._cond = threading.Condition()

    def _detach(self, worker: _Worker) -> bool:
        """Let a demoted worker leave the pool's count, if fewer than ``size`` runaways already did."""
        with self._cond:
            if self._runaways >= self.size:
                return False
            self._runaways += 1
            self._started -= 1
            self._cond.notify()
            return True

    def _spawn(self) -> _Worker:
        """Start a process and wait until it has imported what it needs.

        A new process takes a second or so to start; that time is not the query's,
        so a query's deadline only starts once its process is ready.
        """
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=_child_main, args=(child, self.memory_mb), daemon=True, name="carrefour-query"
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        try:
            if parent.poll(BOOT_SECONDS) and parent.recv()[0] == "ready":
                return worker
        except (EOFError, OSError):
            pass
        worker.kill()
        raise StoreError(f"a query process did not start within {BOOT_SECONDS:g} s")

    def warm(self) -> None:
        """Start the processes now rather than on the first query."""
        with self._cond:
            while self._started < self.size:
                self._idle.append(self._spawn())
                self._started += 1

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            while True:
                if self._idle:
                    return self._idle.pop()
                if self._started < self.size:
                    self._started += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout("all query workers are busy: try again in a moment")
                self._cond.wait(remaining)
        try:
            return self._spawn()
        except Exception:
            with self._cond:
                self._started -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker | None, detached: bool = False) -> None:
        with self._cond:
            if detached:
                self._runaways -= 1
            elif worker is None:
                self._started -= 1
            else:
                self._idle.append(worker)
            self._cond.notify()

    def run(self, store_path: str, query: PublicQuery, prefixes: dict[str, str] | None = None) -> QueryAnswer:
        """Run ``query`` against the store at ``store_path`` within ``query.timeout`` seconds.

        :raises QueryError: malformed query.
        :raises QueryTimeout: the deadline passed; the worker was killed.
        :raises QueryOverLimit: the query needed more memory than allowed; the worker died and is replaced.
        :raises StoreError: the worker died or the store could not be read.
        """
        worker: _Worker | None = self._acquire(time.monotonic() + query.timeout)
        assert worker is not None
        deadline = time.monotonic() + query.timeout
        detached = False

        def detach() -> None:
            nonlocal detached
            detached = self._detach(worker)  # type: ignore[arg-type]

        try:
            worker.conn.send((store_path, query, prefixes))
            if not worker.wait(deadline, detach):
                worker.kill()
                worker = None
                raise QueryTimeout(f"query cut after {query.timeout:g} s (the endpoint's time limit)")
            status, payload = worker.conn.recv()
            if worker.demoted:  # its priority stays low: a fresh process takes its place
                worker.kill()
                worker = None
        except (EOFError, OSError, BrokenPipeError) as exc:
            died = worker.died_of_memory(self.memory_mb) if worker is not None else False
            if worker is not None:
                worker.kill()
                worker = None
            if died:
                raise QueryOverLimit(
                    f"query cut: it needed more than {self.memory_mb} MiB of memory (the endpoint's limit)"
                ) from exc
            raise StoreError(f"query worker failed: {exc}") from exc
        finally:
            if detached and worker is not None:  # a demoted worker always leaves: see above
                worker.kill()
                worker = None
            self._release(worker, detached)
        if status == "ok":
            return payload
        if status == "query-error":
            raise QueryError(payload)
        log.error("query process failed: %s", payload)
        raise StoreError("the store could not answer this query")

    def close(self) -> None:
        with self._cond:
            for worker in self._idle:
                worker.kill()
            self._idle.clear()
            self._started = 0
            self._runaways = 0
