"""The write lock of a remote store, shared by every machine that writes to it.

There is no compare-and-set in SPARQL, so every contender writes an entry — one
triple: its token, process and host in the entry's IRI, the store's clock in the
object — and the earliest entry holds the lock; the others withdraw theirs.  Times come
from the store (``NOW()``), so the machines' clocks do not matter.  An entry whose
process is gone (on this machine) or that is older than ``LOCK_TTL_SECONDS`` is stale
and removed by the next contender; the holder checks it still holds the lock right
before it publishes, so a session taken over never publishes.
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import datetime
from urllib.parse import quote, unquote

import pyoxigraph as ox

from carrefour.errors import StoreBusy, StoreError
from carrefour.store.records import Records
from carrefour.store.sparql_client import SparqlClient

LOCK_TTL_SECONDS = 3600
_ACTIVE_TOKENS: set[str] = set()  # write sessions open in this process


class WriteLock:
    def __init__(self, client: SparqlClient, records: Records) -> None:
        self.client = client
        self.records = records
        self.graph = records.lock
        self.since = records.term(records.lock, "since")

    def _entry(self, token: str) -> ox.NamedNode:
        return self.records.term(self.graph, f"{token}.{os.getpid()}@{quote(socket.gethostname(), safe='')}")

    def _entries(self) -> list[tuple[ox.NamedNode, datetime, datetime]]:
        """(entry, since, store's now), earliest first."""
        rows = self.client.select(
            f"SELECT ?who ?since (NOW() AS ?now) WHERE {{ GRAPH {self.graph} {{ ?who {self.since} ?since }} }} "
            "ORDER BY ?since ?who"
        ).solutions
        return [
            (row["who"], datetime.fromisoformat(row["since"].value), datetime.fromisoformat(row["now"].value))
            for row in rows
            if isinstance(row["who"], ox.NamedNode)
        ]

    def acquire(self, token: str) -> None:
        """:raises StoreBusy: another session holds the lock."""
        entry = self._entry(token)
        self.client.update(
            f"INSERT {{ GRAPH {self.graph} {{ {entry} {self.since} ?now }} }} WHERE {{ BIND (NOW() AS ?now) }}"
        )
        _ACTIVE_TOKENS.add(token)
        while True:
            entries = self._entries()
            if entries and entries[0][0] == entry:
                return
            if entries and self._stale(*entries[0]):
                self._remove(entries[0][0])
                continue
            self.release(token)
            holder = _holder(entries[0][0]) if entries else "?"
            raise StoreBusy(f"another harvest or init is writing to the remote store (held by {holder})")

    def check(self, token: str) -> None:
        """:raises StoreBusy: the lock was taken over (this session was thought dead)."""
        entries = self._entries()
        if not entries or entries[0][0] != self._entry(token):
            raise StoreBusy("this write session lost the remote store's lock: it publishes nothing")

    def release(self, token: str) -> None:
        _ACTIVE_TOKENS.discard(token)
        with contextlib.suppress(StoreError):
            self._remove(self._entry(token))

    def _remove(self, entry: ox.NamedNode) -> None:
        self.client.update(f"DELETE WHERE {{ GRAPH {self.graph} {{ {entry} ?p ?o }} }}")

    def _stale(self, entry: ox.NamedNode, since: datetime, now: datetime) -> bool:
        token, pid, host = _parts(entry)
        if host == socket.gethostname() and pid.isdigit():
            if int(pid) == os.getpid():
                return token not in _ACTIVE_TOKENS  # a session of this process that ended without releasing
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
            return False
        return (now - since).total_seconds() > LOCK_TTL_SECONDS


def _parts(entry: ox.NamedNode) -> tuple[str, str, str]:
    local = entry.value.rpartition("#")[2]
    token, _, rest = local.partition(".")
    pid, _, host = rest.partition("@")
    return token, pid, unquote(host)


def _holder(entry: ox.NamedNode) -> str:
    _, pid, host = _parts(entry)
    return f"process {pid} on {host}"
