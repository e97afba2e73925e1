"""Dereferencing over HTTP on 127.0.0.1: the hub under gunicorn beside a bare Flask app.

Both run under gunicorn with the same settings (one worker, ``--threads`` threads,
access log on); ``wrk`` (a second process, ``--connections`` connections, closed
loop) requests random resources (70 % initiatives, 30 % actors) in Turtle, JSON-LD
and HTML, then the bare app's constant body: the ceiling of the web layer, measured
in the same run.  The store is the one ``bench/resources.py`` builds.

    python bench/http_resources.py --n 40000
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.resources import BASE, build, sample
from carrefour.vocab import Hub

LUA = """
local paths = {%s}
local accept = "%s"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = accept})
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[float, str, str]:
    """(requests per second, median latency, 99th percentile) as wrk reports them."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{errors.group(1)} failed requests:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    median = re.search(r"50%\s+(\S+)", output).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", output).group(1)  # type: ignore[union-attr]
    return rate, median, p99


def serve(command: list[str], port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{port}/dataset", process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian package wrk; ./dev.sh test installs it)")
    folder = Path("var/bench") / f"resources-{args.n}"
    folder.mkdir(parents=True, exist_ok=True)
    store = build(folder, args.n)
    paths = [iri.value[len(BASE) - 1 :] for iri in sample(store, Hub(BASE), 2000)]
    store.close()
    work = Path(tempfile.mkdtemp(prefix="carrefour-bench-"))
    quoted = ", ".join(f'"{p}"' for p in paths)
    gunicorn = ["--workers", "1", "--threads", str(args.threads)]
    results = []
    try:
        port = free_port()  # the hub is served on another port than its base URL says: IRIs come from BASE_URL
        hub = serve([sys.executable, "-m", "carrefour", "--store", str(folder), "--base-url", BASE, "serve",
                     "--host", "127.0.0.1", "--port", str(port), *gunicorn], port)  # fmt: skip
        try:
            with requests.Session() as session:  # every sampled resource read once: caches warm for each format alike
                for path in paths:
                    session.get(f"http://127.0.0.1:{port}{path}", headers={"Accept": "text/turtle"}, timeout=30)
            for label, accept in (("Turtle", "text/turtle"), ("JSON-LD", "application/ld+json"), ("HTML", "text/html")):
                script = work / f"{label}.lua"
                script.write_text(LUA % (quoted, accept), encoding="utf-8")
                wrk(f"http://127.0.0.1:{port}", script, 2, args.connections)  # warm up
                results.append((f"hub dereference, {label}", *wrk(f"http://127.0.0.1:{port}", script, args.seconds,
                                                                  args.connections)))  # fmt: skip
        finally:
            stop(hub)
        port = free_port()
        bare = serve([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *gunicorn,
                      "--worker-class", "gthread", "--access-logfile", "-", "bench.bare_app:app"], port)  # fmt: skip
        try:
            script = work / "bare.lua"
            script.write_text(LUA % (quoted, "text/turtle"), encoding="utf-8")
            wrk(f"http://127.0.0.1:{port}", script, 2, args.connections)
            ceiling = wrk(f"http://127.0.0.1:{port}", script, args.seconds, args.connections)
        finally:
            stop(bare)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.n} synthetic initiatives; gunicorn 1 worker x {args.threads} threads; "
          f"wrk 1 thread, {args.connections} connections, {args.seconds} s")  # fmt: skip
    print(f"{'bare Flask, constant body (ceiling)':<40} {ceiling[0]:>9,.0f} req/s  median {ceiling[1]:>8}  "
          f"p99 {ceiling[2]:>8}")  # fmt: skip
    for label, rate, median, p99 in results:
        print(f"{label:<40} {rate:>9,.0f} req/s  median {median:>8}  p99 {p99:>8}  {rate / ceiling[0]:5.2f}x ceiling")


if __name__ == "__main__":
    main()
