"""One handler renders every error, in the shape the client asked for.

Browsers get an HTML page, JSON clients ``{"ok": false, "status": …, "error": …}``,
RDF and SPARQL clients plain text.  Messages of the hub's own errors are safe to show;
unexpected exceptions are logged with their traceback and answered with a generic 500.
A store that is down or busy answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from carrefour.errors import CarrefourError, StoreError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _wants(media_type: str) -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"], "text/plain")
    return best == media_type


def error_response(status: int, message: str, title: str | None = None, shape: str | None = None) -> Response:
    """Render ``message`` with ``status`` in the negotiated error shape (or in ``shape``, a media type)."""
    title = title or {400: "Bad request", 403: "Forbidden", 404: "Not found", 406: "Not acceptable"}.get(
        status, "Error"
    )
    if shape == "application/json" or (shape is None and _wants("application/json")):
        response = jsonify({"ok": False, "status": status, "error": message})
    elif shape == "text/html" or (shape is None and _wants("text/html")):
        response = Response(
            render_template("error.html", status=status, title=title, message=message), mimetype="text/html"
        )
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CarrefourError)
    def hub_error(error: CarrefourError) -> Response:
        if isinstance(error, StoreError):
            log.warning("store unavailable: %s", error)
        return error_response(error.status, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, error.description or error.name, error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal error: the hub could not answer this request", "Internal error")
