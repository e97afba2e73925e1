"""``/context.jsonld``: the JSON-LD context every description of the hub refers to.

Generated from the hub's prefixes and the published vocabulary, so it changes only
with the vocabulary; its ETag is a digest of its content.
"""

from __future__ import annotations

import hashlib

import orjson
from flask import Blueprint, Response

from server.caching import cacheable, not_modified, not_modified_response
from server.site import get_site

blueprint = Blueprint("context", __name__)

MAX_AGE_SECONDS = 3600


@blueprint.get("/context.jsonld")
def context_document() -> Response:
    site = get_site()
    snapshot = site.store.snapshot()
    body = orjson.dumps(site.context(snapshot).document(), option=orjson.OPT_INDENT_2)
    etag = hashlib.sha256(body).hexdigest()[:32]
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published, MAX_AGE_SECONDS)
    response = Response(body, content_type="application/ld+json")
    return cacheable(response, etag, snapshot.info.published, MAX_AGE_SECONDS)
