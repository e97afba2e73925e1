"""Run the application under gunicorn (production) or Flask's development server.

Each gunicorn worker builds its own application and opens its own read-only view
of the store; workers are replaced when they die.  ``wsgi:app`` style deployment:
``gunicorn 'server.wsgi:application()'`` reads the same settings from the environment.
"""

from __future__ import annotations

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
    }
    _Gunicorn(config, options).run()
