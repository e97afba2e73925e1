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
from server.i18n import choose_language, error_words

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _error_media_type(plain_first: bool) -> str:
    offered = ["text/html", "application/json", "text/plain"]
    if plain_first:
        offered = ["text/plain", "text/html", "application/json"]
    return request.accept_mimetypes.best_match(offered, "text/plain") or "text/plain"


def error_response(
    status: int, message: str, plain_first: bool = False, shape: str | None = None, generic: bool = False
) -> Response:
    """Render ``message`` with ``status`` in the negotiated error shape (or in ``shape``, a media type).

    People get a page in their language (``?lang=``) saying what happened and what to do;
    the technical message follows it, in English as scripts get it, marked as such.

    :param plain_first: machine endpoints (SPARQL) answer ``*/*`` with plain text, which a
        script or a query editor shows as it is; HTML and JSON only when asked for.
    :param shape: force the shape, e.g. plain text for a suffixed RDF document (``x.ttl``).
    :param generic: ``message`` says nothing the page's own words do not (werkzeug's stock text): pages leave it out.
    """
    media_type = shape or _error_media_type(plain_first)
    if media_type == "application/json":
        response = jsonify({"ok": False, "status": status, "error": message})
    elif media_type == "text/html":
        lang = choose_language(request)
        words = error_words(lang, status)
        detail = None if generic else message
        page = render_template("error.html", status=status, title=words[0], explanation=words[1], message=detail)
        response = Response(page, mimetype="text/html")
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def hub_error(error: CarrefourError, plain_first: bool = False) -> Response:
    """The hub's own errors: their message is safe to show."""
    if isinstance(error, StoreError):
        log.warning("store unavailable: %s", error)
    return error_response(error.status, str(error), plain_first=plain_first)


def http_error(error: HTTPException, plain_first: bool = False) -> Response:
    """werkzeug's errors (404, 405, 413, 415…), in the same shapes."""
    generic = error.description is None or error.description == type(error).description
    response = error_response(error.code or 500, error.description or error.name, plain_first, generic=generic)
    for name, value in error.get_headers():  # Allow (405), Content-Range (416), WWW-Authenticate…
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CarrefourError, hub_error)
    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal error: the hub could not answer this request")
