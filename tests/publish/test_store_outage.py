"""A live hub whose Virtuoso hangs or stops: 503 with Retry-After at once, no hung worker, service after.

The hub runs on a Virtuoso of this module only (it is frozen with SIGSTOP, then stopped
and restarted on the same port and database); the web server has a short store budget
(``STORE_TIMEOUT``) and retry delay so that the test runs in seconds.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from carrefour.vocab import Hub
from tests.publish.conftest import build_hub
from tests.support import virtuoso
from tests.support.backends import virtuoso_backend
from tests.support.served import WORKERS, free_port, start_server, stop_server

pytestmark = [pytest.mark.live, pytest.mark.virtuoso, pytest.mark.timeout(300)]

STORE_TIMEOUT = 2  # seconds of store time a web request may spend
CLIENT_TIMEOUT = 30  # far above it: a hung worker would show as a client timeout
# No kept pages (PAGE_CACHE_MB 0): every request goes to the store, as one for a page not yet made would.
SETTINGS = {"STORE_TIMEOUT": str(STORE_TIMEOUT), "STORE_RETRY_SECONDS": "1", "SPARQL_TIMEOUT": str(STORE_TIMEOUT),
            "PAGE_CACHE_MB": "0"}  # fmt: skip
QUERY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} LIMIT {number}"  # a new text each time: not from the cache
_numbers = itertools.count(1)


@dataclass
class Outage:
    server: virtuoso.Virtuoso  # the store, to freeze, stop and restart
    base: str  # the web server
    initiative: str  # a path that dereferences

    def restart(self) -> None:
        self.server.stop()
        self.server = virtuoso.start(self.server.folder, http_port=self.server.http_port)


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    if not virtuoso.available():
        pytest.skip(virtuoso.NOT_INSTALLED)
    folder = tmp_path_factory.mktemp("outage")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    scene = Outage(virtuoso.start(folder / "virtuoso"), base, "")
    backend = virtuoso_backend(scene.server, folder, base)
    data = build_hub(backend.store(), Hub(base), n=30, partners=1)
    backend.close()
    scene.initiative = next(q.subject.value for q in data.quads if q.predicate.value.endswith("#carriedBy"))[
        len(base) :
    ]
    process = start_server(backend.web_folder, port, settings={**backend.web_settings, **SETTINGS})
    try:
        yield scene
    finally:
        stop_server(process)
        if scene.server.process.poll() is None:
            os.kill(scene.server.process.pid, signal.SIGCONT)
            scene.server.stop()


def requests_of_a_reader(outage: Outage) -> list[requests.Response]:
    """What readers ask at once: more requests than the server has threads, pages and queries."""
    page, results = {"Accept": "text/turtle"}, {"Accept": "application/sparql-results+json"}
    asked = [(outage.initiative, {}, page) for _ in range(2 * WORKERS * 2)]
    asked += [("sparql", {"query": QUERY.format(number=next(_numbers))}, results) for _ in range(2 * WORKERS * 2)]

    def ask(path: str, params: dict[str, str], headers: dict[str, str]) -> requests.Response:
        return requests.get(outage.base + path, params=params, headers=headers, timeout=CLIENT_TIMEOUT)

    with ThreadPoolExecutor(len(asked)) as pool:
        return list(pool.map(lambda question: ask(*question), asked))


def assert_unavailable(answers: list[requests.Response]) -> None:
    for answer in answers:
        assert answer.status_code == 503, (answer.url, answer.status_code, answer.text[:200])
        assert answer.headers["Retry-After"].isdigit(), answer.headers
        assert "store" in answer.text.lower(), answer.text[:200]


def wait_until_served(outage: Outage) -> list[requests.Response]:
    """The answers once the store is back; the hub needs at most its retry delay and a probe to see it."""
    deadline = time.monotonic() + 60
    while True:
        answers = requests_of_a_reader(outage)
        if all(answer.status_code == 200 for answer in answers) or time.monotonic() > deadline:
            return answers
        time.sleep(0.5)


def assert_served(answers: list[requests.Response]) -> None:
    for answer in answers:
        assert answer.status_code == 200, (answer.url, answer.status_code, answer.text[:200])
    counts = [int(a.json()["results"]["bindings"][0]["n"]["value"]) for a in answers if "/sparql?" in a.url]
    pages = [a for a in answers if "/sparql?" not in a.url]
    assert counts and all(count > 0 for count in counts)
    assert pages and all(page.headers["Content-Type"].startswith("text/turtle") and page.text for page in pages)


def test_a_frozen_store_gives_503_with_retry_after_and_service_resumes(outage: Outage) -> None:
    assert_served(requests_of_a_reader(outage))
    os.kill(outage.server.process.pid, signal.SIGSTOP)  # the store hangs: connections open, nothing answers
    try:
        assert_unavailable(requests_of_a_reader(outage))
        assert_unavailable(requests_of_a_reader(outage))  # and again: the workers are free, not waiting
    finally:
        os.kill(outage.server.process.pid, signal.SIGCONT)
    assert_served(wait_until_served(outage))


def test_a_stopped_store_gives_503_with_retry_after_and_service_resumes_after_its_restart(outage: Outage) -> None:
    outage.server.stop()  # connections refused
    assert_unavailable(requests_of_a_reader(outage))
    outage.restart()
    assert_served(wait_until_served(outage))
