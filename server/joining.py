"""Joining the commons: the public validator (``/validate``) and the "rejoindre le Carrefour" page (``/rejoindre``).

``POST /validate`` answers what the hub would make of a submission, publishing nothing:
a file (the body, or a form upload) or a feed URL (fetched under the harvester's egress
rules), read through an existing partner's mapping (``partner=``) or, without one, as
RDF in the hub's vocabulary; capped at ``MAX_REQUEST_BYTES``.  The answer is the SHACL
report, record by record, in French and English (JSON, or the page for browsers), or
the mapped records themselves (Turtle, JSON-LD, N-Triples, RDF/XML when asked for).
``400`` an unreadable submission, ``404`` an unknown partner, ``413`` too large, ``415``
an unreadable type, ``422`` a URL that cannot be fetched.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from carrefour import formats
from carrefour.config import Config
from carrefour.errors import NotFound
from server.negotiation import HTML, RDF_OFFERS, best_match
from server.record_validator import record_validator
from server.site import get_site

blueprint = Blueprint("joining", __name__)

JSON = "application/json"


def _config() -> Config:
    return current_app.config["CARREFOUR"]  # type: ignore[no-any-return]


def _partners() -> dict[str, Any]:
    from loader.partners import load_partners, partners_dir

    return {spec.id: spec for spec in load_partners(partners_dir(str(_config()["PARTNERS_DIR"])))}


def _media_types() -> list[str]:
    from loader.push import MEDIA_FORMATS

    return list(MEDIA_FORMATS)


@blueprint.get("/rejoindre")
def join() -> str:
    """What the charter asks, the formats the hub reads, the validator, how a partner's configuration is proposed."""
    return render_template("join.html", media_types=_media_types(), partners=sorted(_partners()))


@blueprint.get("/validate")
def validator_page() -> str:
    return render_template("validate.html", media_types=_media_types(), partners=sorted(_partners()), result=None)


def _submission() -> tuple[bytes, str, str | None, str]:
    """(body, media type, partner id, what was submitted) from a form or a raw body."""
    from loader.push import PushRefused
    from loader.submission import fetch_submission

    values = request.form if request.form or request.files else request.args
    partner = values.get("partner") or None
    url = (values.get("url") or "").strip()
    upload = request.files.get("file")
    if url:
        body, media_type = fetch_submission(url, _config())
        return body, values.get("format") or media_type, partner, url
    if upload is not None and upload.filename:
        return upload.read(), values.get("format") or upload.mimetype, partner, upload.filename
    if request.form or request.files:
        raise PushRefused("give a feed URL or a file")
    return request.get_data(), request.headers.get("Content-Type", ""), partner, "body"


def _answer_kind() -> str:
    offered = [JSON, HTML, *(f.media_type for f in RDF_OFFERS)]
    if not request.accept_mimetypes:
        return JSON
    return best_match(request.accept_mimetypes, offered) or JSON


@blueprint.post("/validate")
def validate() -> Response:
    """Check a submission: the report, or the mapped records, as asked; nothing is published."""
    from loader.push import PushRefused, outcomes_json
    from loader.submission import check_submission

    site = get_site()
    kind = _answer_kind()
    try:
        body, media_type, partner, submitted = _submission()
        spec = None
        if partner is not None:
            spec = _partners().get(partner)
            if spec is None:
                raise NotFound(f"no partner {partner!r}: its mapping cannot be used")
        validator = record_validator(site.hub.base, site.hub.vocabulary)
        checked = check_submission(site.hub, validator, _config(), body, media_type, spec, site.store.snapshot())
    except PushRefused as exc:
        return _refused(exc.status, str(exc), kind)
    triples = [t for group in checked.records.values() for t in group]
    if kind in (JSON, HTML):
        outcomes = outcomes_json([*checked.outcomes.values(), *checked.others])
        result = {"ok": True, "submitted": submitted, "conforms": checked.report.conforms,
                  "records": len(checked.records), "rejected": len(checked.report.rejected_records()),
                  "outcomes": outcomes,
                  "turtle": site.writer.write(triples, formats.by_name("ttl"), _main(triples),  # type: ignore[arg-type]
                                              site.compactor(site.store.snapshot())).decode()}  # fmt: skip
        if kind == HTML:
            return Response(render_template("validate.html", media_types=_media_types(), partners=sorted(_partners()),
                                            result=result), content_type="text/html; charset=utf-8")  # fmt: skip
        return jsonify(result)
    info = formats.from_media_type(kind)
    assert info is not None
    body = site.writer.write(triples, info, _main(triples), site.compactor(site.store.snapshot()))
    return Response(body, content_type=info.media_type)


def _main(triples: list[Any]) -> Any:
    import pyoxigraph as ox

    return triples[0].subject if triples else ox.NamedNode(get_site().hub.base)


def _refused(status: int, message: str, kind: str) -> Response:
    if kind == HTML:
        page = render_template("validate.html", media_types=_media_types(), partners=sorted(_partners()),
                               result={"ok": False, "error": message})  # fmt: skip
        return Response(page, status=status, content_type="text/html; charset=utf-8")
    response = jsonify({"ok": False, "status": status, "error": message})
    response.status_code = status
    return response
