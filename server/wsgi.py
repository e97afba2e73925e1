"""Run the application under gunicorn (production) or Flask's development server.

Each gunicorn worker builds its own application and opens its own read-only view
of the store; workers are replaced when they die.  ``wsgi:app`` style deployment:
``gunicorn 'server.wsgi:application()'`` reads the same settings from the environment.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from carrefour.config import Config


def application() -> Flask:
    """The WSGI application configured from the environment (for external servers)."""
    from server import create_app

    return create_app()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self._settings = dict(config)
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from server import create_app

        return create_app(self._settings)


def _exit_without_finalizing(_arbiter: Any, worker: Any) -> None:
    """End a worker with its exit code, skipping the interpreter's finalization (gunicorn's ``worker_exit``).

    The worker has answered its last request by then.  Finalizing the interpreter
    with pyoxigraph's RocksDB handles and its native threads still alive crashes
    the process (SIGSEGV, or SIGABRT on ``std::system_error``) at every exit, when
    a worker is recycled after ``max_requests`` as when the server stops: a
    supervisor sees crashes where nothing went wrong.
    """
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        app.extensions["carrefour.store"].close()
    ending = sys.exc_info()[1]
    code = ending.code if isinstance(ending, SystemExit) else 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def run(config: Config, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve until interrupted."""
    if dev:
        from server import create_app

        create_app(dict(config)).run(host=host, port=port, threaded=True)
        return
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": max(30, int(float(config["SPARQL_TIMEOUT"]) * 3)),
        "graceful_timeout": 10,
        "accesslog": "-",
        "limit_request_line": 16384,
        "max_requests": 20000,
        "max_requests_jitter": 2000,
        "worker_exit": _exit_without_finalizing,
    }
    _Gunicorn(config, options).run()
