"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB…) behind the same Store seam.

Reads go to the remote store: the hub's own queries and public ones, with the hub's
limits (timeout, cap) and answers re-serialised by the hub, so its endpoint stays
standard whatever the store writes.  Every query names its dataset: the hub's graphs
of the published version, never the store's system graphs or the hub's bookkeeping.

Writes keep a local mirror: an embedded store holding the same graphs, where a write
session does its work (mapping, validation, links, artifacts) exactly as on the
embedded store.  When the session ends, only the graphs it changed are uploaded to
staging graphs, then one SPARQL Update request swaps them all in and rewrites the
version record: a store applies an update request as one transaction, so each query
sees the old version or the new one.  A session that fails drops its staging graphs
and leaves the store as it was.  One write lock in the store serves every machine.

The store's own records live outside ``{base}graph/``, in ``{base}store/``:
``store/version`` (the published version, its time and graphs), ``store/lock`` (the
write lock) and ``store/staging/…`` (uploads waiting for the swap).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from carrefour.config import Config
from carrefour.errors import QueryError, StoreBusy, StoreError, StoreUnavailable
from carrefour.sparql_text import QueryShape, analyse, bind_values
from carrefour.store.answers import boolean_answer, graph_answer, graph_format, select_answer
from carrefour.store.base import Bindings, DatasetInfo, PublicQuery, QueryAnswer, Solution, Term
from carrefour.store.embedded import EmbeddedStore, EmbeddedWriter
from carrefour.store.sparql_client import Endpoints, SparqlClient
from carrefour.vocab import XSD, Hub

LOCK_TTL_SECONDS = 3600
_ACTIVE_TOKENS: set[str] = set()  # write sessions open in this process


def _bound(query: str, bindings: Bindings | None) -> str:
    """Bindings written as validated RDF terms in an inline VALUES block, never raw text.

    N-Triples escapes are what Virtuoso reads in strings (it applies ``\\u`` escapes
    inside strings, not before parsing), so hostile values arrive exactly as written.
    """
    return bind_values(query, {name: str(term) for name, term in (bindings or {}).items()})


def _datetime(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def _parse_datetime(literal: Term) -> datetime:
    return datetime.fromisoformat(literal.value)


@dataclass(frozen=True)
class Records:
    """The store's bookkeeping graphs, outside ``{base}graph/`` so the hub never shows them."""

    version: ox.NamedNode
    lock: ox.NamedNode
    staging: str  # prefix of the staging graphs
    empty: ox.NamedNode  # a graph nothing is written to: an empty part of a query's dataset
    hub_graphs: str  # prefix of the hub's own graphs

    @classmethod
    def of(cls, hub: Hub) -> Records:
        return cls(
            hub.node("store", "version"),
            hub.node("store", "lock"),
            hub.iri("store", "staging") + "/",
            hub.node("store", "empty"),
            hub.iri("graph") + "/",
        )

    def term(self, record: ox.NamedNode, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{record.value}#{name}")

    def is_hub_graph(self, graph: ox.NamedNode | str) -> bool:
        return (graph.value if isinstance(graph, ox.NamedNode) else graph).startswith(self.hub_graphs)


@dataclass(frozen=True)
class VersionRecord:
    """What ``store/version`` says: the published version and its graphs.

    ``pending`` graphs are announced by a write session before its swap: readers put
    them in their queries' dataset already, so a graph the swap creates is seen with
    the rest of the new version, not one poll later.
    """

    version: str
    published: datetime
    graphs: tuple[ox.NamedNode, ...]
    pending: tuple[ox.NamedNode, ...] = ()


class RemoteSnapshot:
    """One published version of the remote store, read over the SPARQL protocol."""

    def __init__(self, store: RemoteStore, info: DatasetInfo, record: VersionRecord) -> None:
        self.client = store.client
        self.records = store.records
        self.prefixes = store.hub.prefixes()
        self.info = info
        self.record = record
        visible = sorted({*record.graphs, *record.pending}, key=lambda g: g.value)
        self._visible = [g.value for g in visible] or [self.records.empty.value]

    def _dataset(self, default: list[str] | None = None, named: list[str] | None = None) -> list[tuple[str, str]]:
        """The protocol dataset of a query: the hub's graphs only (an empty part names an empty graph).

        Without one the store would query everything it holds: its system graphs, the
        staging graphs of a write in progress.
        """
        default = [g for g in (self._visible if default is None else default) if self.records.is_hub_graph(g)]
        named = [g for g in (self._visible if named is None else named) if self.records.is_hub_graph(g)]
        empty = [self.records.empty.value]
        return [("default-graph-uri", g) for g in default or empty] + [("named-graph-uri", g) for g in named or empty]

    def quads(
        self,
        subject: Term | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        if graph is not None and not self.records.is_hub_graph(graph):
            return
        given = {"s": subject, "p": predicate, "o": object, "g": graph}
        pattern = {name: str(term) if term is not None else f"?{name}" for name, term in given.items()}
        where = f"GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }}"
        variables = [f"?{name}" for name, term in given.items() if term is None]
        if not variables:
            if self.client.ask(f"ASK {{ {where} }}", self._dataset()):
                yield ox.Quad(subject, predicate, object, graph)  # type: ignore[arg-type]
            return
        query = f"SELECT {' '.join(variables)} WHERE {{ {where} }}"
        for row in self.client.select_paged(query, self._dataset())[1]:
            terms = {name: row.get(name, term) for name, term in given.items()}
            yield ox.Quad(terms["s"], terms["p"], terms["o"], terms["g"])  # type: ignore[arg-type]

    def describe(self, iri: ox.NamedNode) -> list[ox.Quad]:
        """The resource and its fragment nodes, one query per level of fragments."""
        quads: list[ox.Quad] = []
        prefix = iri.value + "#"
        seen = {iri}
        frontier = [iri]
        while frontier:
            values = " ".join(str(node) for node in frontier)
            query = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            found = [
                ox.Quad(r["s"], r["p"], r["o"], r["g"])  # type: ignore[arg-type]
                for r in self.client.select_paged(query, self._dataset())[1]
            ]
            quads += found
            frontier = []
            for quad in found:
                node = quad.object
                if isinstance(node, ox.NamedNode) and node.value.startswith(prefix) and node not in seen:
                    seen.add(node)
                    frontier.append(node)
        return quads

    def select(self, query: str, bindings: Bindings | None = None) -> list[Solution]:
        variables, rows = self.client.select_paged(_bound(query, bindings), self._dataset())
        unprojected = set(bindings or ()) - set(variables)
        if unprojected:  # as the embedded store's SEP-0007 substitution requires
            raise QueryError(f"bound variables must be in the projection: {', '.join(sorted(unprojected))}")
        return list(rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        return self.client.ask(_bound(query, bindings), self._dataset())

    def graphs(self) -> list[ox.NamedNode]:
        return list(self.record.graphs)

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is None:
            query, dataset = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", self._dataset()
        elif self.records.is_hub_graph(graph):
            # Naming a hub graph is dataset enough; and Virtuoso 7 counts 1, not 0, for a
            # graph outside the query's named graphs.
            query, dataset = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", []
        else:
            return 0
        rows = self.client.select(query, dataset)
        return int(rows.solutions[0]["n"].value) if rows.solutions else 0

    def dump(self, output: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Stream graph by graph, page by page: the dump is never held in memory."""
        if graph is not None and not self.records.is_hub_graph(graph):
            return
        graphs = [graph] if graph is not None else self.graphs()
        if format.supports_datasets:
            quads = (ox.Quad(t.subject, t.predicate, t.object, g) for g in graphs for t in self.client.download(g))
            ox.serialize(quads, output, format)
            return
        for name in graphs:  # triples formats: one document per graph, as the embedded store writes them
            ox.serialize(self.client.download(name), output, format)

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        """Run an untrusted query on the store; the hub, not the store, decides the answer's format and cap."""
        shape = analyse(query.text)
        if shape.form is None:
            raise QueryError("an update is not a query")
        dataset = self._public_dataset(query, shape)
        if shape.form == "SELECT":
            rows = self.client.select(query.text, dataset, query.timeout, limit=query.cap, public=True)
            return select_answer(rows.variables, rows.solutions, query.select_format, query.cap, rows.cut)
        if shape.form == "ASK":
            return boolean_answer(self.client.ask(query.text, dataset, query.timeout, public=True), query.select_format)
        graph_format(query.graph_format)  # refuse an unknown format before the store works for nothing
        triples, cut = self.client.construct(query.text, shape.form, dataset, query.timeout, query.cap)
        return graph_answer(triples, query.graph_format, query.cap, self.prefixes, shape.form, cut)

    def _public_dataset(self, query: PublicQuery, shape: QueryShape) -> list[tuple[str, str]]:
        """The dataset as the embedded store reads it, kept to the hub's graphs.

        The protocol's graphs win over the query's FROM clauses (SPARQL 1.1 Protocol,
        and Virtuoso follows it), so FROM clauses are sent as protocol graphs.
        """
        if shape.has_dataset and not (query.default_graphs or query.named_graphs):
            return self._dataset(shape.from_graphs, shape.from_named_graphs)
        return self._dataset(list(query.default_graphs) or None, list(query.named_graphs) or None)


class RemoteStore:
    """A remote SPARQL 1.1 store, written through a local mirror."""

    kind = "sparql"
    remote = True

    def __init__(self, client: SparqlClient, hub: Hub, mirror_root: Path, poll_seconds: float = 2.0) -> None:
        self.client = client
        self.hub = hub
        self.records = Records.of(hub)
        self.mirror = EmbeddedStore(mirror_root, hub.base)
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._snapshot: RemoteSnapshot | None = None
        self._checked = 0.0

    @classmethod
    def from_config(cls, config: Config) -> RemoteStore:
        query = str(config["STORE_URL"])
        endpoints = Endpoints(
            query=query,
            update=str(config["STORE_UPDATE_URL"] or query),
            graph_store=str(config["STORE_GRAPH_STORE_URL"]) or None,
            user=str(config["STORE_USER"]),
            password=str(config["STORE_PASSWORD"]),
            auth=str(config["STORE_AUTH"]),
            timeout=float(config["STORE_TIMEOUT"]),
            result_cap=int(config["STORE_RESULT_CAP"]),
        )
        return cls(
            SparqlClient(endpoints), Hub(config.base_url), config.store_path / "mirror", config["STORE_POLL_SECONDS"]
        )

    # -- versions --------------------------------------------------------------------

    def version_record(self) -> VersionRecord | None:
        """The published version as ``store/version`` holds it; None before the first publication."""
        record = self.records.version
        graph, pending = self.records.term(record, "graph"), self.records.term(record, "pending")
        rows = self.client.select(
            f"SELECT ?v ?t ?kind ?g WHERE {{ GRAPH {record} {{ {record} {self.records.term(record, 'id')} ?v ; "
            f"{self.records.term(record, 'published')} ?t "
            f"OPTIONAL {{ {record} ?kind ?g FILTER (?kind IN ({graph}, {pending})) }} }} }}"
        ).solutions
        if not rows:
            return None
        by_kind: dict[ox.NamedNode, set[ox.NamedNode]] = {graph: set(), pending: set()}
        for row in rows:
            if "kind" in row and isinstance(row["g"], ox.NamedNode):
                by_kind[row["kind"]].add(row["g"])  # type: ignore[index]
        return VersionRecord(
            rows[0]["v"].value,
            _parse_datetime(rows[0]["t"]),
            tuple(sorted(by_kind[graph], key=lambda g: g.value)),
            tuple(sorted(by_kind[pending] - by_kind[graph], key=lambda g: g.value)),
        )

    def snapshot(self) -> RemoteSnapshot:
        """The remote's current version, re-checked every ``poll_seconds``.

        :raises StoreError: nothing published yet; StoreUnavailable: the store does not answer.
        """
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked < self.poll_seconds:
                return self._snapshot
        record = self.version_record()  # outside the lock: a slow store must not queue every thread
        if record is None:
            raise StoreError("no data published in the remote store yet: run `carrefour init`")
        with self._lock:
            if self._snapshot is None or self._snapshot.record != record:
                mirrored = self.mirror.published_info()
                artifacts = mirrored.artifacts if mirrored is not None and mirrored.version == record.version else None
                info = DatasetInfo(record.version, record.published, self.hub.base, artifacts)
                self._snapshot = RemoteSnapshot(self, info, record)
            self._checked = time.monotonic()
            return self._snapshot

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[EmbeddedWriter]:
        """A write session on the mirror, pushed to the remote store when it ends.

        :raises StoreBusy: another session, on any machine, holds the remote store's lock.
        """
        token = secrets.token_hex(8)
        self._acquire(token)
        _ACTIVE_TOKENS.add(token)
        try:
            self._drop_staging()
            record = self._sync_mirror()
            with self.mirror.writer() as writer:
                yield writer
                self._push(writer, token, record)
        finally:
            _ACTIVE_TOKENS.discard(token)
            self._release(token)
            with self._lock:
                self._snapshot = None

    def _sync_mirror(self) -> VersionRecord | None:
        """Make the mirror hold exactly the remote's graphs, under the remote's version."""
        record = self.version_record()
        mirrored = self.mirror.published_info()
        if record is None and mirrored is None:
            return None
        if record is not None and mirrored is not None and mirrored.version == record.version:
            return record
        graphs = record.graphs if record is not None else ()
        with self.mirror.writer(version=record.version if record is not None else None) as writer:
            for graph in writer.graphs():
                if graph not in graphs:
                    writer.drop_graph(graph)
            for graph in graphs:
                writer.replace_graph(graph, self.client.download(graph))
        return record

    def _push(self, writer: EmbeddedWriter, token: str, record: VersionRecord | None) -> None:
        """Upload the changed graphs to staging graphs, then swap them in with one update request."""
        self._check_lock(token)
        after = writer.graphs()
        new = [g for g in after if record is not None and g not in record.graphs]
        announced = time.monotonic()
        if new:
            pending = self.records.term(self.records.version, "pending")
            self.client.update(
                f"INSERT DATA {{ GRAPH {self.records.version} {{ {self.records.version} {pending} "
                f"{', '.join(map(str, new))} }} }}"
            )
        staged: dict[ox.NamedNode, ox.NamedNode | None] = {}
        try:
            for number, graph in enumerate(sorted(writer.changed, key=lambda g: g.value)):
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in writer.quads(graph=graph)]
                staging = ox.NamedNode(f"{self.records.staging}{token}/{number}") if triples else None
                if staging is not None:
                    self.client.upload(staging.value, triples)
                staged[graph] = staging
            if new:  # every reader has refreshed its snapshot, and so its dataset, since the announcement
                time.sleep(max(0.0, self.poll_seconds - (time.monotonic() - announced)))
            self._swap(self._swap_update(staged, writer.info, after), writer.info.version)
        except BaseException:
            for staging in staged.values():
                if staging is not None:
                    with contextlib.suppress(StoreError):
                        self.client.update(f"DROP SILENT GRAPH {staging}")
            raise

    def _swap_update(
        self, staged: dict[ox.NamedNode, ox.NamedNode | None], info: DatasetInfo, graphs: list[ox.NamedNode]
    ) -> str:
        operations = []
        for graph, staging in staged.items():
            operations.append(f"DROP SILENT GRAPH {graph}")
            if staging is not None:
                operations.append(f"MOVE SILENT {staging} TO {graph}")
        record, term = self.records.version, self.records.term
        listed = f" ; {term(record, 'graph')} {', '.join(map(str, graphs))}" if graphs else ""
        operations += [
            f"DROP SILENT GRAPH {record}",
            f"INSERT DATA {{ GRAPH {record} {{ {record} {term(record, 'id')} {ox.Literal(info.version)} ; "
            f"{term(record, 'published')} {_datetime(info.published)}{listed} }} }}",
        ]
        return " ;\n".join(operations)

    def _swap(self, update: str, version: str) -> None:
        """Send the swap; if its answer is lost, the version record tells whether it was applied."""
        try:
            self.client.update(update, timeout=max(self.client.endpoints.timeout, 600))
        except StoreUnavailable:
            record = self.version_record()
            if record is None or record.version != version:
                raise

    def _drop_staging(self) -> None:
        """Drop what sessions that died left in staging graphs (the lock is ours: nothing else is staging)."""
        rows = self.client.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER (STRSTARTS(STR(?g), {ox.Literal(self.records.staging)})) }}"
        ).solutions
        for row in rows:
            self.client.update(f"DROP SILENT GRAPH {row['g']}")

    # -- the write lock, shared by every machine writing to the store ---------------------

    def _holders(self) -> list[Solution]:
        """Lock entries, first comer first (by the store's clock, so machines' clocks do not matter)."""
        lock, term = self.records.lock, self.records.term
        return self.client.select(
            f"SELECT ?who ?since ?where (NOW() AS ?now) WHERE {{ GRAPH {lock} {{ "
            f"?who {term(lock, 'since')} ?since ; {term(lock, 'holder')} ?where }} }} ORDER BY ?since ?who"
        ).solutions

    def _acquire(self, token: str) -> None:
        """Every contender writes its entry; the first one holds the lock, the others withdraw."""
        lock, term = self.records.lock, self.records.term
        entry = term(lock, token)
        holder = ox.Literal(f"{socket.gethostname()} {os.getpid()}")
        self.client.update(
            f"INSERT {{ GRAPH {lock} {{ {entry} {term(lock, 'since')} ?now ; {term(lock, 'holder')} {holder} }} }} "
            "WHERE { BIND (NOW() AS ?now) }"
        )
        while True:
            holders = self._holders()
            if holders and holders[0]["who"] == entry:
                return
            first = holders[0] if holders else None
            if first is not None and self._stale(first):
                self.client.update(f"DELETE WHERE {{ GRAPH {lock} {{ {first['who']} ?p ?o }} }}")
                continue
            self._release(token)
            where = first["where"].value if first is not None else "?"
            raise StoreBusy(f"another harvest or init is writing to the remote store (held by {where})")

    def _stale(self, entry: Solution) -> bool:
        """The holder's process is gone (on this machine), or it has held the lock too long."""
        host, _, pid = entry["where"].value.rpartition(" ")
        token = entry["who"].value.rpartition("#")[2]
        if host == socket.gethostname() and pid.isdigit():
            if int(pid) == os.getpid():
                return token not in _ACTIVE_TOKENS  # a session of ours that ended without releasing
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
            return False
        held = _parse_datetime(entry["now"]) - _parse_datetime(entry["since"])
        return held.total_seconds() > LOCK_TTL_SECONDS

    def _check_lock(self, token: str) -> None:
        """Before the swap: the lock is still ours (not taken over from a session thought dead)."""
        holders = self._holders()
        if not holders or holders[0]["who"] != self.records.term(self.records.lock, token):
            raise StoreBusy("this write session lost the remote store's lock: nothing was published")

    def _release(self, token: str) -> None:
        entry = self.records.term(self.records.lock, token)
        with contextlib.suppress(StoreError):
            self.client.update(f"DELETE WHERE {{ GRAPH {self.records.lock} {{ {entry} ?p ?o }} }}")

    def close(self) -> None:
        self.mirror.close()
