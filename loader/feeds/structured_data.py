"""The structured data of a web page: schema.org JSON-LD, microdata and RDFa, as RDF.

extruct finds the data in the page; JSON-LD and microdata then go through the same
JSON-LD processing, with contexts from local copies only, so every syntax gives
the same statements for the same facts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import extruct
import pyoxigraph as ox
from extruct.utils import parse_xmldom_html

from carrefour.errors import HarvestError
from loader.feeds.jsonld import jsonld_quads

JSONLD_TYPES = ("application/ld+json", "application/json")


def page_documents(
    body: bytes, url: str, content_type: str, charset: str | None, syntaxes: tuple[str, ...]
) -> tuple[list[Any], list[str]]:
    """JSON-LD documents found in the page, and what could not be read (one message per syntax)."""
    if content_type in JSONLD_TYPES:
        try:
            return [json.loads(body.decode(charset or "utf-8-sig"))], []
        except (LookupError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [], [f"invalid JSON-LD document: {exc}"]
    try:
        tree = parse_xmldom_html(body, encoding=charset)
    except (LookupError, ValueError, TypeError) as exc:  # an unknown charset, a document lxml cannot parse
        return [], [f"the page cannot be parsed as HTML: {exc}"]
    documents: list[Any] = []
    problems = []
    for syntax in syntaxes:
        try:
            found = extruct.extract(tree, base_url=url, syntaxes=[syntax], uniform=True, errors="strict")
        except Exception as exc:  # extruct raises whatever its parsers raise; one syntax fails alone
            problems.append(f"{syntax} cannot be read: {str(exc)[:200] or type(exc).__name__}")
            continue
        items = [item for item in found.get(syntax, []) if item]
        if syntax == "rdfa" and items:
            documents.append(items)  # one graph: its nodes share blank-node labels
        else:
            documents += items  # each JSON-LD script or microdata item stands alone
    return documents, problems


def page_quads(
    path: Path, url: str, content_type: str, charset: str | None, syntaxes: tuple[str, ...]
) -> tuple[list[ox.Quad], list[str]]:
    """All statements the page makes, and the problems met reading it."""
    documents, problems = page_documents(path.read_bytes(), url, content_type, charset, syntaxes)
    quads: list[ox.Quad] = []
    for document in documents:
        try:
            quads += jsonld_quads(document, base=url)
        except HarvestError as exc:
            problems.append(str(exc))
    return quads, problems
