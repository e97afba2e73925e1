"""Run the application under gunicorn (production) or Flask's development server.

Each gunicorn worker builds its own application and opens its own read-only view
of the store; workers are replaced when they die.  ``wsgi:app`` style deployment:
``gunicorn 'server.wsgi:application()'`` reads the same settings from the environment.
The server's settings come from one function, so that the serving benchmark runs
its reference application under exactly the same ones.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from carrefour.config import Config


def application() -> Flask:
    """The WSGI application configured from the environment (for external servers)."""
    from server import create_app

    return create_app()


def _exit_without_finalizing(_arbiter: Any, worker: Any) -> None:
    """End a worker with its exit code, skipping the interpreter's finalization (gunicorn's ``worker_exit``).

    The worker has answered its last request by then.  Finalizing the interpreter
    with pyoxigraph's RocksDB handles and its native threads still alive crashes
    the process (SIGSEGV, or SIGABRT on ``std::system_error``) at every exit, when
    a worker is recycled after ``max_requests`` as when the server stops: a
    supervisor sees crashes where nothing went wrong.
    """
    app = getattr(worker, "wsgi", None)
    store = app.extensions.get("carrefour.store") if isinstance(app, Flask) else None
    if store is not None:  # the hub's application (a benchmark's reference application has none)
        store.close()
    ending = sys.exc_info()[1]
    code = ending.code if isinstance(ending, SystemExit) else 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def gunicorn_options(config: Config, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """What ``carrefour serve`` tells gunicorn."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": max(30, int(float(config["SPARQL_TIMEOUT"]) * 3)),
        "graceful_timeout": 10,
        "accesslog": "-",
        "limit_request_line": 16384,
        # A worker is replaced now and then (a guard against slow leaks), not every few seconds
        # of load: its memories of the published version (labels, the SPARQL answers) go with it.
        "max_requests": 200000,
        "max_requests_jitter": 20000,
        # gunicorn's control socket (25.1+) has one default path per user: two servers on a machine would share it
        "control_socket_disable": True,
        "worker_exit": _exit_without_finalizing,
    }


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, load: Callable[[], Any], options: dict[str, Any]) -> None:
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def serve_with_gunicorn(load: Callable[[], Any], options: dict[str, Any]) -> None:
    """Serve the WSGI application ``load()`` builds (in each worker) until interrupted."""
    _Gunicorn(load, options).run()


def run(config: Config, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve until interrupted."""
    from server import create_app

    if dev:
        create_app(dict(config)).run(host=host, port=port, threaded=True)
        return
    settings = dict(config)
    serve_with_gunicorn(lambda: create_app(settings), gunicorn_options(config, host, port, workers, threads))
