"""The one interface between the hub and its triple store.

Two implementations stand behind it: the embedded store (pyoxigraph on disk, the
default) and a remote SPARQL 1.1 store.  Terms crossing the seam are pyoxigraph terms
on both, so the hot paths never convert terms.

Reading goes through a ``Snapshot``: a consistent, read-only view of one published
version of the dataset.  Writing goes through a ``Writer`` session: exclusive, and
published all at once when the session ends without error; a failed or killed
session leaves the published version untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import pyoxigraph as ox

from carrefour.store.delta import Delta

if TYPE_CHECKING:  # the gate's parser (0.15 s to import) is the web layer's, not a harvest's
    from carrefour.sparql.gate import GatedQuery

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Bindings = Mapping[str, Term]
Solution = dict[str, Term]


@dataclass(frozen=True)
class PublicQuery:
    """A query from the public SPARQL endpoint, past the gate, with the limits that apply to it.

    ``select_format`` and ``graph_format`` are the negotiated result formats for
    tabular (SELECT/ASK) and graph (CONSTRUCT/DESCRIBE) answers: the form of the
    query decides which one is used.  Stores run ``query.text`` (or a rendering of
    the same parsed query), never the text the client sent.
    """

    query: GatedQuery
    select_format: str = "json"
    graph_format: str = "ttl"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    timeout: float = 10.0
    cap: int = 10000
    max_bytes: int = 32 * 1024 * 1024  # of the answer's text: past it, cut like the row cap
    prefixes: tuple[tuple[str, str], ...] = ()  # for readable Turtle and RDF/XML answers


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer to a public query."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    media_type: str
    body: bytes
    count: int  # rows or triples in the body
    capped: bool = False  # True when the answer was cut at the cap


@dataclass
class DatasetInfo:
    """What a snapshot knows about the version it shows."""

    version: str
    published: datetime
    base_url: str
    artifacts: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """What a web cache is keyed on: the version, marked while its artifacts are not on this machine.

        A web machine of a remote store may get them after it first served the version
        (carrefour.store.remote_artifacts); pages made without them must not outlive that.
        """
        return self.version if self.artifacts is not None else f"{self.version}+without-artifacts"


@dataclass
class Neighbourhood:
    """What a resource's page reads, in one request on a remote store.

    ``own`` is what ``Snapshot.describe`` gives; ``referring`` the quads whose object is the
    resource (None when not asked for); ``names`` the quads of each node in ``named`` with
    one of the predicates asked for: complete for those nodes, nothing is known of others.
    """

    own: list[ox.Quad]
    referring: list[ox.Quad] | None
    names: list[ox.Quad] = field(default_factory=list)
    named: set[ox.NamedNode] = field(default_factory=set)


class Snapshot(Protocol):
    """A consistent read-only view of one published version of the dataset."""

    info: DatasetInfo

    def quads(
        self,
        subject: Term | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern, in every named graph unless ``graph`` is given."""
        ...

    def contains(self, quad: ox.Quad) -> bool:
        """Whether the statement is in its graph (a lookup that reads no term back)."""
        ...

    def describe(self, iri: ox.NamedNode) -> list[ox.Quad]:
        """The resource's own quads and those of its fragment nodes (``iri#...``)."""
        ...

    def neighbourhood(
        self, iri: ox.NamedNode, predicates: Sequence[ox.NamedNode], referring: bool = True
    ) -> Neighbourhood:
        """``describe(iri)``, the quads pointing to ``iri`` if ``referring``, and the ``predicates`` of
        the nodes they link to (those of the records of the referring nodes, ``…/x`` for ``…/x#a``).

        The embedded store answers the names from lookups as cheap as this one: it leaves them to
        ``lookup``; a remote store answers all of it in one round trip.
        """
        ...

    def lookup(self, subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> list[ox.Quad]:
        """The quads of any of ``subjects`` with any of ``predicates``, in every graph, subject by subject.

        Many small lookups at once (the labels of what a page links to): a remote store
        answers them in one round trip.
        """
        ...

    def select(self, query: str, bindings: Bindings | None = None) -> list[Solution]:
        """Run a trusted, bounded SELECT with safe parameter binding (never spliced).

        Bound variables must appear in the projection (SEP-0007 substitution, which
        a remote store emulates with a trailing VALUES clause).
        """
        ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def graphs(self) -> list[ox.NamedNode]: ...

    def count(self, graph: ox.NamedNode | None = None) -> int: ...

    def dump(self, output: IO[bytes], format: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Stream the dataset (or one graph) to ``output`` without building it in memory."""
        ...

    def run_public_query(self, query: PublicQuery) -> QueryAnswer:
        """Run an untrusted query under a timeout and a result cap.

        :raises QueryError: malformed query (400).
        :raises QueryTimeout: the query ran out of time (503).
        """
        ...


class Writer(Snapshot, Protocol):
    """An exclusive write session; what it changes is published when it ends."""

    previous: Snapshot | None
    artifacts: Path
    delta: Delta | None  # the statements this session added and removed, while it keeps them (None: it does not)
    changed: set[ox.NamedNode]  # graphs whose content this session changed (or dropped)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad | ox.Triple]) -> None:
        """Replace the whole content of ``graph`` (quads are moved into it)."""
        ...

    def load_graph(self, graph: ox.NamedNode, path: Path, format: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Replace ``graph`` with the content of an RDF file."""
        ...

    def drop_graph(self, graph: ox.NamedNode) -> None: ...

    def amend_graph(
        self, graph: ox.NamedNode, add: Iterable[ox.Quad | ox.Triple], remove: Iterable[ox.Quad | ox.Triple] = ()
    ) -> None:
        """Add and remove a few statements of ``graph``, keeping the rest: a growing graph is never rewritten."""
        ...

    def written(self, graph: ox.NamedNode) -> list[ox.Quad | ox.Triple] | None:
        """The list this session replaced ``graph`` with, if it did (the artifacts serialise it)."""
        ...


class Store(Protocol):
    """A triple store the hub publishes to."""

    kind: str
    remote: bool

    def snapshot(self) -> Snapshot:
        """The current published version (cheap; re-checks for a newer version)."""
        ...

    def writer(self) -> AbstractContextManager[Writer]:
        """Open an exclusive write session.

        :raises StoreBusy: another session is open.
        """
        ...

    def close(self) -> None: ...
