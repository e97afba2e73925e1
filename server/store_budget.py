"""One time budget per web request for all its queries to a remote store (``STORE_TIMEOUT``).

A page makes several queries; against a slow store each would wait its own timeout,
and a worker's threads would all hang.  With one budget the request gives up once,
with 503 and ``Retry-After``.
"""

from __future__ import annotations

from flask import Flask, g

from carrefour.store.availability import end_budget, start_budget


def register_store_budget(app: Flask, seconds: float) -> None:
    @app.before_request
    def start() -> None:
        g.store_budget = start_budget(seconds)

    @app.teardown_request
    def end(_: BaseException | None) -> None:
        token = g.pop("store_budget", None)
        if token is not None:
            end_budget(token)
