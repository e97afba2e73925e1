"""A load that runs beside something else (a harvest being killed, a worker being killed) until told to stop.

wrk runs for a fixed time, so the background load is a chain of short wrk runs in a
thread; their figures add up.  A gap between two runs is a few milliseconds.
"""

from __future__ import annotations

import threading

from bench.reliability import wrk


class BackgroundLoad:
    def __init__(self, url: str, mix: list[wrk.Request], connections: int, chunk_seconds: float = 5.0) -> None:
        self.url = url
        self.mix = mix
        self.connections = connections
        self.chunk_seconds = chunk_seconds
        self.results: list[wrk.WrkResult] = []
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.results.append(wrk.run(self.url, self.mix, self.chunk_seconds, self.connections))
            except Exception as exc:  # reported by the caller, never swallowed
                self.error = exc
                return

    def __enter__(self) -> BackgroundLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.error is not None:
            raise self.error

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.results)

    @property
    def server_errors(self) -> int:
        return sum(r.server_errors for r in self.results)

    @property
    def socket_errors(self) -> int:
        return sum(r.socket_errors for r in self.results)
