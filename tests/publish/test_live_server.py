"""The production server answers over a real socket, errors included."""

from __future__ import annotations

import requests

from carrefour.vocab import RDF_TYPE, Graphs, Hub
from loader.reference import curated_source
from tests.publish.conftest import LiveServer
from tests.publish.hostile import BIG_ACTOR_ITEMS


def curated_initiatives(hub: Hub) -> int:
    """Initiatives and support programmes of the curated dataset, which `carrefour init` publishes."""
    types = {hub.ns + "Initiative", hub.ns + "SupportProgramme"}
    quads = curated_source(Graphs(hub)).parse(hub)
    return len({q.subject for q in quads if q.predicate == RDF_TYPE and q.object.value in types})


def test_home_page_counts_what_the_hub_holds(live_server: LiveServer) -> None:
    response = requests.get(live_server.base, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert f"{300 + curated_initiatives(Hub(live_server.base)) + 1 + BIG_ACTOR_ITEMS} initiatives dont" in response.text


def test_unknown_path_is_a_404_in_the_shape_the_client_asked_for(live_server: LiveServer) -> None:
    as_json = requests.get(live_server.url("no/such/thing"), headers={"Accept": "application/json"}, timeout=10)
    assert as_json.status_code == 404
    assert as_json.json()["ok"] is False and as_json.json()["status"] == 404
    as_html = requests.get(live_server.url("no/such/thing"), headers={"Accept": "text/html"}, timeout=10)
    assert as_html.status_code == 404 and "<h1>404" in as_html.text
    as_text = requests.get(live_server.url("no/such/thing"), headers={"Accept": "text/turtle"}, timeout=10)
    assert as_text.status_code == 404 and as_text.headers["Content-Type"].startswith("text/plain")
