"""The processes the hub starts end with the one that started them, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.processes import descendants, survivors
from carrefour import paths
from carrefour.store.embedded import COMMITTED, EmbeddedStore
from tests.support.lingering import BASE

pytestmark = pytest.mark.timeout(120)


def started(kind: str, root: Path) -> subprocess.Popen[str]:
    """``tests.support.lingering KIND``, once its children are at work."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.lingering", kind, str(root)],
        cwd=paths.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def killed(process: subprocess.Popen[str]) -> list[int]:
    """SIGKILL to ``process``; its descendants as they were."""
    children = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.stdout is not None
    process.stdout.close()
    return children


def orphans(children: list[int]) -> list[int]:
    """Those of ``children`` still running 5 s after their parent died (ended now: a failed test leaves none)."""
    left = survivors(children, within=5)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_a_killed_write_session_leaves_no_process_and_no_checkpoint(tmp_path: Path) -> None:
    root = tmp_path / "store"
    process = started("session", root)
    assert list(root.glob("generations/*/checkpoints/*")), "the helper works on a checkpoint"
    children = killed(process)
    assert len(children) >= 2, "the helper and multiprocessing's resource tracker"
    assert orphans(children) == []
    assert list(root.glob("generations/*/checkpoints")) == []
    with EmbeddedStore(root, BASE).writer():  # the next session removes the rest of the dead one
        pass
    assert [p.name for p in (root / "generations").iterdir() if p.is_dir() and not (p / COMMITTED).exists()] == []


def test_the_query_processes_of_a_killed_web_worker_end_even_in_the_middle_of_a_query(tmp_path: Path) -> None:
    process = started("queries", tmp_path / "store")
    children = killed(process)
    assert len(children) >= 3, "two query processes (one busy, one idle) and the resource tracker"
    assert orphans(children) == []
