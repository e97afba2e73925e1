"""``/partners/{id}/records``: partners without a feed push their records, and get each record's report.

``POST`` a batch (the partner's feed shape), ``PUT …/records/{key}`` one record,
``DELETE …/records/{key}``; JSON, JSON-LD, CSV or Turtle (``Content-Type``), read
through the partner's own mapping (loader.push).  ``Authorization: Bearer TOKEN``
(``carrefour partners token ID``).  Answers, in JSON, what became of each record with
its SHACL findings in French and English: ``201`` when something was published (a new
version: history, event streams), ``200`` when nothing changed, ``422`` when every
record was rejected; ``401`` without the partner's token, ``404`` an unknown partner
(or key to delete), ``413`` past ``MAX_REQUEST_BYTES``, ``415`` an unreadable type,
``429`` past ``PUSH_PER_MINUTE``, ``503`` while another write session runs.  A push's
version carries the previous artifacts; search, maps, counts and dumps follow when this
process rebuilds them, ``PUSH_REFRESH_SECONDS`` after the last push (server.artifact_refresh).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from carrefour.config import Config
from carrefour.errors import NotFound, StoreBusy
from server.artifact_refresh import Refresher
from server.record_validator import record_validator
from server.site import get_site

blueprint = Blueprint("push", __name__)

_recent: dict[str, deque[float]] = {}
_recent_lock = threading.Lock()
_write_lock = threading.Lock()  # one write session per worker at a time: others wait rather than fail
BUSY_WAIT_SECONDS = 10.0


def init_app(app: Flask) -> None:
    """Register the routes and this process's refresher; rebuild artifacts a stopped process left carried."""
    app.register_blueprint(blueprint)
    config = app.config["CARREFOUR"]
    site = app.extensions["carrefour.store"], app.extensions["carrefour.hub"]
    refresher = Refresher(*site, _write_lock, float(config["PUSH_REFRESH_SECONDS"]))
    app.extensions["carrefour.refresher"] = refresher
    refresher.schedule_if_stale()


def _config() -> Config:
    return current_app.config["CARREFOUR"]  # type: ignore[no-any-return]


def _error(status: int, message: str, **headers: str) -> Response:
    response = jsonify({"ok": False, "status": status, "error": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def _allowed(partner_id: str) -> bool:
    """A sliding minute per partner and worker."""
    limit, now = int(_config()["PUSH_PER_MINUTE"]), time.monotonic()
    with _recent_lock:
        recent = _recent.setdefault(partner_id, deque())
        while recent and now - recent[0] > 60:
            recent.popleft()
        if len(recent) >= limit:
            return False
        recent.append(now)
        return True


def _gate(partner_id: str) -> tuple[object, Response | None]:
    """The partner's spec, or the answer that refuses the request."""
    from loader.partners import load_partners, partners_dir
    from loader.push_tokens import token_matches

    config = _config()
    directory = partners_dir(str(config["PARTNERS_DIR"]))
    if partner_id not in {path.stem for path in directory.glob("*.toml")}:
        raise NotFound(f"no partner {partner_id!r}")
    [spec] = load_partners(directory, only=[partner_id])  # only this one's file is read (17 cost a push 50 ms)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_matches(config.store_path, partner_id, token.strip()):
        return None, _error(401, "this partner's push token is needed (Authorization: Bearer …)",
                            **{"WWW-Authenticate": 'Bearer realm="carrefour"'})  # fmt: skip
    if not _allowed(partner_id):
        return None, _error(429, "too many pushes: wait a minute", **{"Retry-After": "60"})
    return spec, None


def _answer(published: object) -> Response:
    from loader.push import outcomes_json

    outcomes = published.outcomes  # type: ignore[attr-defined]
    statuses = {o.status for o in outcomes}
    if statuses & {"created", "updated", "removed"}:
        status = 201
    elif statuses and statuses <= {"rejected", "excluded", "refused", "unreadable"}:
        status = 422
    elif "not-found" in statuses:
        status = 404
    else:
        status = 200
    body = {"ok": status < 400, "status": status, "version": published.version, "records": outcomes_json(outcomes)}  # type: ignore[attr-defined]
    response = jsonify(body)
    response.status_code = status
    return response


def _write(partner_id: str, key: str | None, delete: bool = False) -> Response:
    from loader.push import PushRefused, delete_pushed, feed_format, publish_push

    spec, refusal = _gate(partner_id)
    if refusal is not None:
        return refusal
    site, config = get_site(), _config()
    body, media_type = request.get_data(), request.headers.get("Content-Type", "")

    def write() -> object:
        if delete:
            return delete_pushed(site.store, site.hub, spec, config, key or "")  # type: ignore[arg-type]
        validator = record_validator(site.hub.base, site.hub.vocabulary)
        return publish_push(site.store, site.hub, spec, config, validator, body, media_type, key)  # type: ignore[arg-type]

    try:
        if not delete:
            feed_format(media_type)  # a type the hub does not read is refused before any session
        published = _when_free(write)
    except PushRefused as exc:
        return _error(exc.status, str(exc))
    except StoreBusy:
        return _error(503, "another harvest or push is being published: try again in a few seconds",
                      **{"Retry-After": "5"})  # fmt: skip
    if published.version is not None:  # type: ignore[attr-defined]
        current_app.extensions["carrefour.refresher"].schedule()
    return _answer(published)


def _when_free(write: Callable[[], object]) -> object:
    """``write()`` in the store's write session, waiting up to ``BUSY_WAIT_SECONDS`` for another to end.

    Another worker's push or refresh holds the session for a moment: the push waits rather than fail.
    :raises StoreBusy: still busy after that (a harvest).
    """
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    while True:
        try:
            with _write_lock:
                return write()
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


@blueprint.post("/partners/<partner_id>/records")
def push_batch(partner_id: str) -> Response:
    """A batch of records, in the shape of the partner's feed."""
    return _write(partner_id, None)


@blueprint.put("/partners/<partner_id>/records/<path:key>")
def push_one(partner_id: str, key: str) -> Response:
    """The record with ``key``, alone."""
    return _write(partner_id, key)


@blueprint.delete("/partners/<partner_id>/records/<path:key>")
def remove_one(partner_id: str, key: str) -> Response:
    """Remove the record with ``key``."""
    return _write(partner_id, key, delete=True)
