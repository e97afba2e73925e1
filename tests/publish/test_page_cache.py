"""Resource pages kept per version: the page that was made, in its own representation, never an older version's."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

from bench.synthetic import partner_descriptions
from carrefour.artifacts.build import build_artifacts
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import SCHEMA, Hub
from tests.publish.conftest import build_hub
from tests.support.served import free_port, start_server, stop_server

pytestmark = pytest.mark.live

FORMATS = ("text/turtle", "application/ld+json", "text/html")


def get(url: str, accept: str, **params: str) -> requests.Response:
    response = requests.get(url, headers={"Accept": accept}, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response


def test_a_kept_page_is_the_page_and_a_new_version_replaces_it(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    built = EmbeddedStore(tmp_path / "store", base)
    try:
        data = build_hub(built, Hub(base), n=30, partners=2)
    finally:
        built.close()
    process = start_server(tmp_path, port, "--workers", "1")  # each worker keeps its own pages
    try:
        hub = Hub(base)
        initiative = next(q.subject.value for q in data.quads if q.object == hub.term("Initiative"))
        etags = {}
        for accept in FORMATS:
            first, second = get(initiative, accept), get(initiative, accept)
            etags[accept] = first.headers["ETag"]
            assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
            assert second.content == first.content
            assert second.headers["Content-Type"] == first.headers["Content-Type"]
            assert second.headers["Link"] == first.headers["Link"] and second.headers["ETag"] == first.headers["ETag"]
        english = get(initiative, "text/html", lang="en")  # another language is another page
        assert english.headers["X-Cache"] == "miss" and 'lang="en"' in english.text

        store = EmbeddedStore(tmp_path / "store", base)
        renamed = "Nouveau nom après moissonnage"
        try:
            with store.writer() as writer:
                graph = next(q.graph_name for q in writer.quads(ox.NamedNode(initiative), None, None))
                kept = [q for q in writer.quads(None, None, None, graph)
                        if not (q.subject.value == initiative and q.predicate.value == SCHEMA + "name")]  # fmt: skip
                writer.replace_graph(graph, [*kept, ox.Quad(ox.NamedNode(initiative), ox.NamedNode(SCHEMA + "name"),
                                                             ox.Literal(renamed), graph)])  # fmt: skip
                writer.replace_graph(hub.graph("partners"), partner_descriptions(hub, 2))
                build_artifacts(writer, hub)
        finally:
            store.close()
        for accept in FORMATS:
            after = get(initiative, accept)
            assert after.headers["X-Cache"] == "miss"  # a new version empties the cache
            assert renamed in after.text and after.headers["ETag"] != etags[accept]
        turtle = rdflib.Graph().parse(data=get(initiative, "text/turtle").text, format="turtle")
        names = {str(o) for o in turtle.objects(rdflib.URIRef(initiative), rdflib.URIRef(SCHEMA + "name"))}
        assert names == {renamed}
    finally:
        stop_server(process)
