"""``carrefour serve`` as operators run it (gunicorn, its production settings), watched from outside.

The suite needs more than a URL: the gunicorn master's pid, its workers' pids (to kill
one), and the resident memory of every process the server runs (workers and their
query processes).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.processes import children, stop_process
from bench.published_hub import free_port, rss_mib
from bench.reliability.hub import SuiteHub


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].rstrip("/"))

    def workers(self) -> list[int]:
        """The gunicorn workers (the master's children)."""
        return children(self.process.pid)

    def rss_mib(self) -> float:
        """Resident memory of the master, its workers and their query processes."""
        return rss_mib(self.process.pid)

    def wait_for_workers(self, count: int, timeout: float = 60.0, exclude: tuple[int, ...] = ()) -> list[int]:
        """Until ``count`` workers run (none of ``exclude``) and the server answers; their pids."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = [w for w in self.workers() if w not in exclude]
            if len(workers) >= count:
                return workers
            time.sleep(0.1)
        raise RuntimeError(f"{count} workers expected, {self.workers()} running")

    def stop(self) -> None:
        stop_process(self.process)


def serve(hub: SuiteHub, workers: int | None = None, threads: int | None = None, **settings: str) -> Served:
    """Start ``carrefour serve`` on the hub; ``workers``/``threads`` default to the settings (production: 4 x 4)."""
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    if threads:
        args += ["--threads", str(threads)]
    log = hub.folder / f"server-{port}.log"
    with open(log, "ab") as out:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(hub.command(*args), env=hub.env(**settings), stdout=subprocess.DEVNULL, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url + "/", timeout=5).status_code == 200:
                return Served(process, url, log)
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start within 120 s")


def _crash(line: str) -> bool:
    """A traceback, an error, or a worker ended by a signal (SIGKILL is the faults run's own, and spared)."""
    if "Traceback" in line or "[ERROR]" in line or "[CRITICAL]" in line:
        return True
    return "was sent SIG" in line and "was sent SIGKILL" not in line


def server_errors_logged(served: Served) -> list[str]:
    """Tracebacks and worker crashes the server wrote to its log (after ``stop``: its shutdown too)."""
    text = served.log.read_text(errors="replace")
    return [line for line in text.splitlines() if _crash(line)]
