"""Ending the servers the benchmarks and tests start: politely first, for good after a grace period."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any


def stop_process(process: subprocess.Popen, grace: float = 30) -> None:
    """Terminate ``process`` and reap it; kill it if it is still there after ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measured_child(command: list[str], out: Path, what: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark's child process and read the JSON it wrote to ``out``.

    A child of its own makes the wall time and the peak RSS (``wait4``'s rusage) its own.
    The fields gain ``wall`` (seconds) and ``peak_rss_mib``.
    """
    clock = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - clock
    if status != 0:
        raise SystemExit(f"{what} failed (wait status {status})")
    fields = json.loads(out.read_text(encoding="utf-8"))
    fields.update(wall=wall, peak_rss_mib=usage.ru_maxrss / 1024)
    return fields
