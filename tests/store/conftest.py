"""A published zoo dataset on each backend, shared by the read-only tests of a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKEND_PARAMS
from tests.support.backends import Backend, close_backend, open_backend
from tests.support.zoo import Zoo, build, publish_zoo


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def zoo_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The zoo published on a backend; read it, do not write."""
    backend = open_backend(
        request.param, tmp_path_factory.mktemp("zoo"), lambda: request.getfixturevalue("virtuoso_server")
    )
    publish_zoo(backend.store(), build(backend.hub))
    yield backend
    close_backend(backend, request.getfixturevalue("virtuoso_server") if backend.name == "virtuoso" else None)


@pytest.fixture(scope="module")
def zoo(zoo_backend: Backend) -> Zoo:
    return build(zoo_backend.hub)
