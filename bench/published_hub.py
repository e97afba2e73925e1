"""A published hub of N synthetic initiatives on disk, built once and reused by the publishing benchmarks.

Also starts the servers those benchmarks measure: ``carrefour serve`` on the hub, as
an operator would, and the bare Flask app (``bench/bare_app.py``) under the same
server settings; and reads the memory of a server's process tree.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.processes import stop_process
from bench.synthetic import publish_synthetic
from carrefour.store.base import Snapshot
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import RDF_TYPE, Hub
from loader.initialise import initialise
from loader.validation import Validator

BASE = "http://127.0.0.1:8080/"


def hub_folder(n: int) -> Path:
    return Path("var/bench") / f"hub-{n}"


def ensure_hub(folder: Path, n: int, partners: int = 20) -> tuple[EmbeddedStore, float]:
    """The store in ``folder`` holding ``n`` initiatives (built when missing); seconds spent building."""
    marker = folder / "bench.json"
    wanted = {"n": n, "partners": partners, "base": BASE}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return EmbeddedStore(folder / "store", BASE), 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    hub = Hub(BASE)
    store = EmbeddedStore(folder / "store", BASE)
    started = time.perf_counter()
    initialise(store, hub, Validator(hub))
    publish_synthetic(store, hub, n, partners)
    elapsed = time.perf_counter() - started
    marker.write_text(json.dumps(wanted))
    return store, elapsed


def sample(snapshot: Snapshot, hub: Hub, count: int, seed: int = 42) -> list[ox.NamedNode]:
    """``count`` random resources, 70 % initiatives and 30 % actors (as ../shared/BASELINES.md section c)."""
    initiatives = sorted({q.subject.value for q in snapshot.quads(None, RDF_TYPE, hub.term("Initiative"))})
    actors = sorted({q.subject.value for q in snapshot.quads(None, RDF_TYPE, hub.term("Actor"))})
    rng = random.Random(seed)
    picked = [rng.choice(initiatives) if rng.random() < 0.7 else rng.choice(actors) for _ in range(count)]
    return [ox.NamedNode(iri) for iri in picked]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str  # http://127.0.0.1:PORT/

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        stop_process(self.process)


def _start(command: list[str], port: int, log: Path, settings: dict[str, str]) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    env.update({f"CARREFOUR_{k}": v for k, v in settings.items()})
    with open(log, "ab") as handle:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=handle)
    server = Server(process, f"http://127.0.0.1:{port}/")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: see {log}")
        try:
            if requests.get(server.url, timeout=5).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the server did not start: see {log}")


def serve_hub(folder: Path, workers: int, threads: int, name: str = "server", **settings: str) -> Server:
    """``carrefour serve`` on the hub in ``folder`` (its IRIs keep ``BASE``, whatever port it listens on).

    :param name: of its log, ``folder/{name}.log``.
    :param settings: given in the environment (``CARREFOUR_<NAME>``).
    """
    port = free_port()
    command = [sys.executable, "-m", "carrefour", "--store", str(folder), "--base-url", BASE, "serve", "--host",
               "127.0.0.1", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    return _start(command, port, folder / f"{name}.log", {"LOG_LEVEL": "WARNING", **settings})


def serve_bare(folder: Path, workers: int, threads: int) -> Server:
    """The bare Flask app under the server settings of ``carrefour serve``."""
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_app", "--port", str(port),
               "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
    return _start(command, port, folder / "bare.log", {"LOG_LEVEL": "WARNING"})


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn workers, query processes), in MiB."""
    total = 0.0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += rss_mib(int(child))
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):  # a thread or a process ended while being read
        pass
    return total


@contextmanager
def peak_rss(pid: int) -> Iterator[Callable[[], tuple[float, float]]]:
    """Sample a process tree's memory every 20 ms: yields a function giving (before, peak) in MiB."""
    before = rss_mib(pid)
    peak = [before]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield lambda: (before, peak[0])
    finally:
        done.set()
        thread.join()
