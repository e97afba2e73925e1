"""Rebuild the artifacts a push carried, once pushes pause (carrefour.artifacts.refresh).

One thread per web process, started on demand: each push (and a process that starts on
a version whose artifacts are stale) sets the refresh ``PUSH_REFRESH_SECONDS`` ahead, and
when it is due it waits that long after the store's last publication (another worker's
push counts), so a burst of pushes is followed by one rebuild, not one each.  The rebuild holds the push
lock of this process (its pushes wait rather than fail); another process's write
session makes it try again later.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from carrefour.artifacts.refresh import refresh_artifacts
from carrefour.artifacts.stale import stale_of
from carrefour.errors import StoreBusy
from carrefour.store.base import Store
from carrefour.vocab import Hub

log = logging.getLogger(__name__)


class Refresher:
    """Debounced rebuilds of carried artifacts for one store."""

    def __init__(self, store: Store, hub: Hub, write_lock: threading.Lock, delay: float) -> None:
        self.store, self.hub, self.delay = store, hub, delay
        self._write_lock = write_lock
        self._due: float | None = None
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def schedule(self) -> None:
        """Rebuild ``delay`` seconds from now, unless scheduled again before."""
        with self._changed:
            self._due = time.monotonic() + self.delay
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="artifact-refresh", daemon=True)
                self._thread.start()
            self._changed.notify()

    def _postpone(self, seconds: float) -> None:
        with self._changed:
            due = time.monotonic() + seconds
            self._due = max(self._due or due, due)

    def schedule_if_stale(self) -> None:
        """Schedule a rebuild if the published version carries another's artifacts (a process stopped before)."""
        try:
            artifacts = self.store.snapshot().info.artifacts
        except Exception:  # noqa: BLE001 - nothing published yet, or the store is down: the next push schedules
            return
        if stale_of(artifacts) is not None:
            self.schedule()

    def _wait_until_due(self) -> bool:
        """Wait for the due time; False when nothing is due any more (the thread ends)."""
        with self._changed:
            while True:
                if self._due is None:
                    self._thread = None
                    return False
                remaining = self._due - time.monotonic()
                if remaining <= 0:
                    self._due = None
                    return True
                self._changed.wait(remaining)

    def _quiet_for(self) -> float:
        """Seconds since the store last published (any process's push counts)."""
        published = self.store.snapshot().info.published
        return (datetime.now(UTC) - published).total_seconds()

    def _run(self) -> None:
        while self._wait_until_due():
            try:
                quiet = self._quiet_for()
                if quiet < self.delay:  # another worker pushed since: wait for the pause after its push
                    self._postpone(self.delay - quiet)
                    continue
                with self._write_lock:
                    version = refresh_artifacts(self.store, self.hub)
                if version is not None:
                    log.info("artifacts rebuilt after pushes: version %s", version)
            except StoreBusy:
                self.schedule()  # a harvest or another process's push: its session may leave them stale
            except Exception:  # noqa: BLE001 - logged; the next push schedules another try
                log.exception("rebuilding the artifacts after pushes failed")
