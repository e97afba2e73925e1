"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB…) behind the same Store seam.

Reads go to the remote store: trusted queries through SPARQLWrapper, public queries
proxied with the hub's own limits (timeout, cap, read-only, SERVICE allow-list) and
re-serialised by the hub so its endpoint stays standard whatever the store writes.

Writes keep a local mirror: an embedded store holding the same graphs, where a write
session does its work (mapping, validation, links, artifacts) exactly as on the
embedded store.  When the session ends, only the graphs it changed are uploaded to
staging graphs, then one SPARQL Update request swaps them all in and bumps the
version: stores apply an update request as a whole (Virtuoso's readers see the old
graphs until it commits), so readers see the old version or the new one.  A session
that fails drops its staging graphs and leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from carrefour import formats
from carrefour.config import Config
from carrefour.errors import QueryError, StoreBusy, StoreError
from carrefour.sparql_results import RESULT_FORMATS_BY_NAME, serialize_boolean, serialize_select
from carrefour.sparql_text import analyse, bind_values
from carrefour.store.base import Bindings, DatasetInfo, PublicQuery, QueryAnswer, Solution, Term
from carrefour.store.embedded import EmbeddedStore, EmbeddedWriter
from carrefour.store.sparql_client import Endpoints, SparqlClient, solutions_from_json
from carrefour.vocab import DCT, XSD, Hub

PAGE = 10_000  # no larger than the result caps stores apply by default
LOCK_TTL_SECONDS = 3600
SWAP_ATTEMPTS = 3


def _bound(query: str, bindings: Bindings | None) -> str:
    """Bindings written as validated RDF terms in an inline VALUES block, never raw text."""
    return bind_values(query, {name: str(term) for name, term in (bindings or {}).items()})


class RemoteSnapshot:
    """The remote store's current version, read over the SPARQL protocol."""

    def __init__(self, store: RemoteStore, info: DatasetInfo) -> None:
        self.store = store
        self.client = store.client
        self.info = info
        self._graph_prefix = str(ox.Literal(store.hub.iri("graph") + "/"))
        self._graphs: list[ox.NamedNode] | None = None

    def quads(
        self,
        subject: Term | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        s, p, o = (str(t) if t is not None else f"?{n}" for t, n in ((subject, "s"), (predicate, "p"), (object, "o")))
        g = str(graph) if graph is not None else "?g"
        restriction = "" if graph is not None else f"FILTER (STRSTARTS(STR(?g), {self._graph_prefix}))"
        offset = 0
        while True:
            rows = self.client.select(
                f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} {restriction} }} "
                f"ORDER BY ?s ?p ?o ?g LIMIT {PAGE} OFFSET {offset}"
            )
            for row in rows:
                yield ox.Quad(
                    row.get("s", subject),  # type: ignore[arg-type]
                    row.get("p", predicate),  # type: ignore[arg-type]
                    row.get("o", object),  # type: ignore[arg-type]
                    row.get("g", graph),  # type: ignore[arg-type]
                )
            if len(rows) < PAGE:
                return
            offset += PAGE

    def describe(self, iri: ox.NamedNode) -> list[ox.Quad]:
        quads = list(self.quads(iri))
        prefix = iri.value + "#"
        seen = {iri}
        queue = [q.object for q in quads]
        while queue:
            node = queue.pop()
            if isinstance(node, ox.NamedNode) and node.value.startswith(prefix) and node not in seen:
                seen.add(node)
                found = list(self.quads(node))
                quads.extend(found)
                queue.extend(q.object for q in found)
        return quads

    def _dataset(self) -> list[tuple[str, str]]:
        """The hub's graphs as the query dataset: stores add system graphs of their own."""
        names = [g.value for g in self.graphs()]
        return [("default-graph-uri", g) for g in names] + [("named-graph-uri", g) for g in names]

    def select(self, query: str, bindings: Bindings | None = None) -> list[Solution]:
        return self.client.select(_bound(query, bindings), dataset=self._dataset())

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        return self.client.ask(_bound(query, bindings), dataset=self._dataset())

    def graphs(self) -> list[ox.NamedNode]:
        if self._graphs is None:
            restriction = f"FILTER (STRSTARTS(STR(?g), {self._graph_prefix}))"
            rows = self.client.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {restriction} }}")
            graphs = {row["g"] for row in rows if isinstance(row["g"], ox.NamedNode)}
            hidden = (self.store.hub.iri("graph", "staging"), self.store.hub.iri("graph", "lock"))
            self._graphs = sorted((g for g in graphs if not g.value.startswith(hidden)), key=lambda g: g.value)
        return self._graphs

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is not None:
            rows = self.client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
            return int(rows[0]["n"].value)
        return sum(self.count(g) for g in self.graphs())

    def dump(self, output: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        graphs = [graph] if graph is not None else self.graphs()
        for name in graphs:
            triples = self.client.download(name.value)
            if format.supports_datasets:
                ox.serialize([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples], output, format)
            else:
                ox.serialize(triples, output, format)

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        """Proxy a public query; the hub, not the store, decides the answer's format and cap."""
        shape = analyse(query.text)
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in query.default_graphs]
        params += [("named-graph-uri", g) for g in query.named_graphs]
        if not params and not shape.has_dataset:
            params = self._dataset()  # the hub's own graphs, not the store's system graphs
        if shape.form in ("SELECT", "ASK"):
            body, _, _ = self.client.raw(query.text, "application/sparql-results+json", query.timeout, params)
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise StoreError("the store answered something that is not SPARQL JSON results") from exc
            fmt = RESULT_FORMATS_BY_NAME[query.select_format]
            if "boolean" in document:
                return QueryAnswer("ASK", fmt.media_type, serialize_boolean(bool(document["boolean"]), fmt.name), 1)
            rows = solutions_from_json(document)
            capped = len(rows) > query.cap
            rows = rows[: query.cap]
            variables = document.get("head", {}).get("vars", [])
            return QueryAnswer("SELECT", fmt.media_type, serialize_select(variables, rows, fmt.name), len(rows), capped)
        graph_format = formats.by_name(query.graph_format)
        if graph_format is None:
            raise QueryError(f"unsupported graph format {query.graph_format!r}")
        body, _, _ = self.client.raw(query.text, "application/n-triples", query.timeout, params)
        try:
            triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise StoreError(f"the store answered malformed N-Triples: {exc}") from exc
        capped = len(triples) > query.cap
        kept = sorted(triples[: query.cap], key=lambda t: (str(t.subject), str(t.predicate)))
        graph_triples = [ox.Triple(t.subject, t.predicate, t.object) for t in kept]
        body = ox.serialize(graph_triples, format=graph_format.oxigraph, prefixes=self.store.hub.prefixes())
        return QueryAnswer(shape.form or "CONSTRUCT", graph_format.media_type, body, len(kept), capped)


class RemoteStore:
    """A remote SPARQL 1.1 store, written through a local mirror."""

    kind = "sparql"
    remote = True

    def __init__(self, client: SparqlClient, hub: Hub, mirror_root: Path, poll_seconds: float = 2.0) -> None:
        self.client = client
        self.hub = hub
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
        )
        return cls(
            SparqlClient(endpoints), Hub(config.base_url), config.store_path / "mirror", config["STORE_POLL_SECONDS"]
        )

    # -- versions --------------------------------------------------------------------

    def remote_version(self) -> tuple[str, datetime] | None:
        rows = self.client.select(
            f"SELECT ?v ?t WHERE {{ GRAPH {self.hub.graph('meta')} {{ "
            f"{self.hub.node('dataset')} {self.hub.term('datasetVersion')} ?v ; <{DCT}modified> ?t }} }}"
        )
        if not rows:
            return None
        return rows[0]["v"].value, datetime.fromisoformat(rows[0]["t"].value.replace("Z", "+00:00"))

    def snapshot(self) -> RemoteSnapshot:
        """The remote's current version, re-checked every ``poll_seconds``.

        :raises StoreError: nothing published yet; StoreUnavailable: the store does not answer.
        """
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked < self.poll_seconds:
                return self._snapshot
            found = self.remote_version()
            if found is None:
                raise StoreError("no data published in the remote store yet: run `carrefour init`")
            version, published = found
            if self._snapshot is None or self._snapshot.info.version != version:
                artifacts = None
                if self.mirror.published() and self.mirror.snapshot().info.version == version:
                    artifacts = self.mirror.snapshot().info.artifacts
                info = DatasetInfo(version, published, self.hub.base, artifacts)
                self._snapshot = RemoteSnapshot(self, info)
            self._checked = time.monotonic()
            return self._snapshot

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[EmbeddedWriter]:
        """A write session on the mirror, pushed to the remote store when it ends.

        :raises StoreBusy: another harvest holds the remote store's lock.
        """
        token = secrets.token_hex(8)
        self._acquire(token)
        try:
            self._sync_mirror()
            with self.mirror.writer() as writer:
                yield writer
                self._push(writer, token)
        finally:
            self._release(token)
        with self._lock:
            self._snapshot = None

    def _sync_mirror(self) -> None:
        """Make the mirror hold exactly the remote's graphs, under the remote's version."""
        found = self.remote_version()
        if self.mirror.published() and found is not None and self.mirror.snapshot().info.version == found[0]:
            return
        remote = RemoteSnapshot(self, DatasetInfo(found[0] if found else "empty", datetime.now(UTC), self.hub.base))
        graphs = remote.graphs() if found is not None else []
        with self.mirror.writer(version=found[0] if found else None) as writer:
            for graph in writer.graphs():
                if graph not in graphs:
                    writer.drop_graph(graph)
            for graph in graphs:
                writer.replace_graph(graph, self.client.download(graph.value))

    def _push(self, writer: EmbeddedWriter, token: str) -> None:
        staged: dict[ox.NamedNode, str | None] = {}
        try:
            for number, graph in enumerate(sorted(writer.changed, key=lambda g: g.value)):
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in writer.quads(graph=graph)]
                staging = self.hub.iri("graph", "staging", token, str(number)) if triples else None
                if staging is not None:
                    self.client.upload(staging, triples)
                staged[graph] = staging
            operations = []
            for graph, staging in staged.items():
                operations.append(f"DROP SILENT GRAPH {graph}")
                if staging is not None:
                    operations.append(f"MOVE SILENT <{staging}> TO {graph}")
            meta, dataset, version = self.hub.graph("meta"), self.hub.node("dataset"), self.hub.term("datasetVersion")
            modified = ox.Literal(writer.info.published.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
            operations += [
                f"DELETE WHERE {{ GRAPH {meta} {{ {dataset} {version} ?v }} }}",
                f"DELETE WHERE {{ GRAPH {meta} {{ {dataset} <{DCT}modified> ?t }} }}",
                f"INSERT DATA {{ GRAPH {meta} {{ {dataset} {version} {ox.Literal(writer.info.version)} ; "
                f"<{DCT}modified> {modified} }} }}",
            ]
            self._swap(" ;\n".join(operations))
        except BaseException:
            for staging in staged.values():
                if staging is not None:
                    with contextlib.suppress(StoreError):
                        self.client.update(f"DROP SILENT GRAPH <{staging}>")
            raise

    def _swap(self, update: str) -> None:
        """One update request replaces every changed graph; retried when the store reports a conflict."""
        for attempt in range(1, SWAP_ATTEMPTS + 1):
            try:
                self.client.update(update, timeout=max(self.client.endpoints.timeout, 600))
                return
            except StoreError as exc:
                if attempt == SWAP_ATTEMPTS or "timed out" not in str(exc).lower():
                    raise
                time.sleep(2 * attempt)

    # -- the write lock, shared by every machine writing to the store ---------------------

    def _lock_graph(self) -> ox.NamedNode:
        return self.hub.graph("lock")

    def _acquire(self, token: str) -> None:
        holder = f"{socket.gethostname()} {os.getpid()}"
        now = ox.Literal(datetime.now(UTC).isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
        lock, node = self._lock_graph(), self.hub.node("lock")
        self.client.update(
            f"INSERT {{ GRAPH {lock} {{ {node} <{DCT}creator> {ox.Literal(token)} ; <{DCT}created> {now} ; "
            f"<{DCT}description> {ox.Literal(holder)} }} }} "
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {lock} {{ {node} <{DCT}creator> ?someone }} }} }}"
        )
        rows = self.client.select(
            f"SELECT ?who ?when ?where WHERE {{ GRAPH {lock} {{ {node} <{DCT}creator> ?who ; "
            f"<{DCT}created> ?when ; <{DCT}description> ?where }} }}"
        )
        if any(row["who"].value == token for row in rows):
            return
        if rows and self._stale(rows[0]["when"].value, rows[0]["where"].value):
            self.client.update(f"DROP SILENT GRAPH {lock}")
            return self._acquire(token)
        where = rows[0]["where"].value if rows else "?"
        raise StoreBusy(f"another harvest is writing to the remote store (held by {where})")

    def _stale(self, when: str, where: str) -> bool:
        host, _, pid = where.rpartition(" ")
        if host == socket.gethostname() and pid.isdigit():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return True  # its process is gone (killed): the lock is free
            except PermissionError:
                return False
        started = datetime.fromisoformat(when.replace("Z", "+00:00"))
        return (datetime.now(UTC) - started).total_seconds() > LOCK_TTL_SECONDS

    def _release(self, token: str) -> None:
        lock, node = self._lock_graph(), self.hub.node("lock")
        with contextlib.suppress(StoreError):
            self.client.update(
                f"DELETE WHERE {{ GRAPH {lock} {{ {node} <{DCT}creator> {ox.Literal(token)} ; ?p ?o }} }}"
            )

    def close(self) -> None:
        self.mirror.close()
