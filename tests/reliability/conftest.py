"""The reliability suite at CI size: the same runs as ``bench/reliability``, on a small hub, for seconds.

Real parts only: ``carrefour serve`` under gunicorn on 127.0.0.1, ``wrk`` for the load,
``carrefour harvest`` killed with SIGKILL, a tmpfs filled to the last byte.  The
figures (rates, latencies) are printed by the benchmarks; these tests assert what
must hold at any speed: no failed request, every fault survived, nothing lost.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from bench.reliability.hub import SuiteHub, build_hub
from bench.reliability.mix import load_mix
from bench.reliability.server import Served, serve
from bench.reliability.wrk import Request

N, FEED_RECORDS = 400, 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reliability/" in item.nodeid:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def wrk_installed() -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (Debian package wrk; ./dev.sh test installs it)")


@pytest.fixture(scope="session")
def suite_hub(tmp_path_factory: pytest.TempPathFactory) -> SuiteHub:
    """``carrefour init``, synthetic initiatives, two feeds harvested by ``carrefour harvest`` (one hostile)."""
    return build_hub(tmp_path_factory.mktemp("reliability") / "hub", N, FEED_RECORDS, log=lambda *_: None)


@pytest.fixture(scope="session")
def mix(suite_hub: SuiteHub) -> list[Request]:
    return load_mix(suite_hub)


@pytest.fixture(scope="module")
def served(suite_hub: SuiteHub) -> Iterator[Served]:
    """``carrefour serve`` on the hub: gunicorn, 2 workers of 4 threads, short SPARQL time limit."""
    server = serve(suite_hub, workers=2, threads=4, SPARQL_TIMEOUT="3")
    yield server
    server.stop()
