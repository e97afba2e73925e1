"""A Flask handler returning a constant body: the web layer's floor for the publishing benchmarks."""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)
BODY = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'


@app.get("/")
def constant() -> Response:
    return Response(BODY, mimetype="application/sparql-results+json")
