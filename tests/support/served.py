"""Serving the hub as an operator would, for the tests and the benchmarks alike.

A free port on 127.0.0.1, a `carrefour` command run in a child process, `carrefour serve`
started and stopped, and the bundled sample records a push sends: what ``tests/`` and
``bench/`` share, so that neither imports the other's modules for it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from carrefour import paths

SAMPLE = next((paths.DATA_DIR / "samples" / "hub-du-sud-mednum-json").glob("*.json"))  # records a partner pushes

WORKERS = 2  # web worker processes of each test server; each keeps its own SPARQL answer cache
# Tests talk to 127.0.0.1 only: the maps ask a port where nothing listens for their tiles, and must show
# their markers all the same.
UNREACHABLE_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def carrefour(store_dir: Path, base: str, *args: str) -> str:
    """Run a `carrefour` command on ``store_dir`` as an operator would; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    command = [sys.executable, "-m", "carrefour", "--store", str(store_dir), "--base-url", base, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def start_server(
    store_dir: Path,
    port: int,
    *extra: str,
    settings: dict[str, str] | None = None,
    base: str | None = None,
    wait: bool = True,
    access_log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """``carrefour serve`` with its production server, as an operator would run it.

    :param settings: settings given in the environment (``CARREFOUR_<NAME>``), as an operator would.
    :param base: the hub's base URL (default: the server's own address).
    :param wait: wait until the home page answers 200.
    :param access_log: where gunicorn's access log (its standard output) goes; nowhere by default.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "carrefour", "--store", str(store_dir), "--base-url", base or f"http://127.0.0.1:{port}/",
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS), "--threads", "2", *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    env["CARREFOUR_MAP_TILE_URL"] = UNREACHABLE_TILES
    env.update({f"CARREFOUR_{name}": value for name, value in (settings or {}).items()})
    if access_log is not None:
        env["PYTHONUNBUFFERED"] = "1"  # each request's line is in the file once it is answered
    log_path = store_dir / f"server-{port}.log"
    with open(log_path, "ab") as log, open(access_log or os.devnull, "ab") as access:  # files: a full pipe blocks
        process = subprocess.Popen(command, env=env, stdout=access, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200 or not wait:
                return process
        except requests.RequestException:  # not listening yet, or too busy to answer in time
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("server did not answer within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
