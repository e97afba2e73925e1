"""A published hub of N synthetic initiatives on disk, built once and reused by the publishing benchmarks.

Also starts ``carrefour serve`` on it, as an operator would, for the HTTP figures.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.synthetic import publish_synthetic
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator

BASE = "http://127.0.0.1:8080/"


def ensure_hub(folder: Path, n: int, partners: int) -> tuple[EmbeddedStore, float]:
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(folder: Path, workers: int = 2, threads: int = 4, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    """``carrefour serve`` on the hub in ``folder``; returns the process and its URL once it answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "carrefour",
        "--store",
        str(folder),
        "--base-url",
        BASE,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    env.update({f"CARREFOUR_{k}": v for k, v in settings.items()})
    env["CARREFOUR_LOG_LEVEL"] = "WARNING"
    with open(folder / f"server-{port}.log", "ab") as log:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
