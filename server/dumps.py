"""``/dumps/``: the published version's bulk dumps, listed and served from disk.

Files are only served when the version's manifest lists them, so no request path
can reach another file.  werkzeug's ``send_file`` streams them (the server's
``sendfile`` when it has one) with ``Content-Length``, ``Last-Modified``, the
SHA-256 as a strong ``ETag``, ``Range`` requests (206, 416) and 304 answers.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from carrefour.artifacts.dumps import (
    GZIP_MEDIA_TYPE,
    MANIFEST,
    OPEN_QUADS,
    DumpFile,
    dumps_folder,
    manifest_files,
    read_manifest,
)
from carrefour.errors import NotAcceptable, NotFound
from carrefour.store.base import Snapshot
from carrefour.vocab import Hub
from server.dataset_facts import current_facts, licence_name, rights_texts
from server.dump_titles import dump_title
from server.i18n import choose_language
from server.negotiation import HTML

blueprint = Blueprint("dumps", __name__)

JSON = "application/json"
MAX_AGE_SECONDS = 300  # the names stay, the content changes with each publication: revalidate soon


def _manifest(snapshot: Snapshot) -> dict[str, Any]:
    manifest = read_manifest(snapshot)
    if manifest is None:
        raise NotFound(
            f"the dumps of version {snapshot.info.version} are not on this server: they are written where "
            "the version was published (share its ARTIFACTS_DIR with this server), and `carrefour dump --out DIR` "
            "writes them anywhere"
        )
    return manifest


def _listing_json(manifest: dict[str, Any], hub: Hub) -> dict[str, Any]:
    files = [{**entry, "url": hub.iri("dumps", entry["file"])} for entry in manifest["files"]]
    return {**manifest, "files": files, "manifest": hub.iri("dumps", MANIFEST)}


def _listing_html(snapshot: Snapshot, hub: Hub, manifest: dict[str, Any]) -> str:
    """The dumps for people, in their language: what each holds, under which licences, and which are open."""
    lang = choose_language(request)
    facts = current_facts(snapshot)
    files = list(manifest_files(manifest))
    return render_template(
        "dumps.html",
        manifest=manifest,
        files=files,
        open_dumps=[dump for dump in files if dump.file == OPEN_QUADS],
        rights=rights_texts(facts)[lang],
        title=lambda dump: dump_title(dump, lang, hub, facts.partner_names),
        licence_name=lambda iri: licence_name(iri, lang),
        partner_csv=sorted(facts.partner_names.items(), key=lambda item: item[1].casefold()),
    )


@blueprint.get("/dumps/")
def listing() -> Response:
    """The dumps of the published version: an HTML table, or the manifest as JSON."""
    snapshot = current_app.extensions["carrefour.store"].snapshot()
    hub: Hub = current_app.extensions["carrefour.hub"]
    manifest = _manifest(snapshot)
    wanted = request.args.get("format")
    if wanted is None:
        offered = [JSON, HTML]  # HTML when asked for more than JSON: scripts rarely send Accept
        best = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else JSON
        if best is None:
            raise NotAcceptable(f"the dumps are listed as {JSON} or {HTML}")
        wanted = "json" if best == JSON else "html"
    if wanted == "json":
        response = jsonify(_listing_json(manifest, hub))
    elif wanted == "html":
        response = Response(_listing_html(snapshot, hub, manifest), mimetype=HTML)
    else:
        raise NotAcceptable(f"unknown format {wanted!r}; available: json, html")
    response.headers["Vary"] = "Accept"
    shown_in = f"-{choose_language(request)}" if wanted == "html" else ""
    response.set_etag(f"dumps-{manifest['version']}-{wanted}{shown_in}")
    return response.make_conditional(request)


def _repr_digest(entry: DumpFile) -> str:
    """RFC 9530 ``Repr-Digest``: the SHA-256 of the whole file, whatever range is sent."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(entry.sha256)).decode('ascii')}:"


@blueprint.get("/dumps/<path:name>")
def download(name: str) -> Response:
    """One dump file (or the manifest), streamed from disk with Range and conditional requests."""
    snapshot = current_app.extensions["carrefour.store"].snapshot()
    hub: Hub = current_app.extensions["carrefour.hub"]
    manifest = _manifest(snapshot)
    entries = {entry.file: entry for entry in manifest_files(manifest)}
    folder = dumps_folder(snapshot)
    if folder is None or (name not in entries and name != MANIFEST):
        raise NotFound(f"no dump named {name!r}: the list is at {hub.iri('dumps')}/")
    entry = entries.get(name)
    if request.range is not None and len(request.range.ranges) > 1:
        # One range per request (werkzeug serves no multipart/byteranges): the whole file, as RFC 9110 allows.
        request.environ.pop("HTTP_RANGE", None)
    response = send_file(
        folder / name,
        mimetype=GZIP_MEDIA_TYPE if entry is not None else JSON,
        as_attachment=entry is not None,
        download_name=name,
        conditional=True,
        etag=entry.sha256 if entry is not None else f"manifest-{manifest['version']}",
        max_age=MAX_AGE_SECONDS,
    )
    if entry is not None:
        response.headers["Repr-Digest"] = _repr_digest(entry)
    return response
