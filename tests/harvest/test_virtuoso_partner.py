"""Federation from a partner: its data sits in a Virtuoso SPARQL endpoint and is harvested through it.

The partner's graph is uploaded to the test Virtuoso (Graph Store protocol), and the
partner's configuration names that graph in its query, as a partner sharing a
Virtuoso with other data would.  The records read must be those the same graph gives
through a standard endpoint (pyoxigraph): Virtuoso's JSON results (``typed-literal``)
and its typed values change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from requests.auth import HTTPDigestAuth

from tests.harvest.conftest import HarvestHub, example
from tests.harvest.test_webpages_and_sparql import SSE_GRAPH
from tests.support import virtuoso
from tests.support.sparql_endpoint import serve_endpoint

pytestmark = pytest.mark.virtuoso

PARTNER_GRAPH = "https://sse.example.org/graph/initiatives"


@pytest.fixture
def partner_endpoint(virtuoso_server: virtuoso.Virtuoso) -> Iterator[str]:
    """The partner's endpoint: Virtuoso's public /sparql, its graph loaded first; dropped after."""
    uploaded = requests.put(
        virtuoso_server.graph_store_url,
        params={"graph": PARTNER_GRAPH},
        data=SSE_GRAPH.read_bytes(),
        headers={"Content-Type": "text/turtle"},
        auth=HTTPDigestAuth("dba", "dba"),
        timeout=60,
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text[:300]
    yield virtuoso_server.query_url
    virtuoso_server.update(f"DROP SILENT GRAPH <{PARTNER_GRAPH}>")


def in_partner_graph(query: str) -> str:
    """The partner's query with its graph named (Virtuoso's default graph is every graph it holds)."""
    return query.replace("WHERE {", f"FROM <{PARTNER_GRAPH}> WHERE {{", 1)


def test_a_partner_on_virtuoso_is_harvested_through_its_endpoint(fresh_hub: HarvestHub, partner_endpoint: str) -> None:
    query = in_partner_graph(example("sse-sparql").feed["query"])
    results, version = fresh_hub.harvest(example("sse-sparql", endpoint=partner_endpoint, page_size=3, query=query))
    assert results[0].ok and version is not None, results[0].error
    assert len(results[0].diff.loaded) == 7
    graph = fresh_hub.graph("partner", "sse-sparql")
    olvo = fresh_hub.hub.iri("initiative", "sse-sparql", "olvo")
    descriptions = {(t.object.value, t.object.language) for t in graph
                    if t.subject.value == olvo and t.predicate.value == "http://schema.org/description"}  # fmt: skip
    assert {lang for _, lang in descriptions} == {"fr", "en"}
    # The same graph through a standard endpoint gives the same records: nothing to update.
    with serve_endpoint(SSE_GRAPH) as reference:
        again, _ = fresh_hub.harvest(example("sse-sparql", endpoint=reference.url, page_size=3))
    assert again[0].ok, again[0].error
    assert len(again[0].diff.unchanged) == 7 and not again[0].diff.updated, again[0].diff
