"""Keeping readers from waiting on a remote store that is down or slow.

Two guards, both on the reading side:

- ``Breaker``: once the store has failed to answer, queries fail at once with
  ``StoreUnavailable`` for ``seconds`` instead of each waiting out its timeout; then
  one query probes the store while the others keep failing fast, and the first answer
  closes the breaker.  A web worker whose threads all waited on a hung store would
  stop serving everything else (pages from the cache, static files, errors).
- ``start_budget``: a web request gives all its store queries one time budget together;
  a page that makes a dozen queries to a slow store gives up once, not a dozen times.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar, Token

from carrefour.errors import StoreUnavailable

_deadline: ContextVar[float | None] = ContextVar("carrefour_store_deadline", default=None)


def start_budget(seconds: float) -> Token[float | None]:
    """Give the store queries of the current request (thread or task) ``seconds`` altogether."""
    return _deadline.set(time.monotonic() + seconds)


def end_budget(token: Token[float | None]) -> None:
    _deadline.reset(token)


def time_left(timeout: float) -> float:
    """``timeout``, or less if the current request's budget ends sooner.

    :raises StoreUnavailable: the budget is spent.
    """
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise StoreUnavailable("the store is too slow: this request gave up waiting for it")
    return min(timeout, left)


class Breaker:
    """Fail fast for a while after the store failed to answer; let one query probe it then."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._until = 0.0  # 0: closed (the store answers)
        self._reason = ""
        self._probing = False

    def admit(self) -> bool:
        """Let a query go to the store; True if it is the probe of an open breaker.

        :raises StoreUnavailable: the breaker is open, or another query is probing.
        """
        if self.seconds <= 0:
            return False
        with self._lock:
            if not self._until:
                return False
            waiting = self._until - time.monotonic()
            if waiting > 0 or self._probing:
                raise StoreUnavailable(f"{self._reason} a moment ago; the hub tries again in {max(waiting, 1):.0f} s")
            self._probing = True
            return True

    def answered(self) -> None:
        with self._lock:
            self._until, self._probing = 0.0, False

    def failed(self, reason: str) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._until, self._reason, self._probing = time.monotonic() + self.seconds, reason, False

    def released(self, probe: bool) -> None:
        """A query ended without telling whether the store is well (a public query out of time)."""
        if probe:
            with self._lock:
                self._probing = False
