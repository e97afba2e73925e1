"""Push benchmark: one record PUT to a served hub, answered with its report, then visible at its IRI and in the stream.

    python -m bench.push --n 2000 --pushes 20

Builds a hub (``carrefour init``, a harvest of hub-du-sud, then N synthetic
initiatives beside it), serves it with ``carrefour serve``, and PUTs one of
hub-du-sud's records, moved each time so that every push publishes a new version;
prints the answer times (median, p95) and checks after each that the record's IRI and
its TimeMap show the new version; then how long the artifacts took to follow, and the
baseline: a write session on the same store that amends one statement and carries the
artifacts, the floor of any publication.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.synthetic import publish_synthetic
from carrefour.artifacts.refresh import carry_artifacts
from carrefour.artifacts.stale import stale_of
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import RDFS, Hub
from tests.support.served import SAMPLE, carrefour, free_port, start_server, stop_server

RDFS_LABEL = ox.NamedNode(RDFS + "label")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="synthetic initiatives beside the partner's")
    parser.add_argument("--pushes", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-push-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store_dir = folder / "var"
    try:
        carrefour(store_dir, base, "init")
        carrefour(store_dir, base, "harvest", "hub-du-sud")
        if args.n:
            store = EmbeddedStore(store_dir / "store", base)
            publish_synthetic(store, Hub(base), args.n, partners=5)
            store.close()
        token = carrefour(store_dir, base, "partners", "token", "hub-du-sud").strip()
        server = start_server(store_dir, port, base=base, settings={"PUSH_PER_MINUTE": "1000"})
        try:
            record = json.loads(SAMPLE.read_text(encoding="utf-8"))[4]
            url = f"{base}partners/hub-du-sud/records/{record['id']}"
            times = []
            for number in range(args.pushes):
                started = time.perf_counter()
                answer = requests.put(url, json=dict(record, adresse=f"{number} rue du Port"),
                                      headers={"Authorization": f"Bearer {token}"}, timeout=600)  # fmt: skip
                times.append(time.perf_counter() - started)
                assert answer.status_code == 201, answer.text
                iri = answer.json()["records"][0]["iri"]
                assert requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30).status_code == 200
                timemap = requests.get(f"{base}timemap/{iri[len(base) :]}", timeout=30).text
                assert timemap.count("memento") >= 1
            refreshed = _wait_for_refresh(store_dir, base)
        finally:
            stop_server(server)
        floor = _publication_floor(store_dir, base, args.pushes)
        median, p95 = statistics.median(times) * 1000, _p95(times) * 1000
        print(f"{args.pushes} pushes of one record (hub of {args.n:,} synthetic initiatives beside hub-du-sud): "
              f"median {median:.0f} ms, p95 {p95:.0f} ms (target 200 ms)")  # fmt: skip
        floor_ms = statistics.median(floor) * 1000
        print(
            "baseline, the same store: a session amending one statement and carrying the artifacts, "
            f"median {floor_ms:.0f} ms; pushes at {median / floor_ms:.1f}x"
        )
        print(
            f"search, maps, counts and dumps rebuilt {refreshed:.1f} s after the last push "
            "(PUSH_REFRESH_SECONDS 5 of it)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _wait_for_refresh(store_dir: Path, base: str) -> float:
    """Seconds until the published artifacts are the data's own again."""
    started = time.perf_counter()
    store = EmbeddedStore(store_dir / "store", base)
    try:
        while stale_of(store.snapshot().info.artifacts) is not None:
            time.sleep(0.1)
    finally:
        store.close()
    return time.perf_counter() - started


def _publication_floor(store_dir: Path, base: str, sessions: int) -> list[float]:
    """What publishing any version costs on this store: one amended statement, artifacts carried."""
    store, hub = EmbeddedStore(store_dir / "store", base), Hub(base)
    times = []
    try:
        for number in range(sessions):
            started = time.perf_counter()
            with store.writer() as writer:
                thing = ox.NamedNode(f"{base}initiative/bench/floor")
                writer.amend_graph(
                    hub.graph("partner", "bench"), [ox.Triple(thing, RDFS_LABEL, ox.Literal(str(number)))]
                )
                carry_artifacts(writer, hub)
            times.append(time.perf_counter() - started)
    finally:
        store.close()
    return times


if __name__ == "__main__":
    main()
