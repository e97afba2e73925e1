"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB…) behind the same Store seam.

Reads go to the remote store: the hub's own queries and public ones, with the hub's
limits (timeout, cap) and answers re-serialised by the hub, so its endpoint stays
standard whatever the store writes.  Every query reads the hub's graphs of the
published version only, never the store's system graphs or the hub's bookkeeping: it
names them as its dataset, or (the page's reads of quads, ``RemoteSnapshot._held_rows``)
the rows from any other graph are dropped.

Writes keep a local mirror: an embedded store holding the same graphs, where a write
session does its work (mapping, validation, links, artifacts) exactly as on the
embedded store.  When the session ends, the graphs it changed are uploaded to staging
graphs; a failure up to there leaves the store untouched.  Then the swap: the store
cannot do it atomically (Virtuoso commits an update request operation by operation and
lets readers see rows of an operation still running), so the session first raises
the ``#publishing`` flag (carrefour.store.records), waits until every reader has seen
it and finished its queries (``drain_seconds``), moves the staging graphs in, writes
the new version record and lowers the flag.  Readers answer StoreUnavailable (503)
while the flag is up: they see the old version, then a few seconds of "publishing",
then the new version, never half of one.  A swap that dies halfway leaves the flag
up; the next write session (or the failing one, if the store answers again) repairs
the store from the mirror, which holds the version being swapped in.

Readers do not count on being quick: a reader may look at the record just before the
flag goes up and send its queries seconds later (a loaded machine, a snapshot held
across the swap).  The record promises how long the next swap waits after raising the
flag (``#drain``), so every read ends with a check (``RemoteStore.confirm``): answers
that arrived within that time of a look that found the record unchanged were read
before any swap began; past it, the reader looks again, and answers StoreUnavailable
if the version moved or the flag is up, rather than what it read.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from carrefour.config import Config
from carrefour.errors import QueryError, StoreError, StoreUnavailable
from carrefour.sparql.syntax import DatasetClause
from carrefour.sparql_text import bind_values
from carrefour.store.answers import boolean_answer, graph_answer, graph_format, select_answer
from carrefour.store.base import Bindings, DatasetInfo, Neighbourhood, PublicQuery, QueryAnswer, Solution, Term
from carrefour.store.embedded import EmbeddedStore, EmbeddedWriter, OxigraphView
from carrefour.store.records import Records, VersionRecord, read_version, version_triples
from carrefour.store.remote_artifacts import VersionArtifacts
from carrefour.store.remote_lock import WriteLock
from carrefour.store.sparql_client import Endpoints, SparqlClient
from carrefour.vocab import Hub


def _fragments(quads: Iterable[ox.Quad], prefix: str, seen: set[ox.NamedNode]) -> list[ox.NamedNode]:
    """The fragment nodes (IRIs starting with ``prefix``) ``quads`` point to and ``seen`` lacks; added to it."""
    found: list[ox.NamedNode] = []
    for quad in quads:
        node = quad.object
        if isinstance(node, ox.NamedNode) and node.value.startswith(prefix) and node not in seen:
            seen.add(node)
            found.append(node)
    return found


def _ntriples(view: OxigraphView, graph: ox.NamedNode, amendment: list[ox.Quad] | None = None) -> bytes:
    """What the store is sent of a graph: the mirror's own serialisation of it, or of what a session added."""
    if amendment is not None:
        return ox.serialize((q.triple for q in amendment), format=ox.RdfFormat.N_TRIPLES)
    output = io.BytesIO()
    view.dump(output, ox.RdfFormat.N_TRIPLES, graph)
    return output.getvalue()


def _bound(query: str, bindings: Bindings | None) -> str:
    """Bindings written as validated RDF terms in an inline VALUES block, never raw text.

    N-Triples escapes are what Virtuoso reads in strings (it applies ``\\u`` escapes
    inside strings, not before parsing), so hostile values arrive exactly as written.
    """
    return bind_values(query, {name: str(term) for name, term in (bindings or {}).items()})


def neighbourhood_query(iri: ox.NamedNode, predicates: Sequence[ox.NamedNode], referring: bool = True) -> str:
    """The one query of ``RemoteSnapshot.neighbourhood``, its parts told apart by ``?part``; rows hold their graphs.

    Each part's filter comes after its patterns: Virtuoso 7 turns a filter written between
    two patterns into a scan of every quad (seconds at 5,000 initiatives, milliseconds so).
    """
    node, prefix = str(iri), ox.Literal(iri.value + "#")
    naming = f"?p IN ({', '.join(map(str, predicates))})"
    record = 'BIND (IRI(IF(CONTAINS(STR(?f), "#"), STRBEFORE(STR(?f), "#"), STR(?f))) AS ?s)'
    parts = [
        f'VALUES (?part ?s) {{ ("own" {node}) }} GRAPH ?g {{ ?s ?p ?o }}',
        f'VALUES ?part {{ "own" }} GRAPH ?h {{ {node} ?q ?s }} GRAPH ?g {{ ?s ?p ?o }} '
        f"FILTER (STRSTARTS(STR(?s), {prefix}))",
        f'VALUES ?part {{ "name" }} GRAPH ?h {{ {node} ?q ?s }} GRAPH ?g {{ ?s ?p ?o }} FILTER (isIRI(?s) && {naming})',
        f'VALUES ?part {{ "name" }} GRAPH ?h {{ {node} ?q ?f }} GRAPH ?i {{ ?f ?r ?s }} GRAPH ?g {{ ?s ?p ?o }} '
        f"FILTER (STRSTARTS(STR(?f), {prefix}) && isIRI(?s) && {naming})",
    ]
    if referring:
        parts += [
            f'VALUES (?part ?o) {{ ("in" {node}) }} GRAPH ?g {{ ?s ?p ?o }}',
            f'VALUES ?part {{ "name" }} GRAPH ?h {{ ?f ?q {node} }} {record} GRAPH ?g {{ ?s ?p ?o }} '
            f"FILTER (isIRI(?f) && {naming})",
        ]
    return "SELECT ?part ?s ?p ?o ?g ?h ?i WHERE { " + " UNION ".join(f"{{ {part} }}" for part in parts) + " }"


LOOKUP_BATCH = 200  # subjects per lookup query: a short query text, answers well under the store's row limit

PUBLISHING = "a new version of the data is being published: try again in a few seconds"

Changed = dict[ox.NamedNode, Callable[[], bytes] | None]  # makes a graph's new content, as N-Triples; None: it goes
Staged = dict[ox.NamedNode, ox.NamedNode | None]  # a graph's staging graph; None: the graph goes
Amended = dict[ox.NamedNode, set[tuple[Term, ox.NamedNode]]]  # graphs amended: the (subject, predicate) pairs emptied


def client_from(config: Config) -> SparqlClient:
    """A client of the remote store the settings name."""
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
        retry_seconds=float(config["STORE_RETRY_SECONDS"]),
    )
    return SparqlClient(endpoints)


class RemoteSnapshot:
    """One published version of the remote store, read over the SPARQL protocol."""

    def __init__(self, store: RemoteStore, info: DatasetInfo, record: VersionRecord) -> None:
        self.client = store.client
        self.records = store.records
        self.info = info
        self.record = record
        self._visible = [g.value for g in record.graphs]
        self._held = frozenset(self._visible)
        self._confirm = store.confirm

    def _checked(self) -> None:
        """After answers arrived: raise StoreUnavailable unless they all come from this version."""
        self._confirm(self.record)

    def holds(self, graph: ox.NamedNode | str) -> bool:
        """Whether ``graph`` is one of this version's graphs: no other is ever read.

        A graph new to the version being published is written under its own name before the
        swap (RemoteStore._stage): until the record lists it, it is as invisible as a staging graph.
        """
        return (graph.value if isinstance(graph, ox.NamedNode) else graph) in self._held

    def _dataset(self, default: list[str] | None = None, named: list[str] | None = None) -> list[tuple[str, str]]:
        """The protocol dataset of a query: this version's graphs only (an empty part names an empty graph).

        Without one the store would query everything it holds: its system graphs, the
        staging graphs of a write in progress.
        """
        default = [g for g in (self._visible if default is None else default) if self.holds(g)]
        named = [g for g in (self._visible if named is None else named) if self.holds(g)]
        empty = [self.records.empty.value]
        return [("default-graph-uri", g) for g in default or empty] + [("named-graph-uri", g) for g in named or empty]

    def _held_rows(self, query: str) -> Iterator[Solution]:
        """The rows of one of the hub's own reads of quads whose graphs (``?g``, ``?h``, ``?i``) are all this version's.

        Such a read names no protocol dataset: given the version's graphs as named graphs,
        Virtuoso 7 plans a join of GRAPH patterns as scans (the neighbourhood read took
        230 ms at 2,000 initiatives, 10 ms without).  The store reads every graph, and the
        rows of any other (staging graphs, the store's own) are dropped here: for patterns
        that only join, as these do, the rows kept are the ones the dataset would give.
        """
        for row in self.client.select_paged(query, checked=self._checked)[1]:
            if all(self.holds(row[name]) for name in ("g", "h", "i") if name in row):  # type: ignore[arg-type]
                yield row

    def quads(
        self,
        subject: Term | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        if graph is not None and not self.holds(graph):
            return
        if graph is None and subject is None and object is None:
            # A scan: graph by graph, each paged on its own (the store sorts one graph per page, not all).
            for name in self.record.graphs:
                yield from self.quads(None, predicate, None, name)
            return
        given = {"s": subject, "p": predicate, "o": object, "g": graph}
        pattern = {name: str(term) if term is not None else f"?{name}" for name, term in given.items()}
        where = f"GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }}"
        variables = [f"?{name}" for name, term in given.items() if term is None]
        if not variables:
            found = self.client.ask(f"ASK {{ {where} }}", self._dataset())
            self._checked()
            if found:
                yield ox.Quad(subject, predicate, object, graph)  # type: ignore[arg-type]
            return
        query = f"SELECT {' '.join(variables)} WHERE {{ {where} }}"
        for row in self.client.select_paged(query, self._dataset(), checked=self._checked)[1]:
            terms = {name: row.get(name, term) for name, term in given.items()}
            yield ox.Quad(terms["s"], terms["p"], terms["o"], terms["g"])  # type: ignore[arg-type]

    def contains(self, quad: ox.Quad) -> bool:
        return next(self.quads(quad.subject, quad.predicate, quad.object, quad.graph_name), None) is not None  # type: ignore[arg-type]

    def describe(self, iri: ox.NamedNode) -> list[ox.Quad]:
        """The resource and its fragment nodes, one query per level of fragments."""
        return self._described(iri, [], {iri}, [iri])

    def _described(
        self, iri: ox.NamedNode, quads: list[ox.Quad], seen: set[ox.NamedNode], frontier: list[ox.NamedNode]
    ) -> list[ox.Quad]:
        """``quads``, with those of the nodes in ``frontier`` and of the fragment nodes they lead to."""
        prefix = iri.value + "#"
        while frontier:
            values = " ".join(str(node) for node in frontier)
            query = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            found = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in self._held_rows(query)]  # type: ignore[arg-type]
            quads += found
            frontier = _fragments(found, prefix, seen)
        return quads

    def neighbourhood(
        self, iri: ox.NamedNode, predicates: Sequence[ox.NamedNode], referring: bool = True
    ) -> Neighbourhood:
        """One query: the resource, its fragment nodes, what points to it, and the names of what they link to.

        Fragments of fragments (none in the hub's data today) take one more query per level.
        """
        query = neighbourhood_query(iri, predicates, referring)
        found: dict[str, dict[ox.Quad, None]] = {"own": {}, "in": {}, "name": {}}
        for row in self._held_rows(query):
            quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]
            found[row["part"].value][quad] = None
        own = list(found["own"])
        prefix = iri.value + "#"
        seen = {iri}
        fragments = _fragments([q for q in own if q.subject == iri], prefix, seen)
        linking = {iri, *fragments}
        named = {q.object for q in own if q.subject in linking and isinstance(q.object, ox.NamedNode)}
        own = self._described(iri, own, seen, _fragments([q for q in own if q.subject != iri], prefix, seen))
        incoming = list(found["in"]) if referring else None
        for quad in incoming or ():
            if isinstance(quad.subject, ox.NamedNode):
                named.add(ox.NamedNode(quad.subject.value.split("#", 1)[0]))
        return Neighbourhood(own, incoming, list(found["name"]), named)  # type: ignore[arg-type]

    def lookup(self, subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> list[ox.Quad]:
        """One query per ``LOOKUP_BATCH`` subjects, sorted back subject by subject as the embedded store gives them."""
        quads: list[ox.Quad] = []
        properties = " ".join(map(str, predicates))
        for start in range(0, len(subjects), LOOKUP_BATCH):
            batch = subjects[start : start + LOOKUP_BATCH]
            query = (
                f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {' '.join(map(str, batch))} }} "
                f"VALUES ?p {{ {properties} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            )
            rank = {subject: n for n, subject in enumerate(batch)}
            found = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in self._held_rows(query)]  # type: ignore[arg-type]
            quads += sorted(found, key=lambda q: rank[q.subject])  # type: ignore[index]
        return quads

    def select(self, query: str, bindings: Bindings | None = None) -> list[Solution]:
        variables, rows = self.client.select_paged(_bound(query, bindings), self._dataset(), checked=self._checked)
        unprojected = set(bindings or ()) - set(variables)
        if unprojected:  # as the embedded store's SEP-0007 substitution requires
            raise QueryError(f"bound variables must be in the projection: {', '.join(sorted(unprojected))}")
        return list(rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        answer = self.client.ask(_bound(query, bindings), self._dataset())
        self._checked()
        return answer

    def graphs(self) -> list[ox.NamedNode]:
        return list(self.record.graphs)

    def count(self, graph: ox.NamedNode | None = None) -> int:
        if graph is None:
            query, dataset = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", self._dataset()
        elif self.holds(graph):
            # Naming a hub graph is dataset enough; and Virtuoso 7 counts 1, not 0, for a
            # graph outside the query's named graphs.
            query, dataset = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", []
        else:
            return 0
        rows = self.client.select(query, dataset)
        self._checked()
        return int(rows.solutions[0]["n"].value) if rows.solutions else 0

    def dump(self, output: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Stream graph by graph, page by page: the dump is never held in memory."""
        if graph is not None and not self.holds(graph):
            return
        graphs = [graph] if graph is not None else self.graphs()
        download = self.client.download
        if format.supports_datasets:
            quads = (ox.Quad(t.subject, t.predicate, t.object, g) for g in graphs for t in download(g, self._checked))
            ox.serialize(quads, output, format)
            return
        for name in graphs:  # triples formats: one document per graph, as the embedded store writes them
            ox.serialize(download(name, self._checked), output, format)

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        """Run a gated query on the store; the hub, not the store, decides the answer's format and cap.

        The store receives a rendering of the gate's parsed query (its canonical text,
        with the dataset and the LIMIT this store needs), never the client's text.
        """
        gated = query.query
        dataset, protocol = self._public_dataset(query)
        if gated.form == "SELECT":
            # The store stops at the cap (its own row limit at most: Virtuoso refuses to sort past it).
            text = gated.render(dataset=dataset, limit=min(query.cap + 1, self.client.endpoints.result_cap))
            rows = self.client.select(text, protocol, query.timeout, limit=query.cap, public=True)
            self._checked()
            return select_answer(
                rows.variables, rows.solutions, query.select_format, query.cap, query.max_bytes, rows.cut
            )
        text = gated.text if dataset is None else gated.render(dataset=dataset)
        if gated.form == "ASK":
            answer = self.client.ask(text, protocol, query.timeout, public=True)
            self._checked()
            return boolean_answer(answer, query.select_format)
        graph_format(query.graph_format)  # refuse an unknown format before the store works for nothing
        triples, cut = self.client.construct(text, gated.form, protocol, query.timeout, query.cap)
        self._checked()
        prefixes = dict(query.prefixes)
        return graph_answer(triples, query.graph_format, query.cap, prefixes, gated.form, query.max_bytes, cut)

    def _public_dataset(self, query: PublicQuery) -> tuple[tuple[DatasetClause, ...] | None, list[tuple[str, str]]]:
        """The FROM clauses to render (None: the query's own) and the protocol dataset, kept to the hub's graphs.

        The protocol's graphs win over the query's FROM clauses (Protocol 2.1.4), but
        Virtuoso adds both together and reads any graph FROM names: with protocol graphs
        the FROM clauses are left out, and FROM graphs that are not the hub's become an
        empty graph.
        """
        gated = query.query
        if query.default_graphs or query.named_graphs:
            return (), self._dataset(list(query.default_graphs), list(query.named_graphs))
        if not gated.dataset:
            return None, self._dataset()
        kept = tuple(
            clause if self.holds(clause.iri) else DatasetClause(self.records.empty, clause.named)
            for clause in gated.dataset
        )
        return kept, self._dataset(gated.from_graphs, gated.from_named_graphs)


class RemoteStore:
    """A remote SPARQL 1.1 store, written through a local mirror."""

    kind = "sparql"
    remote = True

    def __init__(
        self,
        client: SparqlClient,
        hub: Hub,
        mirror_root: Path,
        poll_seconds: float = 2.0,
        drain_seconds: float | None = None,
        artifacts_dir: Path | None = None,
        keep_generations: int = 3,
    ) -> None:
        """:param drain_seconds: how long a swap waits for readers (default: two polls).
        :param artifacts_dir: where versions' artifacts are shared (default: ``artifacts`` beside the mirror).
        """
        self.client = client
        self.hub = hub
        self.records = Records.of(hub)
        self.lock = WriteLock(client, self.records)
        self.mirror = EmbeddedStore(mirror_root, hub.base, keep_generations=keep_generations)
        shared = artifacts_dir or mirror_root.parent / "artifacts"
        self.artifacts = VersionArtifacts(shared, self.mirror, keep_generations)
        self.poll_seconds = poll_seconds
        self.drain_seconds = 2 * poll_seconds if drain_seconds is None else drain_seconds
        self._guard = threading.Lock()
        self._snapshot: RemoteSnapshot | None = None
        self._seen: VersionRecord | None = None  # what the latest look at the record found…
        self._looked = float("-inf")  # … and when it was sent (monotonic)

    @classmethod
    def from_config(cls, config: Config) -> RemoteStore:
        poll = float(config["STORE_POLL_SECONDS"])
        # A reader may hold a snapshot for one poll, then run a public query for its whole time limit.
        drain = poll + float(config["SPARQL_TIMEOUT"]) + 1
        shared = Path(str(config["ARTIFACTS_DIR"])).expanduser() if config["ARTIFACTS_DIR"] else None
        keep = int(config["KEEP_GENERATIONS"])
        mirror = config.store_path / "mirror"
        return cls(client_from(config), Hub(config.base_url, config.vocabulary), mirror, poll, drain, shared, keep)

    # -- reading ---------------------------------------------------------------------

    def version_record(self) -> VersionRecord:
        return read_version(self.client, self.records)

    def _look(self) -> VersionRecord:
        """Read the version record, and remember what it said and when the request was sent."""
        sent = time.monotonic()
        record = self.version_record()  # outside the guard: a slow store must not queue every thread
        with self._guard:
            if sent >= self._looked:
                self._seen, self._looked = record, sent
        return record

    def confirm(self, record: VersionRecord) -> None:
        """Called once a read of ``record``'s version has all its answers: were they all read from that version?

        A look sent at time t that found ``record`` unchanged, without the flag, means no
        swap begins before t + ``record.drain`` (the flag went up after the look, and the
        swap waits that long after the flag): answers that arrived by then are from this
        version.  Past that time, one more look decides.

        :raises StoreUnavailable: the version moved or is being replaced: what was read may mix two versions.
        """
        with self._guard:
            if self._seen == record and time.monotonic() - self._looked <= record.drain:
                return
        if self._look() != record:
            raise StoreUnavailable(PUBLISHING)

    def snapshot(self) -> RemoteSnapshot:
        """The remote's current version, re-checked every ``poll_seconds``.

        :raises StoreError: nothing published yet.
        :raises StoreUnavailable: the store does not answer, or a new version is being swapped in.
        """
        with self._guard:
            current = self._snapshot
            fresh = time.monotonic() - self._looked < self.poll_seconds
            if current is not None and current.record == self._seen and fresh:
                return current
        record = self._look()
        if record.publishing is not None:
            with self._guard:
                self._snapshot = None
            raise StoreUnavailable(PUBLISHING)
        if record.version is None or record.published is None:
            raise StoreError("no data published in the remote store yet: run `carrefour init`")
        with self._guard:
            current = self._snapshot
            if current is None or current.record != record or current.info.artifacts is None:
                artifacts = self.artifacts.find(record.version)
                if current is None or current.record != record or artifacts is not None:
                    info = DatasetInfo(record.version, record.published, self.hub.base, artifacts)
                    current = self._snapshot = RemoteSnapshot(self, info, record)
        if current.info.artifacts is None:
            self.artifacts.rebuild(current, self.hub, lambda: self.version_record() == record)
        return current

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[EmbeddedWriter]:
        """A write session on the mirror, published to the remote store when it ends.

        :raises StoreBusy: another session, on any machine, holds the remote store's lock.
        """
        token = secrets.token_hex(8)
        self.lock.acquire(token)
        try:
            self._drop_staging()
            self._sync_mirror(token)
            with self.mirror.writer() as writer:
                yield writer
                self.lock.check(token)
                self.artifacts.share(writer.artifacts, writer.info.version)
                graphs = writer.graphs()
                # a graph the session only amended (the history, a push) goes as what it added: it grows with every
                # session, and uploading it whole each time would cost more and more
                amended = {g: writer.amended_pairs(g) for g in writer.changed if writer.amendment(g) is not None}
                changed: Changed = {
                    g: partial(_ntriples, writer, g, writer.amendment(g))
                    if g in amended
                    else partial(_ntriples, writer, g)
                    if g in graphs
                    else None
                    for g in writer.changed
                }
                staged = self._stage(changed, token)
                self._raise_flag(staged, writer.info.version)
            # The flag is up and the mirror holds the new version: from here on a failure is repaired from it.
            try:
                self._swap(staged, writer.info, graphs, amended)
            except StoreError:
                if not self._repaired(token):
                    raise
        finally:
            self.lock.release(token)
            with self._guard:
                self._snapshot = None

    def _sync_mirror(self, token: str) -> None:
        """Make the mirror hold exactly the remote's graphs, under the remote's version."""
        record = self.version_record()
        mirrored = self.mirror.published_info()
        if record.publishing is not None:
            self._repair(token, record)
            return
        if record.version is None and mirrored is None:
            return
        if mirrored is not None and mirrored.version == record.version:
            return
        with self.mirror.writer(version=record.version) as writer:
            for graph in writer.graphs():
                if graph not in record.graphs:
                    writer.drop_graph(graph)
            for graph in record.graphs:
                writer.replace_graph(graph, self.client.download(graph))

    def _stage(self, changed: Changed, token: str) -> Staged:
        """Upload each changed graph to a staging graph (None: the graph goes).

        A graph the published version lacks is its own staging graph: no reader asks for it
        until the new record lists it, and the swap has nothing to move (a first harvest's
        graphs are written once).  A failure here leaves the store as it was: the staging
        graphs are dropped.
        """
        published = set(self.version_record().graphs)
        names = {
            g: ox.NamedNode(f"{self.records.staging}{token}/{n}") if g in published else g
            for n, g in enumerate(sorted(changed, key=str))
        }
        registry, listed = self.records.registry, self.records.term(self.records.registry, "graph")
        if names:
            self.client.update(
                f"INSERT DATA {{ GRAPH {registry} {{ {registry} {listed} {', '.join(map(str, names.values()))} }} }}"
            )
        fresh = [g for g in names.values() if g not in published and g in changed]
        if fresh:  # what a session that died before its swap may have left there
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in fresh))
        staged: Staged = {}
        try:
            for graph, staging in names.items():
                made = changed[graph]
                document = made() if made is not None else b""
                if document:
                    self.client.upload(staging.value, document)
                staged[graph] = staging if document else None
        except BaseException:
            self._drop(staged)
            raise
        return staged

    def _drop(self, staged: Staged) -> None:
        for staging in staged.values():
            if staging is not None:
                with contextlib.suppress(StoreError):
                    self.client.update(f"DROP SILENT GRAPH {staging}")

    def _raise_flag(self, staged: Staged, version: str) -> None:
        """Tell readers a swap is coming; up to here a failure leaves the store as it was."""
        record, term = self.records.version, self.records.term
        touching = f" ; {term(record, 'touching')} {', '.join(map(str, staged))}" if staged else ""
        try:
            self.client.update(
                f"INSERT DATA {{ GRAPH {record} {{ {record} {term(record, 'publishing')} {ox.Literal(version)}"
                f"{touching} }} }}"
            )
        except BaseException:
            self._drop(staged)
            raise

    def _swap(
        self, staged: Staged, info: DatasetInfo, graphs: list[ox.NamedNode], amended: Amended | None = None
    ) -> None:
        """Let readers drain, move the staging graphs in, record the version, lower the flag.

        A graph the session only ``amended`` loses every value of the (subject, predicate) pairs
        it removed from, then gets its staging graph added: no statement is matched by value,
        which the store may write otherwise than it was sent.
        The wait is the longer of this session's drain and the one the record promised its readers.
        """
        record, flag = self.records.version, self.records.term(self.records.version, "publishing")
        time.sleep(max(self.drain_seconds, self.version_record().drain))
        published = version_triples(self.records, info.version, info.published, graphs, self.drain_seconds)
        operations = []
        for graph, staging in staged.items():
            if staging == graph:  # new to this version: uploaded in place, whole
                continue
            if amended is not None and graph in amended:
                pairs = sorted(amended[graph], key=str)
                operations += [f"DELETE WHERE {{ GRAPH {graph} {{ {s} {p} ?o }} }}" for s, p in pairs]
                if staging is not None:
                    operations += [f"ADD SILENT {staging} TO {graph}", f"DROP SILENT GRAPH {staging}"]
                continue
            operations.append(f"DROP SILENT GRAPH {graph}")
            if staging is not None:
                operations.append(f"MOVE SILENT {staging} TO {graph}")
        operations += [
            f"DROP SILENT GRAPH {self.records.registry}",
            f"DELETE {{ GRAPH {record} {{ {record} ?p ?o }} }} WHERE {{ GRAPH {record} {{ {record} ?p ?o }} "
            f"FILTER (?p != {flag}) }}",
            f"INSERT DATA {{ {published} }}",
            f"DELETE WHERE {{ GRAPH {record} {{ {record} {flag} ?v }} }}",
        ]
        try:
            self.client.update(" ;\n".join(operations), timeout=max(self.client.endpoints.timeout, 600))
        except StoreUnavailable:
            self._await_swap(info.version)

    def _await_swap(self, version: str) -> None:
        """The swap's answer was lost: the store may still be applying it; the record will tell."""
        deadline = time.monotonic() + max(self.client.endpoints.timeout, 600)
        while time.monotonic() < deadline:
            time.sleep(min(5.0, self.client.endpoints.timeout))
            with contextlib.suppress(StoreUnavailable):
                record = self.version_record()
                if record.publishing is None:
                    if record.version == version:
                        return
                    break
        raise StoreUnavailable("the store stopped answering while it swapped the new version in")

    def _repaired(self, token: str) -> bool:
        """After a failed swap: repair now if the store answers; else the next session will."""
        try:
            self._repair(token, self.version_record())
        except StoreError:
            return False
        return True

    def _repair(self, token: str, record: VersionRecord) -> None:
        """Republish the mirror whole: a swap stopped halfway, the graphs are part old, part new.

        :raises StoreError: the mirror holds neither the version being swapped in nor the one before.
        """
        mirrored = self.mirror.published_info()
        if mirrored is None or mirrored.version not in (record.publishing, record.version):
            raise StoreError(
                f"a publication of version {record.publishing} to the remote store stopped halfway; "
                "run a write session (init or harvest) on the machine that started it to repair it"
            )
        self._drop_staging()  # what the stopped swap had not moved yet
        snapshot = self.mirror.snapshot()
        graphs = snapshot.graphs()
        gone = [g for g in {*record.graphs, *record.touching} if g not in graphs]
        changed: Changed = {g: partial(_ntriples, snapshot, g) for g in graphs} | {g: None for g in gone}
        staged = self._stage(changed, token)
        self.lock.check(token)
        self._raise_flag(staged, snapshot.info.version)
        self._swap(staged, snapshot.info, graphs)

    def _drop_staging(self) -> None:
        """Drop what a session that died left in staging graphs (the lock is ours: nothing else is staging)."""
        registry, listed = self.records.registry, self.records.term(self.records.registry, "graph")
        rows = self.client.select(f"SELECT ?g WHERE {{ GRAPH {registry} {{ {registry} {listed} ?g }} }}").solutions
        for row in rows:
            self.client.update(f"DROP SILENT GRAPH {row['g']}")
        if rows:
            self.client.update(f"DROP SILENT GRAPH {registry}")

    def close(self) -> None:
        self.mirror.close()
