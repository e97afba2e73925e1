"""Federation to the hub: a partner's Virtuoso answers a query whose SERVICE clause is the hub's /sparql.

Virtuoso 7.2.5 runs SERVICE for anonymous queries once its SPARQL user has the grants
of docs/deployment.md (the test server gets them at start).  The rows Virtuoso gives
back are those the hub's endpoint gives directly.
"""

from __future__ import annotations

import pytest
import requests

from carrefour.vocab import SCHEMA, Hub
from tests.publish.conftest import LiveServer
from tests.support import virtuoso

pytestmark = [pytest.mark.live, pytest.mark.virtuoso]


def rows(endpoint: str, query: str) -> list[tuple[str, ...]]:
    response = requests.post(
        endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    assert response.status_code == 200, response.text[:500]
    answer = response.json()
    names = answer["head"]["vars"]
    return sorted(tuple(row[name]["value"] for name in names) for row in answer["results"]["bindings"])


def test_a_partners_virtuoso_queries_the_hub_through_service(
    live_server: LiveServer, virtuoso_server: virtuoso.Virtuoso
) -> None:
    hub = Hub(live_server.base)
    pattern = f"?partner a <{hub.ns}Partner> ; <{SCHEMA}name> ?name"
    direct = rows(live_server.url("sparql"), f"SELECT ?partner ?name WHERE {{ {pattern} }}")
    federated = rows(
        virtuoso_server.query_url,
        f"SELECT ?partner ?name WHERE {{ SERVICE <{live_server.url('sparql')}> {{ {pattern} }} }}",
    )
    assert len(direct) >= 3
    assert federated == direct
