"""``/favicon.ico``: the hub's icon where browsers and feed readers look for it without a page to tell them.

Pages name it too (``<link rel="icon">``), with its vector twin ``/static/favicon.svg``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

blueprint = Blueprint("favicon", __name__)

MAX_AGE_SECONDS = 86400  # like the other static files: it changes with releases


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(
        current_app.static_folder or "static", "favicon.ico", mimetype="image/vnd.microsoft.icon",
        max_age=MAX_AGE_SECONDS,
    )  # fmt: skip
