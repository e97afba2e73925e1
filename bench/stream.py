"""Event stream benchmark: history append, replication and incremental sync with the LDES reference client.

    python -m bench.stream --n 40000

Publishes N synthetic initiatives (``carrefour init``, then one session), serves them
with ``carrefour serve`` on 127.0.0.1 (access log kept), replicates ``stream/hub``
from scratch with ``ldes-client --save``, publishes a session that changes 1 % of the
initiatives, and runs the client again from its saved state.  Prints the time the
history took in each session (the record diff a harvest already has, then the
append), the replication's time and members, and the bytes the incremental run read
against the bytes of the changed members in the format the client took (N-Quads).
Needs the client (``./dev.sh test`` installs it into tests/support/node/).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.synthetic import generate, partner_descriptions
from carrefour.artifacts.build import build_artifacts
from carrefour.history import read
from carrefour.history.append import append_versions, known_sources
from carrefour.history.terms import HUB, Names
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.history import graph_changes
from loader.initialise import initialise
from loader.validation import Validator
from tests.support.ldes import CLIENT
from tests.support.served import free_port, start_server, stop_server

ALTERNATE = ox.NamedNode("http://schema.org/alternateName")
_REQUEST = re.compile(rb'"GET (?P<path>\S+) HTTP/[0-9.]+" (?P<status>\d{3}) (?P<size>\d+)')


def publish(store: EmbeddedStore, hub: Hub, graphs: dict[ox.NamedNode, list[ox.Quad]], label: str) -> int:
    """One session replacing ``graphs``: prints what the history cost in it; the versions added."""
    with store.writer() as writer:
        started = time.perf_counter()
        for graph, quads in graphs.items():
            writer.replace_graph(graph, quads)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        followed = known_sources(writer, hub)
        prefix = hub.iri("graph", "partner") + "/"
        changes = {g.value[len(prefix) :]: graph_changes(writer, g, g.value[len(prefix) :] in followed) for g in graphs}
        diffed = time.perf_counter() - started
        started = time.perf_counter()
        added = append_versions(writer, hub, changes)
        appended = time.perf_counter() - started
        started = time.perf_counter()
        build_artifacts(writer, hub)
        artifacts = time.perf_counter() - started
    print(f"{label}: graphs loaded in {loaded:.1f} s; history: {added:,} versions, diff {diffed:.2f} s "
          f"(a harvest has it already), append {appended:.2f} s; artifacts {artifacts:.1f} s")  # fmt: skip
    return added


def requests_since(log: Path, offset: int) -> list[tuple[str, int]]:
    """(path, bytes) of the answers the server sent since ``offset`` in its access log; others are reported."""
    found = list(_REQUEST.finditer(log.read_bytes()[offset:]))
    failed = [f"{m['status'].decode()} {m['path'].decode()}" for m in found if m["status"] != b"200"]
    if failed:
        print(f"  answers other than 200: {', '.join(failed)}")
    return [(m["path"].decode(), int(m["size"])) for m in found if m["status"] == b"200"]


def replicate(url: str, state: Path) -> tuple[float, int]:
    """Run the client to its end; its time and the distinct members it printed (its output kept beside its state)."""
    started = time.perf_counter()
    done = subprocess.run([str(CLIENT), url, "--save", str(state)], capture_output=True, check=True, timeout=1800)
    seconds = time.perf_counter() - started
    (state.parent / f"{state.name}-{int(started)}.out").write_bytes(done.stdout)
    (state.parent / f"{state.name}-{int(started)}.err").write_bytes(done.stderr)
    members = set(re.findall(rb"^(<[^>]+>) <http://purl.org/dc/terms/isVersionOf>", done.stdout, re.MULTILINE))
    return seconds, len(members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40000, help="synthetic initiatives")
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the store folder")
    args = parser.parse_args()
    if not CLIENT.exists():
        sys.exit(f"the LDES client is not installed ({CLIENT}): run ./dev.sh test once")
    folder = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    port = free_port()
    hub = Hub(f"http://127.0.0.1:{port}/")
    store = EmbeddedStore(folder / "var" / "store", hub.base)
    initialise(store, hub, Validator(hub))
    data = generate(hub, args.n, args.partners)
    graphs: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in data.quads:
        graphs.setdefault(quad.graph_name, []).append(quad)  # type: ignore[arg-type]
    graphs[hub.graph("partners")] = partner_descriptions(hub, args.partners)
    publish(store, hub, graphs, f"first publication of {args.n:,} initiatives")
    store.close()

    log = folder / "access.log"
    server = start_server(folder / "var", port, base=hub.base, access_log=log)
    try:
        state = folder / "client-state"
        seconds, members = replicate(hub.iri("stream", HUB), state)
        fresh = requests_since(log, 0)
        store = EmbeddedStore(folder / "var" / "store", hub.base)
        total = read.head(store.snapshot(), Names(hub), HUB).count
        store.close()
        print(f"replication from scratch: {members:,} members of {total:,} in {seconds:.1f} s, {len(fresh)} documents, "
              f"{sum(size for _, size in fresh) / 2**20:.1f} MiB")  # fmt: skip

        store = EmbeddedStore(folder / "var" / "store", hub.base)
        snapshot = store.snapshot()
        initiatives = sorted({q.subject.value for q in data.quads if q.predicate.value.endswith("#recordKey")})
        changed = set(random.Random(7).sample(initiatives, max(1, len(initiatives) // 100)))
        touched = {q.graph_name for q in data.quads if q.subject.value in changed}
        updates = {}
        for graph in touched:
            quads = list(snapshot.quads(graph=graph))  # type: ignore[arg-type]
            subjects = {q.subject.value for q in quads}
            quads += [ox.Quad(ox.NamedNode(iri), ALTERNATE, ox.Literal("modifié"), graph) for iri in changed & subjects]
            updates[graph] = quads
        head = read.head(snapshot, Names(hub), HUB).count
        added = publish(store, hub, updates, f"a session changing {len(changed):,} initiatives (1 %)")
        names = Names(hub)
        snapshot = store.snapshot()
        new_pages = range(head // 100, read.head(snapshot, names, HUB).pages)
        new_members = [m for n in new_pages for m in read.page_members(snapshot, names, HUB, n)][head % 100 :]
        triples = [t for m in new_members for t in read.version_triples(m, hub.base)]
        member_bytes = len(ox.serialize(triples, format=ox.RdfFormat.N_QUADS))
        store.close()

        offset = log.stat().st_size
        seconds, members = replicate(hub.iri("stream", HUB), state)
        read_again = requests_since(log, offset)
        transferred = sum(size for _, size in read_again)
        print(f"incremental sync: {members:,} members (of {added:,} added) in {seconds:.1f} s; read "
              f"{', '.join(path for path, _ in read_again)}")  # fmt: skip
        print(f"  {transferred / 1024:.0f} KiB transferred for {member_bytes / 1024:.0f} KiB of changed members "
              f"(N-Quads): {transferred / member_bytes:.2f}x (target <= 2x)")  # fmt: skip
    finally:
        stop_server(server)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
