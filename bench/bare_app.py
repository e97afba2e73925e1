"""The ceiling of the web layer: a Flask app answering every path with the same Turtle body.

Served by ``bench/http_resources.py`` under the same gunicorn settings as the hub.
"""

from __future__ import annotations

from flask import Flask, Response

BODY = b"@prefix schema: <http://schema.org/> .\n" + b'<http://127.0.0.1:8080/x> schema:name "x" .\n' * 60

app = Flask(__name__)


@app.get("/<path:path>")
def constant(path: str) -> Response:
    return Response(BODY, content_type="text/turtle; charset=utf-8")
