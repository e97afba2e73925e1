"""The processes the benchmarks and tests start: their descendants, and ending them (politely first)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def children(pid: int) -> list[int]:
    """Direct children of a process (every thread's)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def survivors(pids: list[int], within: float = 5.0) -> list[int]:
    """Those of ``pids`` still running after ``within`` seconds (the time they are given to exit on their own).

    A process that has ended but is not reaped yet (a zombie) has ended.
    """
    deadline = time.monotonic() + within
    while True:
        alive = [pid for pid in pids if _running(pid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def stop_process(process: subprocess.Popen, grace: float = 30) -> None:
    """Terminate ``process`` and reap it; kill it if it is still there after ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants now (from /proc; shared pages counted in each)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


class TreeMemory:
    """The peak of what a process and its descendants (helper processes) hold together, sampled."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.peak = 0
        self._pid, self._interval = pid, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, _tree_rss(self._pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def measured_child(command: list[str], out: Path, what: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark's child process and read the JSON it wrote to ``out``.

    A child of its own makes the wall time and the peak RSS (``wait4``'s rusage) its own;
    the peak of the child and its helper processes together is sampled beside it.
    The fields gain ``wall`` (seconds), ``peak_rss_mib`` and ``peak_tree_rss_mib``.
    """
    clock = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    memory = TreeMemory(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - clock
    tree = memory.stop()
    if status != 0:
        raise SystemExit(f"{what} failed (wait status {status})")
    fields = json.loads(out.read_text(encoding="utf-8"))
    rss = usage.ru_maxrss / 1024
    fields.update(wall=wall, peak_rss_mib=rss, peak_tree_rss_mib=max(rss, tree / 2**20))
    return fields
