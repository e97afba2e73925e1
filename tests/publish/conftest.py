"""A live hub for the publishing tests: a real store served by gunicorn on 127.0.0.1, on each backend.

On the embedded store the server reads the store's folder; on Virtuoso it is a web
machine of its own (its own STORE folder, the query endpoint only, the versions'
artifacts from the shared ARTIFACTS_DIR), the hub having been published from another.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.synthetic import SyntheticData, publish_synthetic
from carrefour.store.base import Snapshot, Store
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator
from tests.conftest import BACKEND_PARAMS
from tests.publish.hostile import HostileData, publish_hostile
from tests.support.backends import Backend, close_backend, open_backend
from tests.support.served import carrefour, free_port, start_server, stop_server


@dataclass
class LiveServer:
    base: str  # http://127.0.0.1:PORT/ — also the hub's base URL, so IRIs dereference here
    store_dir: Path  # the server's STORE folder
    process: subprocess.Popen[bytes]
    data: SyntheticData
    hostile: HostileData
    backend: Backend  # the dataset it serves

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def resource(self, path: str) -> str:
        """The IRI the page at ``path`` describes: the vocabulary's own (concepts, ontology, shapes) are
        described here under their persistent IRIs; everything else is the page's own address."""
        return Hub(self.base).resource_at(path.lstrip("/"))

    def environment(self) -> dict[str, str]:
        """The environment of a `carrefour` command run on this server's machine (its store settings)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
        return env | {f"CARREFOUR_{name}": value for name, value in self.backend.web_settings.items()}


def build_hub(store: Store, hub: Hub, n: int = 300, partners: int = 3) -> SyntheticData:
    """Init (vocabulary, references, curated data) plus ``n`` synthetic initiatives over ``partners``."""
    initialise(store, hub, Validator(hub))
    return publish_synthetic(store, hub, n, partners)


@pytest.fixture(scope="session", params=BACKEND_PARAMS)
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    backend = open_backend(
        request.param, tmp_path_factory.mktemp(f"live-{request.param}"),
        lambda: request.getfixturevalue("virtuoso_server"), base,
    )  # fmt: skip
    hub = backend.hub
    publisher = backend.store()
    data = build_hub(publisher, hub)
    hostile = publish_hostile(publisher, hub, Validator(hub))
    process = start_server(backend.web_folder, port, settings=backend.web_settings)
    try:
        yield LiveServer(base, backend.web_folder, process, data, hostile, backend)
    finally:
        stop_server(process)
        close_backend(backend, backend.server)


LIMITS = {
    "SPARQL_TIMEOUT": "1",
    "SPARQL_RESULT_CAP": "25",
    "SPARQL_MAX_QUERY_BYTES": "4000",
    "SPARQL_RESULT_MAX_MB": "0.25",
}
CONTACT_EMAIL = "contact@carrefour.example.org"


@pytest.fixture(scope="session")
def limited_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """A second server on the same store: tight SPARQL limits, SERVICE allowed to 127.0.0.1, a contact address."""
    port = free_port()
    settings = {**live_server.backend.web_settings, **LIMITS}
    settings |= {"SPARQL_SERVICE_ALLOW": "127.0.0.1", "CONTACT_EMAIL": CONTACT_EMAIL}
    process = start_server(live_server.store_dir, port, settings=settings, base=live_server.base)
    try:
        yield LiveServer(
            f"http://127.0.0.1:{port}/",
            live_server.store_dir,
            process,
            live_server.data,
            live_server.hostile,
            live_server.backend,
        )
    finally:
        stop_server(process)


@dataclass
class BundledHub:
    base: str
    store_dir: Path
    removed: list[str]  # IRIs of the records the second harvest of maplabbzh no longer found

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def resource(self, path: str) -> str:
        """The IRI the page at ``path`` describes: the vocabulary's own (concepts, ontology, shapes) are
        described here under their persistent IRIs; everything else is the page's own address."""
        return Hub(self.base).resource_at(path.lstrip("/"))


REMOVED_FEATURES = 2  # maplabbzh's first features, left out of its second harvest


@pytest.fixture(scope="session")
def bundled_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundledHub]:
    """The hub as `./dev.sh serve` publishes it (curated data, every bundled partner sample), served.

    Then maplabbzh is harvested again from a copy of its feed without its first features:
    their records are removed, as a partner deleting them would have them.
    """
    folder = tmp_path_factory.mktemp("bundled-hub")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store_dir = folder / "var"
    carrefour(store_dir, base, "init")
    carrefour(store_dir, base, "harvest")
    sample = Path(__file__).resolve().parents[2] / "data" / "samples" / "maplabbzh-geojson" / "map_bzh_fablab.geojson"
    feed = json.loads(sample.read_text(encoding="utf-8"))
    gone = feed["features"][:REMOVED_FEATURES]
    feed["features"] = feed["features"][REMOVED_FEATURES:]
    shrunk = folder / "feeds" / sample.parent.name / sample.name
    shrunk.parent.mkdir(parents=True)
    shrunk.write_text(json.dumps(feed), encoding="utf-8")
    carrefour(store_dir, base, "harvest", "maplabbzh", "--feeds", str(folder / "feeds"))
    hub = Hub(base)
    store = EmbeddedStore(store_dir / "store", base)
    try:
        changes = store.snapshot().quads(None, hub.term("removedResource"), None, hub.graph("changes"))
        removed = sorted(q.object.value for q in changes)
    finally:
        store.close()
    assert len(removed) >= len(gone), removed
    process = start_server(store_dir, port, base=base)
    try:
        yield BundledHub(base, store_dir, removed)
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def published(live_server: LiveServer) -> Store:
    """The live server's store, opened by the tests (another process) to compare answers with it."""
    return live_server.backend.store()


@pytest.fixture(scope="module")
def snapshot(published: Store) -> Snapshot:
    """The published version, read in-process beside the server."""
    return published.snapshot()


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
        "concept": hub.concept("theme", "health").value,
        "concept scheme": hub.concept("theme").value,
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
        "ontology": hub.ontology.value,
        "shapes": hub.vocabulary + "shapes",
    }
    return {kind: hub.page_of(iri)[len(live_server.base) :] for kind, iri in iris.items()}


KINDS = ["initiative", "actor", "concept", "concept scheme", "region", "departement", "country", "partner",
         "taxonomy", "taxonomy concept", "report", "harvest", "change", "graph", "dataset", "ontology",
         "shapes"]  # fmt: skip
