"""The ceiling of the web layer: a Flask app answering every request with one constant body.

It runs under the hub's own server settings (``server.wsgi.gunicorn_options``, the
same function ``carrefour serve`` uses), so that what separates the two in the
serving benchmark is the hub's own work per request:

    python -m bench.bare_app --port 8090 --workers 1 --threads 4
"""

from __future__ import annotations

import argparse

from flask import Flask, Response

from carrefour.config import load_config
from server.wsgi import gunicorn_options, serve_with_gunicorn

# About the size of a described initiative in Turtle.
BODY = b"@prefix schema: <http://schema.org/> .\n" + b'<http://127.0.0.1:8080/x> schema:name "x" .\n' * 50

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def constant(path: str) -> Response:
    return Response(BODY, content_type="text/turtle; charset=utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    options = gunicorn_options(load_config(), args.host, args.port, args.workers, args.threads)
    serve_with_gunicorn(lambda: app, options)


if __name__ == "__main__":
    main()
