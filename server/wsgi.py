"""Run the application under gunicorn (production) or Flask's development server.

Each gunicorn worker builds its own application and opens its own read-only view
of the store; workers are replaced when they die.  ``wsgi:app`` style deployment:
``gunicorn 'server.wsgi:application()'`` reads the same settings from the environment.
The server's settings come from one function, so that the serving benchmark runs
its reference application under exactly the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from carrefour.config import Config


def application() -> Flask:
    """The WSGI application configured from the environment (for external servers)."""
    from server import create_app

    return create_app()


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
