"""The embedded store and Virtuoso side by side, in one run: harvest, dereferencing, the partner query mix.

    python -m bench.remote            # 40,000 initiatives
    python -m bench.remote --n 5000   # a quicker look

Each backend gets the same hub of N synthetic initiatives (init, then one write
session publishing them, timed as the harvest), then ``carrefour serve`` (one worker,
``--threads`` threads, no page cache: every page is made from the store) on it: ``wrk``
dereferences the same sampled resources in Turtle, and the partner query mix of
bench/sparql.py is timed over HTTP cold (a new text each request) and repeated (the
endpoint's cache answers), as bench/serving.py does; then the pages' reads (one query a
page) go straight to Virtuoso, the most pages a second it allows.  On Virtuoso the web server is a
machine of its own: the query endpoint only, the artifacts from the shared
``ARTIFACTS_DIR``.  Virtuoso (``virtuoso-t``) runs on 127.0.0.1 in a fresh database
under ``--folder``, and is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests

from bench import wrk
from bench.feeds import generate as generate_feed
from bench.published_hub import BASE, sample, serve_hub
from bench.sparql import over_http, partner_mix
from bench.synthetic import publish_synthetic
from carrefour.config import Config, load_config
from carrefour.store import Store, open_store
from carrefour.store.remote import neighbourhood_query
from carrefour.store.sparql_client import XML_RESULTS
from carrefour.vocab import Hub
from loader.harvest import PartnerHarvest, harvest
from loader.initialise import initialise
from loader.mapping.spec import PartnerSpec, read_partner
from loader.validation import Validator
from server.describe import NAMING
from tests.support import virtuoso

PARTNERS = Path(__file__).resolve().parents[1] / "partners"


@dataclass
class Figures:
    init_s: float = 0.0
    harvest_s: float = 0.0  # the partner feed of N records: read, map, validate, publish
    publish_s: float = 0.0  # N synthetic initiatives in one write session
    rate: float = 0.0  # dereferences per second
    median_ms: float = 0.0
    p95_ms: float = 0.0
    store_rate: float = 0.0  # the same pages' store reads sent straight to the store (remote only)
    cold_ms: dict[str, float] = field(default_factory=dict)
    repeated_ms: dict[str, float] = field(default_factory=dict)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


@dataclass
class Backend:
    name: str
    config: Config  # the harvest machine's settings
    web_folder: Path
    web_settings: dict[str, str]

    def store(self) -> Store:
        return open_store(self.config)


@contextmanager
def backends(folder: Path, memory_mb: int) -> Iterator[list[Backend]]:
    """The embedded store and a fresh Virtuoso, both empty, under ``folder``."""
    server = virtuoso.start(folder / "virtuoso", memory_mb=memory_mb, max_seconds=600)
    artifacts = folder / "virtuoso-artifacts"
    remote = {"STORE_URL": server.query_url, "ARTIFACTS_DIR": str(artifacts), "STORE_POLL_SECONDS": "2"}
    writer = {**server.settings(), "ARTIFACTS_DIR": str(artifacts), "STORE_TIMEOUT": "600"}
    password = {"CARREFOUR_STORE_PASSWORD": writer.pop("STORE_PASSWORD")}
    print(f"virtuoso {server.base} started in {server.started_in:.1f} s")
    embedded = load_config(overrides={"STORE": str(folder / "embedded"), "BASE_URL": BASE}, environ={})
    remote_writer = load_config(overrides={"STORE": str(folder / "virtuoso-harvest"), "BASE_URL": BASE, **writer},
                                environ=password)  # fmt: skip
    try:
        yield [
            Backend("embedded", embedded, folder / "embedded", {}),
            Backend("virtuoso", remote_writer, folder / "virtuoso-web", remote),
        ]
    finally:
        server.stop()


def feed_partner(folder: Path, n: int) -> PartnerSpec:
    """The Hub du Sud partner reading a synthetic feed of ``n`` records shaped like its own (bench/feeds.py)."""
    path = folder / f"feed-{n}.json"
    if not path.exists():
        path.write_text(json.dumps(generate_feed(n)[0], ensure_ascii=False), encoding="utf-8")
    data = tomllib.loads((PARTNERS / "hub-du-sud.toml").read_text(encoding="utf-8"))
    data["feed"]["source"] = str(path.resolve())
    return read_partner(data, "hub-du-sud")


def harvest_both_ways(backend: Backend, spec: PartnerSpec, n: int, partners: int, figures: Figures) -> None:
    """Init; harvest the partner feed (read, map, validate, publish); publish the synthetic hub."""
    hub = Hub(BASE)
    validator = Validator(hub)
    store = backend.store()
    try:
        figures.init_s = timed(lambda: initialise(store, hub, validator))
        results: list[PartnerHarvest] = []
        figures.harvest_s = timed(
            lambda: results.extend(harvest(store, hub, backend.config, [spec], [spec], validator)[0])
        )
        if not results[0].ok:
            raise SystemExit(f"{backend.name}: the harvest failed: {results[0].error}")
        figures.publish_s = timed(lambda: publish_synthetic(store, hub, n, partners))
    finally:
        store.close()


def measure_serving(backend: Backend, paths: list[str], args: argparse.Namespace, figures: Figures) -> None:
    hub = Hub(BASE)
    store = backend.store()
    try:
        initiative = store.snapshot().select(f"SELECT ?i WHERE {{ ?i a <{hub.ns}Initiative> }} ORDER BY ?i LIMIT 1")
    finally:
        store.close()
    mix = partner_mix(hub, initiative[0]["i"].value)
    backend.web_folder.mkdir(parents=True, exist_ok=True)
    settings = {**backend.web_settings, "PAGE_CACHE_MB": "0"}
    server = serve_hub(backend.web_folder, workers=1, threads=args.threads, **settings)
    try:
        pages = wrk.get_paths(paths, "text/turtle")
        wrk.run(server.url, pages, 2, args.connections, warm_up=True)
        load = wrk.run(server.url, pages, args.seconds, args.connections, check="status == 200")
        figures.rate, figures.median_ms, figures.p95_ms = load.rate, load.median_ms, load.p95_ms
        requests.post(server.url + "sparql", data={"query": "ASK {}"}, timeout=120)  # start the query process
        for name, query in mix.items():
            figures.cold_ms[name] = over_http(server.url, query, args.query_seconds, cold=True).median_ms
            figures.repeated_ms[name] = over_http(server.url, query, args.query_seconds, cold=False).median_ms
    finally:
        server.stop()


def store_ceiling(query_url: str, paths: list[str], args: argparse.Namespace) -> float:
    """The Turtle pages' one read each (``neighbourhood_query``) sent straight to the store: its rate without the hub.

    No web worker can serve pages faster than the store answers their reads.
    """
    queries = [neighbourhood_query(ox.NamedNode(BASE[:-1] + path), NAMING) for path in paths]
    bodies = ["query=" + urllib.parse.quote(query) for query in queries]
    base, endpoint = query_url.rsplit("/", 1)
    reads = wrk.post_forms("/" + endpoint, bodies, XML_RESULTS)
    return wrk.run(base + "/", reads, args.seconds, args.connections, check="status == 200").rate


def ratio(remote: float, embedded: float) -> str:
    """How many times slower the remote store is (below 1: faster)."""
    return f"{remote / embedded:.2f}x" if embedded else "-"


def report(n: int, figures: dict[str, Figures]) -> None:
    local, remote = figures["embedded"], figures["virtuoso"]
    print(f"\n{n} initiatives; ratio = virtuoso / embedded (above 1: the remote store is slower)")
    print(f"{'':<44} {'embedded':>10} {'virtuoso':>10} {'ratio':>7}")
    print(f"{'init (s)':<44} {local.init_s:>10.1f} {remote.init_s:>10.1f} {ratio(remote.init_s, local.init_s):>7}")
    print(
        f"{'harvest a feed of N records (s)':<44} {local.harvest_s:>10.1f} {remote.harvest_s:>10.1f} "
        f"{ratio(remote.harvest_s, local.harvest_s):>7}"
    )
    print(
        f"{'publish N synthetic initiatives (s)':<44} {local.publish_s:>10.1f} {remote.publish_s:>10.1f} "
        f"{ratio(remote.publish_s, local.publish_s):>7}"
    )
    rates = f"{local.rate:>10.0f} {remote.rate:>10.0f} {ratio(local.rate, remote.rate):>7}"
    print(f"{'dereference Turtle (req/s)':<44} {rates}")
    print(f"{'  its reads straight to the store (req/s)':<44} {'-':>10} {remote.store_rate:>10.0f}")
    print(f"{'  latency median, p95 (ms), embedded':<44} {local.median_ms:.1f}, {local.p95_ms:.1f}")
    print(f"{'  latency median, p95 (ms), virtuoso':<44} {remote.median_ms:.1f}, {remote.p95_ms:.1f}")
    for label, attribute in (("cold", "cold_ms"), ("repeated", "repeated_ms")):
        mine, theirs = getattr(local, attribute), getattr(remote, attribute)
        for name in mine:
            print(f"{'  ' + label + ' ' + name + ' (ms)':<44} {mine[name]:>10.1f} {theirs[name]:>10.1f} "
                  f"{ratio(theirs[name], mine[name]):>7}")  # fmt: skip
        total_mine, total_theirs = sum(mine.values()), sum(theirs.values())
        print(f"{'mix ' + label + ' (sum of medians, ms)':<44} {total_mine:>10.1f} {total_theirs:>10.1f} "
              f"{ratio(total_theirs, total_mine):>7}")  # fmt: skip
    wins = [name for name in local.cold_ms if remote.cold_ms[name] < local.cold_ms[name]]
    print(f"cold queries where virtuoso is faster: {', '.join(wins) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40_000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--folder", type=Path, help="work folder (default: a temporary one, removed after)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="Virtuoso's buffers")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--query-seconds", type=float, default=3, help="wrk duration of each query, cold and repeated")
    args = parser.parse_args()
    if not virtuoso.available() or shutil.which("wrk") is None:
        raise SystemExit("virtuoso-t and wrk are needed (./dev.sh test installs them)")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="carrefour-bench-remote-"))
    figures = {"embedded": Figures(), "virtuoso": Figures()}
    try:
        with backends(folder, args.memory_mb) as both:
            spec = feed_partner(folder, args.n)
            for backend in both:
                done = figures[backend.name]
                harvest_both_ways(backend, spec, args.n, args.partners, done)
                print(f"{backend.name}: harvest {done.harvest_s:.1f} s, publish {done.publish_s:.1f} s")
            embedded = both[0].store()
            try:
                paths = [iri.value[len(BASE) - 1 :] for iri in sample(embedded.snapshot(), Hub(BASE), 2000)]
            finally:
                embedded.close()
            for backend in both:
                measure_serving(backend, paths, args, figures[backend.name])
            figures["virtuoso"].store_rate = store_ceiling(both[1].web_settings["STORE_URL"], paths, args)
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    report(args.n, figures)


if __name__ == "__main__":
    main()
