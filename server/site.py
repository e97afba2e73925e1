"""What the hub's pages share within one application: describer, writers, per-version memories.

Resource pages are kept, per version, in a byte-bounded cache (setting
``PAGE_CACHE_MB``): a page is a function of the version, the code and the
representation asked for, which its ETag already names, so a page kept under its
ETag is the page the request would have made.

``init_app`` attaches it to the application and gives every template the page's
language, the interface words (``t("search")``, ``counted(3, "actor")``), numbers and
dates written in that language (``num``, ``when``) and the hub's base URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest

from carrefour.artifacts.facets import read_facets
from carrefour.artifacts.search import MARK_END, MARK_START
from carrefour.store.base import Snapshot, Store
from carrefour.vocab import Hub
from server.describe import Describer
from server.display import byte_size, number, when
from server.i18n import LANGUAGES, choose_language, counted, noun, tally, translate, with_language
from server.jsonld import Compactor, Context, build_context
from server.memo import VersionCache, VersionMemo
from server.page_model import Value
from server.rdf_output import RdfWriter
from server.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    link: str  # the Link header: alternates, and the list's pages
    status: int = 200  # 410 for a removed record


class Site:
    def __init__(self, hub: Hub, store: Store, page_size: int, page_cache_bytes: int = 0) -> None:
        self.hub = hub
        self.store = store
        self.page_size = page_size
        self.describer = Describer(hub, page_size)
        self.writer = RdfWriter(hub)
        self.memo = VersionMemo()
        self.pages: VersionCache[str, CachedPage] = VersionCache(
            page_cache_bytes, lambda etag, page: len(etag) + len(page.body) + len(page.link)
        )

    def vocabulary(self, snapshot: Snapshot) -> Vocabulary:
        return self.memo.get(snapshot.info.state, "vocabulary", lambda: load_vocabulary(snapshot, self.hub))

    def context(self, snapshot: Snapshot) -> Context:
        return self.memo.get(snapshot.info.state, "context", lambda: build_context(self.hub, self.vocabulary(snapshot)))

    def compactor(self, snapshot: Snapshot) -> Compactor:
        return self.memo.get(snapshot.info.state, "compactor", lambda: Compactor(self.context(snapshot)))

    def facets(self, snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
        """The facet counts of the version (empty when it was published without them)."""
        return self.memo.get(snapshot.info.state, "facets", lambda: read_facets(snapshot) or {})


def get_site() -> Site:
    return current_app.extensions["carrefour.site"]  # type: ignore[no-any-return]


def page_number() -> int:
    """The ``page`` query parameter (1 when absent).

    :raises BadRequest: not a whole number from 1 (400).
    """
    raw = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        raise BadRequest(f"page must be a whole number from 1, not {raw!r}")
    return int(raw)


def marked(text: str) -> Markup:
    """Escaped text with the search index's match markers turned into ``<mark>``."""
    return escape(text).replace(MARK_START, Markup("<mark>")).replace(MARK_END, Markup("</mark>"))


def value_html(value: Value) -> Markup:
    """A value as HTML: a link, or text in its language, then its language in small.

    Every piece of text goes through ``escape``: partner text stays text.  A Python
    filter rather than a template macro: a page shows dozens of values.
    """
    text = escape(value.text)
    if value.href:
        html = f'<a href="{escape(value.href)}">{text}</a>'
    elif value.lang:
        html = f'<span lang="{escape(value.lang)}">{text}</span>'
    else:
        html = f"<span>{text}</span>"
    if value.note:
        html += f' <small class="note">{escape(value.note)}</small>'
    return Markup(html)  # noqa: S704 - built from escaped parts only


def init_app(app: Flask) -> None:
    hub: Hub = app.extensions["carrefour.hub"]
    config = app.config["CARREFOUR"]
    cache_bytes = int(float(config["PAGE_CACHE_MB"]) * 1024 * 1024)
    store = app.extensions["carrefour.store"]
    app.extensions["carrefour.site"] = Site(hub, store, int(config["PAGE_SIZE"]), cache_bytes)

    app.add_template_filter(marked, "marked")
    app.add_template_filter(value_html, "value")

    @app.context_processor
    def page_words() -> dict[str, Any]:
        lang = choose_language(request)
        other = next(code for code in LANGUAGES if code != lang)
        params = {k: v for k, v in request.args.items() if k != "lang"}
        return {
            "lang": lang,
            "t": lambda key: translate(lang, key),
            "counted": lambda count, key: counted(lang, count, key),
            "noun": lambda count, key: noun(lang, count, key),
            "tally": lambda kinds: tally(lang, kinds),
            "num": lambda value: number(value, lang),
            "when": lambda text: when(text, lang),
            "size": lambda size: byte_size(size, lang),
            "base": hub.base,
            "other_lang": other,
            "other_lang_url": with_language(request.script_root + request.path, other, **params),
            "in_lang": lambda url, **query: with_language(hub.page_of(url), lang, **query),
        }
