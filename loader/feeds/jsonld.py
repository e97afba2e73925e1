"""JSON-LD to RDF, with remote contexts resolved from local copies, never fetched.

Fetching a context named by a partner document would make the harvest depend on a
third party's server (and let any document make the hub issue requests).  The
contexts partners use are kept in ``data/contexts/``; any other remote context is
refused with a message saying which.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from carrefour import paths
from carrefour.errors import HarvestError

if TYPE_CHECKING:  # pyld is imported when a JSON-LD document is read (0.06 s of every harvest's start, else)
    from pyld import jsonld

CONTEXTS_DIR = paths.DATA_DIR / "contexts"
SCHEMA_ORG = "schema.org.jsonld"
LOCAL_CONTEXTS: dict[str, str] = {
    url: SCHEMA_ORG
    for scheme in ("http", "https")
    for url in (
        f"{scheme}://schema.org",
        f"{scheme}://schema.org/docs/jsonldcontext.json",
        f"{scheme}://schema.org/docs/jsonldcontext.jsonld",
        f"{scheme}://www.schema.org",
    )
}


@cache
def _context_document(file_name: str) -> Any:
    return json.loads((CONTEXTS_DIR / file_name).read_text(encoding="utf-8"))


def _normalise(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def local_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: only the contexts kept in data/contexts/."""
    from pyld import jsonld

    file_name = LOCAL_CONTEXTS.get(_normalise(url))
    if file_name is None:
        raise jsonld.JsonLdError(
            f"remote context {url} is not kept locally (data/contexts/) and is never fetched",
            "jsonld.LoadDocumentError",
            code="loading remote context failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _context_document(file_name),
    }


def _message(exc: jsonld.JsonLdError) -> str:
    """The innermost JSON-LD error says what really failed (e.g. which context)."""
    from pyld import jsonld

    while isinstance(exc.__cause__, jsonld.JsonLdError):
        exc = exc.__cause__
    details = getattr(exc, "details", None) or {}
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    text = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(details, dict) and details.get("url"):
        text += f" ({details['url']})"
    return text


def _term(value: dict[str, Any], blanks: dict[str, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = value["type"]
    if kind == "IRI":
        return ox.NamedNode(value["value"])
    if kind == "blank node":
        return blanks.setdefault(value["value"], ox.BlankNode())
    if value.get("language"):
        return ox.Literal(value["value"], language=value["language"])
    return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))


def jsonld_quads(document: Any, base: str | None = None) -> list[ox.Quad]:
    """The RDF of a JSON-LD document (named graphs flattened into the default one).

    Statements that are not valid RDF (a malformed IRI, language tag…) are left out.

    :raises HarvestError: the document cannot be expanded (e.g. an unknown remote context).
    """
    from pyld import jsonld

    options: dict[str, Any] = {"documentLoader": local_document_loader, "base": base or ""}
    try:
        dataset = jsonld.to_rdf(document, options)
    except jsonld.JsonLdError as exc:
        raise HarvestError(f"JSON-LD cannot be read: {_message(exc)}") from exc
    except (RecursionError, TypeError, ValueError) as exc:
        raise HarvestError(f"JSON-LD cannot be read: {exc}") from exc
    blanks: dict[str, ox.BlankNode] = {}
    quads = []
    for statements in dataset.values():
        for statement in statements:
            try:
                quads.append(
                    ox.Quad(
                        _term(statement["subject"], blanks),  # type: ignore[arg-type]
                        _term(statement["predicate"], blanks),  # type: ignore[arg-type]
                        _term(statement["object"], blanks),
                    )
                )
            except (ValueError, TypeError, KeyError):
                continue
    return quads


def parse_jsonld_file(path: Path, name: str, base: str | None) -> list[ox.Quad]:
    """:raises HarvestError: not JSON, or not readable JSON-LD."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarvestError(f"{name}: not a JSON-LD document: {exc}") from exc
    try:
        return jsonld_quads(document, base)
    except HarvestError as exc:
        raise HarvestError(f"{name}: {exc}") from exc
