"""What a dereference costs the remote store: one request per page, counted through a real Virtuoso.

The web server (``carrefour serve``, two workers, no page cache) is given a counting proxy
in front of Virtuoso as its store; every request it makes to the store is seen there.
Reading the version record is the store's way of saying which version a page shows: one
look per poll and worker, whatever the number of pages, so it is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from carrefour.vocab import Graphs, Hub
from tests.publish.conftest import build_hub
from tests.support import virtuoso
from tests.support.backends import close_backend, virtuoso_backend
from tests.support.counting_proxy import CountingProxy
from tests.support.served import free_port, start_server, stop_server

pytestmark = [pytest.mark.live, pytest.mark.virtuoso, pytest.mark.timeout(300)]

# No kept pages: every request is made from the store, as one for a page not yet made would be.
SETTINGS = {"PAGE_CACHE_MB": "0", "STORE_POLL_SECONDS": "30"}


@dataclass
class CountedHub:
    base: str
    proxy: CountingProxy
    record: str  # the IRI of the version record: the queries reading it are the version looks
    initiatives: list[str]
    actors: list[str]
    ontology: str  # the IRI of the ontology graph
    asked_before: list[str]  # what the server asked the store before the tests (its start, its first page)

    def page_queries(self) -> list[str]:
        """The queries since the last call, without the looks at the version record."""
        return [q for q in self.proxy.taken() if self.record not in q]


@pytest.fixture(scope="module")
def counted(virtuoso_server: virtuoso.Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CountedHub]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    backend = virtuoso_backend(virtuoso_server, tmp_path_factory.mktemp("round-trips"), base)
    hub = Hub(base)
    data = build_hub(backend.store(), hub, n=40, partners=2)
    initiatives = sorted({q.subject.value for q in data.quads if q.predicate.value.endswith("#carriedBy")})
    actors = sorted({q.object.value for q in data.quads if q.predicate.value.endswith("#carriedBy")})
    with CountingProxy(virtuoso_server.query_url) as proxy:
        settings = {**backend.web_settings, **SETTINGS, "STORE_URL": proxy.url}
        process = start_server(backend.web_folder, port, settings=settings)
        try:
            turtle(initiatives[-1])
            record, ontology = hub.node("store", "version").value, Graphs(hub).ontology.value
            yield CountedHub(base, proxy, record, initiatives, actors, ontology, proxy.taken())
        finally:
            stop_server(process)
            close_backend(backend, virtuoso_server)


def turtle(url: str) -> requests.Response:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200, response.text[:300]
    return response


def test_a_turtle_dereference_is_one_store_request(counted: CountedHub) -> None:
    for iri in counted.initiatives[:4] + counted.actors[:2]:  # each worker reads what every page shares once
        turtle(iri)
    counted.page_queries()
    pages = counted.initiatives[4:14] + counted.actors[2:6]
    for iri in pages:
        turtle(iri)
    queries = counted.page_queries()
    # a partner's names, shared by its records' pages: read once more by a worker the warm-up did not reach
    partners = f"<{counted.base}partner/"
    shared = [q for q in queries if partners in q and "?part" not in q]
    assert len(shared) <= 1, shared
    assert len(queries) - len(shared) == len(pages), f"{len(queries)} store requests for {len(pages)} pages"


def test_what_every_page_shares_comes_from_the_versions_artifacts(counted: CountedHub) -> None:
    """The vocabulary names each page's properties: each worker reads it from ``ARTIFACTS_DIR``, not the store."""
    counted.proxy.taken()
    for iri in counted.initiatives[14:24]:  # enough requests to reach both workers
        turtle(iri)
    read = counted.proxy.taken() + counted.asked_before
    assert read and not [q for q in read if counted.ontology in q]
