"""Child processes end with their parent, whatever ended it.

The hub starts child processes (the helper of a write session, the query processes
of a web worker), and a parent killed with SIGKILL or by the out-of-memory killer
tells them nothing: the helper waits on a queue whose writing end it holds itself,
a query process may be busy for its whole query, and the resource tracker of
multiprocessing lives as long as any of them keeps its pipe open.  So each child
watches its parent from a thread: when the parent is gone it removes what it was
told to (a write session's checkpoints) and exits at once.

The watch waits on the parent's sentinel (a pipe the kernel closes when the parent
dies) and, in case the parent forked that pipe into another process, also checks
that its parent is still the process that started it.  ``prctl(PR_SET_PDEATHSIG)``
is not used: it fires when the *thread* that started the child ends, and query
processes are started from web request threads.  The engine's queries release the
interpreter lock, so the watch runs even while the child is busy.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from multiprocessing.connection import wait

WATCH_SECONDS = 0.5  # at most this long between the parent's death and the child's exit (plus the cleanup)
EXIT_CODE = 70  # EX_SOFTWARE: the child did not end its work


def exit_with_parent(*leftovers: str) -> None:
    """In a child process started by multiprocessing: exit as soon as the parent is gone.

    :param leftovers: folders to remove first (what the dead parent would have removed).
    """
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return
    thread = threading.Thread(target=_watch, args=(parent.pid, parent.sentinel, leftovers), daemon=True)
    thread.name = "exit-with-parent"
    thread.start()


def _watch(parent: int, sentinel: int, leftovers: tuple[str, ...]) -> None:
    while not wait([sentinel], timeout=WATCH_SECONDS) and os.getppid() == parent:
        pass
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(EXIT_CODE)
