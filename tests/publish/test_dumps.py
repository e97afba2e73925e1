"""Bulk dumps: built at publication, listed, served from disk, and equal to the store.

Each file is downloaded over HTTP, checked against its manifest entry (size,
SHA-256), decompressed, parsed, and compared graph by graph with the published
store (triple counts and a canonical hash that is blind to blank-node labels).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import to_isomorphic

from bench.synthetic import partner_descriptions
from carrefour.artifacts.build import build_artifacts
from carrefour.artifacts.dumps import amended_triples, amended_turtle
from carrefour.store.base import Snapshot
from tests.publish.conftest import LiveServer, build_hub
from tests.support.backends import Backend
from tests.support.rdf import parsed_graph
from tests.support.served import free_port, start_server, stop_server

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def manifest(live_server: LiveServer) -> dict:
    response = requests.get(live_server.url("dumps/"), headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def downloads(live_server: LiveServer, manifest: dict) -> dict[str, requests.Response]:
    return {entry["file"]: requests.get(entry["url"], timeout=60) for entry in manifest["files"]}


def canonical(triples: Iterable[ox.Triple | ox.Quad]) -> tuple[int, str]:
    """(triple count, canonical hash) of a set of triples, whatever their blank-node labels."""
    graph = parsed_graph(triples)
    return len(graph), to_isomorphic(graph).graph_digest()


def test_manifest_lists_the_whole_hub_and_each_partner(manifest: dict, snapshot: Snapshot) -> None:
    assert manifest["version"] == snapshot.info.version
    files = {entry["file"]: entry for entry in manifest["files"]}
    assert {"carrefour.nq.gz", "carrefour.ttl.gz"} <= set(files)
    partners = {g.value for g in snapshot.graphs() if "/graph/partner/" in g.value}
    assert len(partners) == 3 + 1  # the synthetic partners and the hostile one
    for graph in partners:
        formats = sorted(entry["format"] for entry in files.values() if entry["graph"] == graph)
        assert formats == ["nt", "ttl"]
    for entry in files.values():
        assert entry["date"] == snapshot.info.published.isoformat()
        assert entry["encoding"] == "gzip" and len(entry["sha256"]) == 64 and entry["size"] > 0


def test_every_download_matches_its_manifest_entry(manifest: dict, downloads: dict[str, requests.Response]) -> None:
    for entry in manifest["files"]:
        response = downloads[entry["file"]]
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/gzip"
        assert int(response.headers["Content-Length"]) == entry["size"] == len(response.content)
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Last-Modified"]
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_nquads_dump_keeps_every_named_graph(downloads: dict[str, requests.Response], snapshot: Snapshot) -> None:
    """Every graph but the history, which grows with every session and is followed through the event streams."""
    quads = list(ox.parse(gzip.decompress(downloads["carrefour.nq.gz"].content), format=ox.RdfFormat.N_QUADS))
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name.value].append(quad)
    graphs = [graph for graph in snapshot.graphs() if not graph.value.endswith("/graph/history")]
    assert len(graphs) == len(snapshot.graphs()) - 1
    assert set(by_graph) == {g.value for g in graphs}
    for graph in graphs:
        dumped = canonical(by_graph[graph.value])
        assert dumped == canonical(snapshot.quads(graph=graph)), graph.value
        assert dumped[0] == snapshot.count(graph)


def test_turtle_dump_is_the_union(downloads: dict[str, requests.Response], snapshot: Snapshot) -> None:
    """The union of the graphs the N-Quads dump holds (all but the history)."""
    text = gzip.decompress(downloads["carrefour.ttl.gz"].content)
    dumped = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    union = [q for q in snapshot.quads() if not q.graph_name.value.endswith("/graph/history")]
    assert canonical(dumped) == canonical(union)
    assert len(rdflib.Graph().parse(data=text, format="turtle")) == len(
        {(q.subject, q.predicate, q.object) for q in union}
    )


def test_partner_dumps_hold_their_graph(
    manifest: dict, downloads: dict[str, requests.Response], snapshot: Snapshot
) -> None:
    for entry in manifest["files"]:
        if entry["graph"] is None:
            continue
        graph = ox.NamedNode(entry["graph"])
        fmt = ox.RdfFormat.TURTLE if entry["format"] == "ttl" else ox.RdfFormat.N_TRIPLES
        dumped = list(ox.parse(gzip.decompress(downloads[entry["file"]].content), format=fmt))
        assert canonical(dumped) == canonical(snapshot.quads(graph=graph))
        assert len(dumped) == entry["triples"] == snapshot.count(graph)


def test_range_requests(live_server: LiveServer, downloads: dict[str, requests.Response]) -> None:
    url = live_server.url("dumps/carrefour.nq.gz")
    whole = downloads["carrefour.nq.gz"].content
    size = len(whole)
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.content == whole[100:200] and part.headers["Content-Length"] == "100"
    tail = requests.get(url, headers={"Range": "bytes=-64"}, timeout=30)
    assert tail.status_code == 206 and tail.content == whole[-64:]
    rest = requests.get(url, headers={"Range": f"bytes={size - 10}-"}, timeout=30)
    assert rest.status_code == 206 and rest.content == whole[-10:]
    beyond = requests.get(url, headers={"Range": f"bytes={size + 10}-"}, timeout=30)
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{size}"
    several = requests.get(url, headers={"Range": "bytes=0-9,20-29"}, timeout=30)
    assert several.status_code == 200 and several.content == whole  # one range per request: the whole file
    etag = downloads["carrefour.nq.gz"].headers["ETag"]
    resumed = requests.get(url, headers={"Range": "bytes=0-9", "If-Range": etag}, timeout=30)
    assert resumed.status_code == 206 and resumed.content == whole[:10]
    changed = requests.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'}, timeout=30)
    assert changed.status_code == 200 and changed.content == whole


def test_conditional_requests(live_server: LiveServer, downloads: dict[str, requests.Response]) -> None:
    first = downloads["carrefour.ttl.gz"]
    url = live_server.url("dumps/carrefour.ttl.gz")
    by_etag = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert by_etag.status_code == 304 and by_etag.content == b""
    by_date = requests.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}, timeout=30)
    assert by_date.status_code == 304
    head = requests.head(url, timeout=30)
    assert head.status_code == 200 and head.headers["Content-Length"] == first.headers["Content-Length"]


def raw_get(server: LiveServer, path: str) -> tuple[int, bytes, str | None]:
    """A request with the path exactly as written (HTTP clients would normalise dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", int(server.base.rsplit(":", 1)[1].strip("/")), timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Location")
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/../stats.json",
        "/dumps/%2e%2e/stats.json",
        "/dumps/..%2fstats.json",
        "/dumps/%2e%2e%2f%2e%2e%2fCURRENT.json",
        "/dumps/..%5cstats.json",
        "/dumps//etc/passwd",
        "/dumps/%2fetc%2fpasswd",
        "/dumps/.dumps.json.partial",
        "/dumps/carrefour.nq.gz/../../stats.json",
        "/dumps/carrefour.nq.gz%00.txt",
    ],
)
def test_paths_outside_the_manifest_are_refused(live_server: LiveServer, path: str) -> None:
    status, body, location = raw_get(live_server, path)
    if status == 308:  # werkzeug merges repeated slashes first; the merged path is refused in turn
        assert location is not None and location.startswith(live_server.url("dumps/"))
        status, body, _ = raw_get(live_server, location[len(live_server.base) - 1 :])
    assert status in (400, 404), (path, status)
    assert b'"quads"' not in body and b"root:" not in body and b"generation" not in body


def test_the_manifest_itself_is_served(live_server: LiveServer, manifest: dict) -> None:
    response = requests.get(live_server.url("dumps/dumps.json"), timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert response.json()["files"] == [{k: v for k, v in e.items() if k != "url"} for e in manifest["files"]]


def test_html_listing_links_every_file(live_server: LiveServer, manifest: dict) -> None:
    response = requests.get(live_server.url("dumps/"), headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    for entry in manifest["files"]:
        assert f'href="/dumps/{entry["file"]}"' in response.text
        assert entry["sha256"] in response.text


def dumped_content(data: bytes, entry: dict) -> tuple[int, str]:
    fmt = {"nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}[entry["format"]]
    return canonical(ox.parse(gzip.decompress(data), format=fmt))


def test_dump_command_writes_the_published_version_elsewhere(
    live_server: LiveServer, manifest: dict, downloads: dict[str, requests.Response], tmp_path: Path
) -> None:
    """On the embedded store, the same bytes; from a remote store, on a machine without its copy, the same triples."""
    out = tmp_path / "elsewhere"
    remote = live_server.backend.server is not None
    machine = tmp_path / "another-machine" if remote else live_server.store_dir
    command = [sys.executable, "-m", "carrefour", "--store", str(machine), "--base-url", live_server.base,
               "dump", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=live_server.environment())
    assert result.returncode == 0, result.stderr
    written = json.loads((out / "dumps.json").read_text(encoding="utf-8"))
    assert written["version"] == manifest["version"]
    published = {e["file"]: e for e in manifest["files"]}
    assert set(published) == {e["file"] for e in written["files"]}
    for entry in written["files"]:
        data = (out / entry["file"]).read_bytes()
        assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert str(out / entry["file"]) in result.stdout
        assert entry["triples"] == published[entry["file"]]["triples"]
        if remote:  # the store's own order: the same triples, other bytes
            assert dumped_content(data, entry) == dumped_content(downloads[entry["file"]].content, entry)
        else:
            assert entry["sha256"] == published[entry["file"]]["sha256"]  # same version, same bytes


def wait_for_version(url: str, version: str) -> dict:
    """The dumps listing once the server shows ``version`` (a remote store's web machine sees it within a poll)."""
    deadline = time.monotonic() + 10
    while True:
        listing = requests.get(url, headers={"Accept": "application/json"}, timeout=30).json()
        if listing["version"] == version or time.monotonic() > deadline:
            return listing
        time.sleep(0.1)


def test_dumps_follow_each_new_publication(store_backend: Backend) -> None:
    port = free_port()
    server = f"http://127.0.0.1:{port}/"
    hub = store_backend.hub
    store = store_backend.store()
    build_hub(store, hub, n=30, partners=2)
    process = start_server(store_backend.web_folder, port, settings=store_backend.web_settings, base=hub.base)
    try:
        before = requests.get(f"{server}dumps/", headers={"Accept": "application/json"}, timeout=30).json()
        old_etag = requests.head(f"{server}dumps/carrefour.nq.gz", timeout=30).headers["ETag"]
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        old_count = requests.get(f"{server}sparql", params={"query": query}, timeout=30).json()

        newcomer = hub.graph("partner", "newcomer")
        initiative = hub.node("initiative", "newcomer", "a")
        with store.writer() as writer:
            writer.replace_graph(newcomer, [ox.Triple(initiative, ox.NamedNode(f"{hub.ns}recordKey"), ox.Literal("a"))])
            writer.replace_graph(hub.graph("partners"), partner_descriptions(hub, 2))
            build_artifacts(writer, hub)
            version = writer.info.version

        after = wait_for_version(f"{server}dumps/", version)
        assert after["version"] == version != before["version"]
        assert {"partner-newcomer.ttl.gz", "partner-newcomer.nt.gz"} <= {e["file"] for e in after["files"]}
        fresh = requests.get(f"{server}dumps/carrefour.nq.gz", headers={"If-None-Match": old_etag}, timeout=30)
        assert fresh.status_code == 200 and fresh.headers["ETag"] != old_etag
        quads = list(ox.parse(gzip.decompress(fresh.content), format=ox.RdfFormat.N_QUADS))
        assert ox.Quad(initiative, ox.NamedNode(f"{hub.ns}recordKey"), ox.Literal("a"), newcomer) in quads
        answer = requests.get(f"{server}sparql", params={"query": query}, timeout=30)
        assert answer.headers["X-Cache"] == "miss"  # a new version empties the cache
        new_count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        assert new_count == int(old_count["results"]["bindings"][0]["n"]["value"]) + 1
    finally:
        stop_server(process)


def test_an_amended_graph_is_its_previous_lines_less_those_removed_plus_those_added() -> None:
    """Lines compared as the store writes them (``"2.50"`` is written ``"2.5"``); a subject's new values take
    the place of its first value removed; a new subject comes last; a blank node leaves it to the store."""
    node, other, new = (ox.NamedNode(f"http://x.test/{name}") for name in ("a", "b", "c"))
    name, price = ox.NamedNode("http://schema.org/name"), ox.NamedNode("http://schema.org/price")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    before = [ox.Triple(node, name, ox.Literal("A")), ox.Triple(node, price, ox.Literal("2.5", datatype=decimal)),
              ox.Triple(other, name, ox.Literal("B"))]  # fmt: skip
    previous = ox.serialize(before, format=ox.RdfFormat.N_TRIPLES)
    removed = [ox.Triple(node, price, ox.Literal("2.50", datatype=decimal))]
    added = [ox.Triple(node, price, ox.Literal("3", datatype=decimal)), ox.Triple(new, name, ox.Literal("C"))]
    output = io.BytesIO()
    cut = previous.index(b"\n") + 1
    assert amended_triples([previous[:cut], previous[cut:]], removed, added, output) == 4  # chunks of whole lines
    amended = output.getvalue()
    assert [line.split(b" ", 1)[0] for line in amended.splitlines()] == [b"<http://x.test/a>"] * 2 + [
        b"<http://x.test/b>", b"<http://x.test/c>"]  # fmt: skip
    assert {quad.triple for quad in ox.parse(amended, format=ox.RdfFormat.N_TRIPLES)} == {
        before[0], ox.Triple(node, price, ox.Literal("3", datatype=decimal)), before[2], added[1]}  # fmt: skip
    blank = [ox.Triple(ox.BlankNode(), name, ox.Literal("D"))]
    assert amended_triples([previous], [], blank, output) is None


def test_an_amended_graphs_turtle_has_each_changed_subjects_block_in_place_of_its_previous_one() -> None:
    """Blocks found by their first line (the others begin with a tab): one replaced where it was, one gone, one new
    after the others; a literal holding a line break and a subject's values on several lines stay whole."""
    a, b, c, d = (ox.NamedNode(f"http://x.test/{name}") for name in "abcd")
    name, knows = ox.NamedNode("http://schema.org/name"), ox.NamedNode("http://schema.org/knows")
    before = [ox.Triple(a, name, ox.Literal("A\nA2")), ox.Triple(a, knows, b), ox.Triple(a, knows, c),
              ox.Triple(b, name, ox.Literal("B")), ox.Triple(b, knows, a),
              ox.Triple(c, name, ox.Literal("C"))]  # fmt: skip
    previous = ox.serialize(before, format=ox.RdfFormat.TURTLE)
    assert previous.count(b"\n\t") >= 2  # the writer's layout this relies on: several lines a subject
    now = {
        b"<http://x.test/b>": ox.serialize([ox.Triple(b, name, ox.Literal("Bé"))], format=ox.RdfFormat.TURTLE),
        b"<http://x.test/c>": b"",
        b"<http://x.test/d>": ox.serialize([ox.Triple(d, name, ox.Literal("D"))], format=ox.RdfFormat.TURTLE),
    }
    output = io.BytesIO()
    cut = previous.index(b"\n", previous.index(b"\n<http://x.test/b> ") + 1) + 1  # inside the block of b, replaced
    assert previous[cut:].startswith(b"\t")
    amended_turtle([previous[:cut], previous[cut:]], now, output)  # chunks of whole lines
    amended = output.getvalue()
    firsts = [line.split(b" ", 1)[0] for line in amended.splitlines() if not line.startswith(b"\t")]
    assert firsts == [b"<http://x.test/a>", b"<http://x.test/b>", b"<http://x.test/d>"]
    assert {quad.triple for quad in ox.parse(amended, format=ox.RdfFormat.TURTLE)} == {
        *before[:3], ox.Triple(b, name, ox.Literal("Bé")), ox.Triple(d, name, ox.Literal("D"))}  # fmt: skip
