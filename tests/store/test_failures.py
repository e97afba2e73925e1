"""A remote store that is down, hangs, answers errors or dies during a write: clear errors, nothing lost.

The embedded store has no network to fail; its killed writers are tested in
tests/foundation/test_store_generations.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.errors import QueryTimeout, StoreError, StoreUnavailable
from carrefour.store.remote import RemoteStore
from carrefour.store.sparql_client import Endpoints, SparqlClient
from carrefour.vocab import Hub
from tests.support import virtuoso
from tests.support.backends import DRAIN_SECONDS, POLL_SECONDS, endpoints, fresh_base, remote_store
from tests.support.queries import public_query
from tests.support.served import free_port
from tests.support.sockets import ErrorServer, Proxy, SilentServer
from tests.support.zoo import Zoo, build, canonical, publish, publish_zoo

pytestmark = [pytest.mark.virtuoso, pytest.mark.timeout(120)]


def store_at(url: str, folder: Path, timeout: float = 2.0) -> RemoteStore:
    client = SparqlClient(Endpoints(query=url, update=url, graph_store=url, timeout=timeout))
    return RemoteStore(client, Hub(fresh_base()), folder / "mirror", POLL_SECONDS, DRAIN_SECONDS)


def staging_graphs(server: virtuoso.Virtuoso, hub: Hub) -> list[str]:
    return [g for g in server.graphs() if g.startswith(hub.iri("store", "staging") + "/")]


@pytest.mark.timeout(20)
def test_a_store_that_is_down_is_unavailable_at_once(tmp_path: Path) -> None:
    store = store_at(f"http://127.0.0.1:{free_port()}/sparql", tmp_path, timeout=30)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.snapshot()
    with pytest.raises(StoreUnavailable), store.writer():
        pass


@pytest.mark.timeout(20)
def test_a_store_that_hangs_is_unavailable_within_its_timeout(tmp_path: Path) -> None:
    with SilentServer() as silent:
        store = store_at(silent.url, tmp_path, timeout=1)
        with pytest.raises(StoreUnavailable, match="did not answer within 1 s"):
            store.snapshot()
        with pytest.raises(StoreUnavailable), store.writer():
            pass


@pytest.mark.timeout(20)
def test_a_store_answering_errors_is_unavailable(tmp_path: Path) -> None:
    with ErrorServer() as failing:
        store = store_at(failing.url, tmp_path)
        with pytest.raises(StoreUnavailable, match="Bad Gateway"):
            store.snapshot()
        with pytest.raises(StoreUnavailable, match="502"), store.writer():
            pass


def test_a_store_that_starts_hanging_cuts_queries_at_their_limit(
    virtuoso_server: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    direct = remote_store(virtuoso_server, Hub(fresh_base()), tmp_path / "direct")
    publish_zoo(direct, build(direct.hub))
    with Proxy(virtuoso_server.http_port) as proxy, contextlib.closing(direct):
        url = f"http://127.0.0.1:{proxy.port}/"
        client = SparqlClient(endpoints(virtuoso_server, query=url + "sparql", timeout=1.0))
        store = RemoteStore(client, direct.hub, tmp_path / "proxied" / "mirror", POLL_SECONDS, DRAIN_SECONDS)
        snapshot = store.snapshot()
        assert snapshot.run_public_query(public_query("ASK { ?s ?p ?o }", timeout=1)).count == 1
        proxy.hang()
        with pytest.raises(QueryTimeout, match="1 s"):
            snapshot.run_public_query(public_query("ASK { ?s ?p ?o }", timeout=1))
        with pytest.raises(StoreUnavailable, match="did not answer within 1 s"):
            snapshot.describe(direct.hub.node("initiative", "alpha", "one"))
        store.close()
    virtuoso_server.drop_graphs_under(direct.hub.base)


@pytest.fixture
def own_virtuoso(tmp_path: Path) -> Iterator[virtuoso.Virtuoso]:
    """A Virtuoso of this test only: it will be killed."""
    if not virtuoso.available():
        pytest.skip(virtuoso.NOT_INSTALLED)
    server = virtuoso.start(tmp_path / "virtuoso")
    yield server
    if server.process.poll() is None:
        server.stop()


def test_virtuoso_killed_during_the_upload_leaves_the_published_version(
    own_virtuoso: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    hub = Hub(fresh_base())
    store = remote_store(own_virtuoso, hub, tmp_path)
    zoo = build(hub)
    version = publish_zoo(store, zoo)
    uploads: list[str] = []
    upload = store.client.upload

    def upload_then_die(graph: str, triples: list[ox.Triple]) -> None:
        if uploads:
            own_virtuoso.kill()  # the store dies with one staging graph uploaded
        uploads.append(graph)
        upload(graph, triples)

    store.client.upload = upload_then_die  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable), store.writer() as writer:
        writer.replace_graph(zoo.alpha, zoo.graph(zoo.beta))
        writer.replace_graph(zoo.beta, zoo.graph(zoo.alpha))
    assert len(uploads) == 2

    restarted = virtuoso.start(own_virtuoso.folder)  # the same database, new ports
    try:
        assert staging_graphs(restarted, hub)  # what the dead session left, invisible to readers
        again = remote_store(restarted, hub, tmp_path)  # the same mirror folder: the same machine
        snapshot = again.snapshot()
        assert snapshot.info.version == version
        assert canonical(snapshot.quads()) == canonical(zoo.quads)
        new = publish(again, {zoo.beta: []})  # the dead session's lock is taken over
        assert new != version
        assert again.snapshot().graphs() == [zoo.alpha]
        assert staging_graphs(restarted, hub) == []
        again.close()
    finally:
        restarted.stop()


def test_an_exception_after_staging_leaves_the_store_as_it_was(
    virtuoso_server: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    hub = Hub(fresh_base())
    store = remote_store(virtuoso_server, hub, tmp_path)
    zoo = build(hub)
    version = publish_zoo(store, zoo)

    update = store.client.update

    def fail_at_the_flag(text: str, timeout: float | None = None) -> None:
        if "#publishing" in text:
            raise RuntimeError("injected after the uploads")
        update(text, timeout)

    store.client.update = fail_at_the_flag  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="injected"), store.writer() as writer:
        writer.replace_graph(zoo.alpha, [])
        writer.replace_graph(
            hub.graph("partner", "new"), [ox.Triple(zoo.one, ox.NamedNode("http://schema.org/name"), ox.Literal("x"))]
        )
    del store.client.update
    assert staging_graphs(virtuoso_server, hub) == []  # uploaded, then dropped
    reader = remote_store(virtuoso_server, hub, tmp_path / "reader")
    assert reader.snapshot().info.version == version
    assert canonical(reader.snapshot().quads()) == canonical(zoo.quads)
    assert publish(store, {zoo.beta: []}) != version
    assert store.snapshot().graphs() == [zoo.alpha]
    virtuoso_server.drop_graphs_under(hub.base)


def _cut_swap(store: RemoteStore, times: int) -> list[str]:
    """Make the next ``times`` swap requests stop halfway, as if the store died in the middle."""
    cut: list[str] = []
    update = store.client.update

    def update_halfway(text: str, timeout: float | None = None) -> None:
        if "#publishing" in text and " ;\n" in text and len(cut) < times:  # the swap request
            operations = text.split(" ;\n")
            update(" ;\n".join(operations[: len(operations) // 2]), timeout)
            cut.append(text)
            raise StoreError("the store failed in the middle of the swap")
        update(text, timeout)

    store.client.update = update_halfway  # type: ignore[method-assign]
    return cut


def test_a_swap_that_stops_halfway_is_never_seen_and_is_repaired(
    virtuoso_server: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    hub = Hub(fresh_base())
    writer_store = remote_store(virtuoso_server, hub, tmp_path / "writer")
    reader = remote_store(virtuoso_server, hub, tmp_path / "reader")
    zoo = build(hub)
    publish_zoo(writer_store, zoo)
    cut = _cut_swap(writer_store, times=2)  # the swap, then the repair the session tries at once
    with pytest.raises(StoreError, match="middle of the swap"), writer_store.writer() as writer:
        writer.drop_graph(zoo.alpha)
        writer.replace_graph(zoo.beta, zoo.graph(zoo.alpha))
        new_version = writer.info.version
    assert len(cut) == 2
    with pytest.raises(StoreUnavailable, match="being published"):  # not half of it
        reader.snapshot()
    del writer_store.client.update
    assert publish(writer_store, {hub.graph("partner", "later"): zoo.graph(zoo.alpha)[:3]})  # repairs, then writes
    snapshot = reader.snapshot()
    assert snapshot.graphs() == [zoo.beta, hub.graph("partner", "later")]
    assert canonical(snapshot.quads(graph=zoo.beta)) == canonical(
        ox.Quad(q.subject, q.predicate, q.object, zoo.beta) for q in zoo.graph(zoo.alpha)
    )
    assert new_version
    virtuoso_server.drop_graphs_under(hub.base)


def test_a_swap_that_stops_halfway_is_repaired_by_the_session_itself(
    virtuoso_server: virtuoso.Virtuoso, tmp_path: Path
) -> None:
    hub = Hub(fresh_base())
    store = remote_store(virtuoso_server, hub, tmp_path)
    zoo: Zoo = build(hub)
    publish_zoo(store, zoo)
    cut = _cut_swap(store, times=1)
    with store.writer() as writer:
        writer.drop_graph(zoo.alpha)
        version = writer.info.version
    assert len(cut) == 1
    snapshot = store.snapshot()
    assert snapshot.info.version == version
    assert snapshot.graphs() == [zoo.beta]
    assert canonical(snapshot.quads()) == canonical(zoo.graph(zoo.beta))
    virtuoso_server.drop_graphs_under(hub.base)
