"""HTTP caching of what the hub serves: validators from the published version.

Every page is a function of the dataset version, the code that renders it and the
request's representation (format, language, page, query).  So the ``ETag`` is
computed from those before anything is read from the store, and a conditional
request that matches is answered ``304`` at once.  ``Last-Modified`` is the
publication time of the version.  Responses may be cached for a few minutes and are
then revalidated (cheaply, by the same ETag), so a new harvest shows within minutes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache

from flask import Response, request
from werkzeug.http import http_date, is_resource_modified

from carrefour import __version__
from carrefour.store.base import Snapshot

MAX_AGE_SECONDS = 300


def etag_for(snapshot: Snapshot, *parts: object) -> str:
    """A strong validator for one representation of the current version."""
    text = "\x1f".join(str(p) for p in (__version__, snapshot.info.version, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def not_modified(etag: str, last_modified: datetime) -> bool:
    """True when the request's If-None-Match / If-Modified-Since show the client's copy is current."""
    environ = request.environ
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    if not conditional or request.method not in ("GET", "HEAD"):
        return False
    return not is_resource_modified(environ, etag=etag, last_modified=last_modified)


def cacheable(response: Response, etag: str, last_modified: datetime, max_age: int = MAX_AGE_SECONDS) -> Response:
    """Add the validators and the cache policy to ``response`` (written directly: this is every request)."""
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Last-Modified"] = _http_date(last_modified)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


_http_date = lru_cache(maxsize=16)(http_date)  # one publication time per version


def not_modified_response(etag: str, last_modified: datetime, max_age: int = MAX_AGE_SECONDS) -> Response:
    return cacheable(Response(status=304), etag, last_modified, max_age)
