"""A live hub for the publishing tests: a real store on disk served by gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bench.synthetic import SyntheticData, publish_synthetic
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator
from tests.conftest import free_port
from tests.publish.hostile import HostileData, publish_hostile


@dataclass
class LiveServer:
    base: str  # http://127.0.0.1:PORT/ — also the hub's base URL, so IRIs dereference here
    store_dir: Path
    process: subprocess.Popen[bytes]
    data: SyntheticData
    hostile: HostileData

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")


def build_hub(store_dir: Path, base: str, n: int = 300, partners: int = 3) -> SyntheticData:
    """Init (vocabulary, references, curated data) plus ``n`` synthetic initiatives over ``partners``."""
    hub = Hub(base)
    store = EmbeddedStore(store_dir / "store", base)
    try:
        initialise(store, hub, Validator(hub))
        return publish_synthetic(store, hub, n, partners)
    finally:
        store.close()


def add_hostile_partner(store_dir: Path, base: str) -> HostileData:
    """The partner with hostile text, an actor with many initiatives, provenance and a report."""
    hub = Hub(base)
    store = EmbeddedStore(store_dir / "store", base)
    try:
        return publish_hostile(store, hub, Validator(hub))
    finally:
        store.close()


WORKERS = 2  # web worker processes of each test server; each keeps its own SPARQL answer cache


def start_server(
    store_dir: Path, port: int, *extra: str, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``carrefour serve`` with its production server, as an operator would run it.

    :param settings: settings given in the environment (``CARREFOUR_<NAME>``), as an operator would.
    """
    command = [
        sys.executable, "-m", "carrefour", "--store", str(store_dir), "--base-url", f"http://127.0.0.1:{port}/",
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--threads", "2", *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    env.update({f"CARREFOUR_{name}": value for name, value in (settings or {}).items()})
    log_path = store_dir / f"server-{port}.log"
    with open(log_path, "ab") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its first page still slow
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("server did not answer within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store_dir = tmp_path_factory.mktemp("live")
    data = build_hub(store_dir, base)
    hostile = add_hostile_partner(store_dir, base)
    process = start_server(store_dir, port)
    try:
        yield LiveServer(base, store_dir, process, data, hostile)
    finally:
        stop_server(process)


LIMITS = {"SPARQL_TIMEOUT": "1", "SPARQL_RESULT_CAP": "25", "SPARQL_MAX_QUERY_BYTES": "4000"}
CONTACT_EMAIL = "contact@carrefour.example.org"


@pytest.fixture(scope="session")
def limited_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """A second server on the same store: tight SPARQL limits, SERVICE allowed to 127.0.0.1, a contact address."""
    port = free_port()
    settings = {**LIMITS, "SPARQL_SERVICE_ALLOW": "127.0.0.1", "CONTACT_EMAIL": CONTACT_EMAIL}
    process = start_server(live_server.store_dir, port, settings=settings)
    try:
        yield LiveServer(
            f"http://127.0.0.1:{port}/", live_server.store_dir, process, live_server.data, live_server.hostile
        )
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def published(live_server: LiveServer) -> Iterator[EmbeddedStore]:
    """The live server's store, opened read-only by the tests to compare answers with it."""
    store = EmbeddedStore(live_server.store_dir / "store", live_server.base)
    yield store
    store.close()


@pytest.fixture(scope="session")
def resource_paths(live_server: LiveServer) -> dict[str, str]:
    """One IRI (relative to the base) of each kind the hub publishes."""
    hub = Hub(live_server.base)
    initiative = next(q.subject.value for q in live_server.data.quads if q.predicate.value.endswith("#carriedBy"))
    actor = next(q.object.value for q in live_server.data.quads if q.predicate.value.endswith("#carriedBy"))
    hostile = live_server.hostile
    iris = {
        "initiative": initiative,
        "actor": actor,
        "concept": hub.iri("concept", "theme", "health"),
        "concept scheme": hub.iri("concept", "theme"),
        "region": hub.iri("territory", "region", "53"),
        "departement": hub.iri("territory", "departement", "29"),
        "country": hub.iri("territory", "fr"),
        "partner": hub.iri("partner", "partner-00"),
        "taxonomy": hostile.taxonomy.value,
        "taxonomy concept": hostile.category.value,
        "report": hostile.report.value,
        "harvest": hostile.activity.value,
        "change": hostile.change.value,
        "graph": hub.iri("graph", "partner", "hostile"),
        "dataset": hub.iri("dataset"),
        "ontology": hub.iri("ontology"),
        "shapes": hub.iri("shapes"),
    }
    return {kind: iri[len(live_server.base) :] for kind, iri in iris.items()}


KINDS = ["initiative", "actor", "concept", "concept scheme", "region", "departement", "country", "partner",
         "taxonomy", "taxonomy concept", "report", "harvest", "change", "graph", "dataset", "ontology",
         "shapes"]  # fmt: skip
