"""The endpoint, the dumps and VoID over a remote store (Virtuoso), through the same Store seam."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from bench.synthetic import publish_synthetic
from carrefour.config import load_config
from carrefour.store import open_store
from carrefour.store.remote import RemoteStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator
from tests.conftest import free_port
from tests.publish.conftest import start_server, stop_server
from tests.support import virtuoso

pytestmark = [pytest.mark.live, pytest.mark.virtuoso, pytest.mark.slow]


@dataclass
class RemoteHub:
    base: str
    store: RemoteStore


@pytest.fixture(scope="module")
def remote_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteHub]:
    if not virtuoso.available():
        pytest.skip("virtuoso-t is not installed (./dev.sh test installs it)")
    folder = tmp_path_factory.mktemp("remote")
    server = virtuoso.start(folder / "virtuoso")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    settings = server.settings()
    config = load_config(overrides={"STORE": str(folder / "var"), "BASE_URL": base, **settings}, environ={})
    store = open_store(config)
    assert isinstance(store, RemoteStore)
    process = None
    try:
        hub = Hub(base)
        initialise(store, hub, Validator(hub))
        publish_synthetic(store, hub, 30, 2)
        process = start_server(Path(config["STORE"]), port, settings=settings)
        yield RemoteHub(base, store)
    finally:
        if process is not None:
            stop_server(process)
        store.close()
        server.stop()


def test_select_is_proxied_with_the_hubs_formats(remote_hub: RemoteHub) -> None:
    hub = Hub(remote_hub.base)
    query = f"SELECT ?s ?name WHERE {{ ?s a <{hub.ns}Initiative> ; <http://schema.org/name> ?name }} ORDER BY ?s"
    client = SPARQLWrapper(remote_hub.base + "sparql")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    rows = client.query().convert()["results"]["bindings"]
    expected = remote_hub.store.snapshot().select(query)
    assert [(r["s"]["value"], r["name"]["value"]) for r in rows] == [(e["s"].value, e["name"].value) for e in expected]
    assert len(rows) >= 29


def test_construct_and_dataset_parameters(remote_hub: RemoteHub) -> None:
    hub = Hub(remote_hub.base)
    graph = hub.iri("graph", "partner", "partner-01")
    response = requests.get(
        remote_hub.base + "sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "default-graph-uri": graph},
        headers={"Accept": "text/turtle"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    parsed = rdflib.Graph().parse(data=response.content, format="turtle")
    assert len(parsed) == remote_hub.store.snapshot().count(ox.NamedNode(graph))
    assert response.headers["X-SPARQL-Result-Capped"] == "false"


def test_dumps_and_void_from_the_mirror(remote_hub: RemoteHub) -> None:
    listing = requests.get(remote_hub.base + "dumps/", headers={"Accept": "application/json"}, timeout=60).json()
    snapshot = remote_hub.store.snapshot()
    assert listing["version"] == snapshot.info.version
    nquads = requests.get(remote_hub.base + "dumps/carrefour.nq.gz", timeout=60)
    quads = list(ox.parse(gzip.decompress(nquads.content), format=ox.RdfFormat.N_QUADS))
    # graph/meta (the version marker) is written by the remote swap, after the dumps are built from the mirror.
    meta = Hub(remote_hub.base).graph("meta")
    assert {q.graph_name for q in quads} == set(snapshot.graphs()) - {meta}
    assert len(quads) == snapshot.count() - snapshot.count(meta)
    void = requests.get(remote_hub.base + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    parsed = rdflib.Graph().parse(data=void.content, format="turtle")
    subsets = set(
        parsed.objects(rdflib.URIRef(remote_hub.base + "dataset"), rdflib.URIRef("http://rdfs.org/ns/void#subset"))
    )
    assert {str(s) for s in subsets} == {g.value for g in snapshot.graphs() if "/graph/partner/" in g.value}
