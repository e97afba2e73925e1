"""CORS on every response, errors included, so partner web sites can use the hub from the browser.

Everything the hub serves is public and read-only and no request carries
credentials, so any origin may read any response (``*``), including the error
bodies and the headers that say a SPARQL answer was capped.  Preflight requests
(``OPTIONS`` with ``Access-Control-Request-Method``) are answered by Flask's
automatic OPTIONS responses, to which this adds the preflight headers.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
ALLOWED_HEADERS = "Accept, Accept-Language, Content-Type, If-Match, If-None-Match, If-Modified-Since, If-Range, Range"
EXPOSED_HEADERS = ", ".join(
    (
        "Content-Disposition",
        "Content-Language",
        "Content-Length",
        "Content-Location",
        "Content-Range",
        "Accept-Ranges",
        "ETag",
        "Last-Modified",
        "Link",
        "Location",
        "Retry-After",
        "Vary",
        "X-Cache",
        "X-SPARQL-Result-Cap",
        "X-SPARQL-Result-Capped",
        "X-SPARQL-Result-Count",
        "X-SPARQL-Result-Max-Bytes",
    )
)
PREFLIGHT_MAX_AGE = 86400


def add_cors_headers(response: Response) -> Response:
    """Let any origin read ``response``; answer a preflight's questions."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        # Echo what the page asks for: nothing here depends on a request header being absent.
        headers["Access-Control-Allow-Headers"] = request.headers.get("Access-Control-Request-Headers", ALLOWED_HEADERS)
        headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def register_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
