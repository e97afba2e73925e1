"""Push benchmark: one record PUT to a served hub, answered with its report, then visible at its IRI and in the stream.

    python -m bench.push --n 2000 --pushes 20

Builds a hub (``carrefour init``, a harvest of hub-du-sud, then N synthetic
initiatives beside it), serves it with ``carrefour serve``, and PUTs one of
hub-du-sud's records, renamed each time so that every push publishes a new version;
prints the answer times (median, p95) and checks after each that the record's IRI and
the partner's stream show the new version.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.synthetic import publish_synthetic
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from tests.conftest import free_port
from tests.publish.conftest import carrefour, start_server, stop_server
from tests.sync.test_event_stream import SAMPLE


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
                timemap = requests.get(f"{base}timemap/{iri[len(base):]}", timeout=30).text
                assert timemap.count("memento") >= 1
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            median = statistics.median(times) * 1000
            print(f"{args.pushes} pushes of one record (hub of {args.n:,} synthetic initiatives beside hub-du-sud): "
                  f"median {median:.0f} ms, p95 {p95 * 1000:.0f} ms (target 200 ms)")  # fmt: skip
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
