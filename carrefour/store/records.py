"""The remote store's own records: which version is published, and what is under way.

They live in graphs outside ``{base}graph/`` (under ``{base}store/``), so the hub never
shows them, and each fact the protocol depends on is one triple: Virtuoso applies an
update row by row, and one triple is the only thing a reader sees whole or not at all.

``store/version`` holds the published version (``#id``, ``#published``, one ``#graph``
per graph, ``#drain``) and, while a write session swaps graphs in, ``#publishing`` (the
version being swapped in) and ``#touching`` (each graph the swap replaces): readers refuse
to read while ``#publishing`` is there, since the graphs are then half old, half new.
The record also says the hub's base URL with ``void:uriSpace``, a term that does not
depend on the base, so that a command given only the store's address finds the hubs it
holds (``recorded_bases``).  ``#drain`` is a promise to readers: the next swap starts at least that many seconds after
``#publishing`` is raised, so an answer that arrived within it of a look at the record that
found no flag was read before any swap began (carrefour.store.remote).
``store/staging`` lists the staging graphs of the session holding the lock, so that
what a dead session left is found without scanning the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from carrefour.store.sparql_client import SparqlClient
from carrefour.vocab import VOID, XSD, Hub

URI_SPACE = ox.NamedNode(VOID + "uriSpace")


@dataclass(frozen=True)
class Records:
    """Names of the bookkeeping graphs and terms of one hub in the store."""

    version: ox.NamedNode
    lock: ox.NamedNode
    staging: str  # prefix of the staging graphs
    registry: ox.NamedNode  # the list of staging graphs
    empty: ox.NamedNode  # a graph nothing is written to: an empty part of a query's dataset
    hub_graphs: str  # prefix of the hub's own graphs
    base: str

    @classmethod
    def of(cls, hub: Hub) -> Records:
        return cls(
            hub.node("store", "version"),
            hub.node("store", "lock"),
            hub.iri("store", "staging") + "/",
            hub.node("store", "staging"),
            hub.node("store", "empty"),
            hub.iri("graph") + "/",
            hub.base,
        )

    def term(self, record: ox.NamedNode, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{record.value}#{name}")

    def is_hub_graph(self, graph: ox.NamedNode | str) -> bool:
        return (graph.value if isinstance(graph, ox.NamedNode) else graph).startswith(self.hub_graphs)


@dataclass(frozen=True)
class VersionRecord:
    """What ``store/version`` says."""

    version: str | None  # None until a first publication completed
    published: datetime | None
    graphs: tuple[ox.NamedNode, ...]
    publishing: str | None = None  # the version a write session is swapping in
    touching: tuple[ox.NamedNode, ...] = ()  # the graphs that swap replaces
    drain: float = 0.0  # seconds the next swap waits after raising the flag (0: no promise, records before it)


def datetime_literal(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))


def read_version(client: SparqlClient, records: Records) -> VersionRecord:
    record = records.version
    rows = client.select(f"SELECT ?p ?o WHERE {{ GRAPH {record} {{ {record} ?p ?o }} }}").solutions
    values: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for row in rows:
        values.setdefault(row["p"].value.rpartition("#")[2], []).append(row["o"])

    def graphs(name: str) -> tuple[ox.NamedNode, ...]:
        return tuple(sorted((g for g in values.get(name, []) if isinstance(g, ox.NamedNode)), key=lambda g: g.value))

    version, published, publishing, drain = (
        values.get(name, [None])[0] for name in ("id", "published", "publishing", "drain")
    )
    return VersionRecord(
        version.value if version is not None else None,
        datetime.fromisoformat(published.value) if published is not None else None,
        graphs("graph"),
        publishing.value if publishing is not None else None,
        graphs("touching"),
        float(drain.value) if drain is not None else 0.0,
    )


def version_triples(
    records: Records, version: str, published: datetime, graphs: list[ox.NamedNode], drain: float
) -> str:
    """The record of a published version, as the body of an INSERT DATA."""
    record, term = records.version, records.term
    listed = f" ; {term(record, 'graph')} {', '.join(map(str, graphs))}" if graphs else ""
    promise = ox.Literal(f"{drain:.3f}", datatype=ox.NamedNode(XSD + "decimal"))
    return (
        f"GRAPH {record} {{ {record} {term(record, 'id')} {ox.Literal(version)} ; "
        f"{term(record, 'published')} {datetime_literal(published)} ; {term(record, 'drain')} {promise} ; "
        f"{URI_SPACE} {ox.Literal(records.base)}{listed} }}"
    )


def recorded_bases(client: SparqlClient) -> list[str]:
    """The base URLs of the hubs whose version records the store holds (records written before they said it: none)."""
    rows = client.select(f"SELECT ?record ?base WHERE {{ GRAPH ?record {{ ?record {URI_SPACE} ?base }} }}").solutions
    return sorted(
        {row["base"].value for row in rows if row["record"].value == Hub(row["base"].value).iri("store", "version")}
    )
