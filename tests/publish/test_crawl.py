"""No broken link: a crawl of the bundled hub from its home page, in both languages.

Every internal link of every HTML page (``<a href>``, ``<link href>``, ``<script src>``,
``<img src>``) is followed, but for the links a crawler is asked not to follow
(``rel="nofollow"``: the catalogue's filters, whose combinations are endless); each must
answer 2xx or 3xx, or 410 for a record its partner removed.  HTML pages are crawled in
turn; other documents (RDF, dumps, the style sheet) are only checked.
"""

from __future__ import annotations

import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest
import requests

from tests.publish.conftest import BundledHub

pytestmark = [pytest.mark.live, pytest.mark.timeout(600)]

MAX_PAGES = 20_000  # a guard against a page that links to an endless series of pages
LINKING = {"a": "href", "link": "href", "script": "src", "img": "src"}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        value = dict(attrs).get(LINKING.get(tag, ""))
        if value and "nofollow" not in (dict(attrs).get("rel") or "").split():
            self.found.append(value)


def links_of(html: str, page: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return [urldefrag(urljoin(page, href))[0] for href in parser.found]


def test_no_internal_link_is_broken(bundled_hub: BundledHub) -> None:
    base = bundled_hub.base
    statuses: dict[str, int] = {}
    linked_from: dict[str, str] = {}
    queue = deque([base, base + "?lang=en"])
    pages = 0
    started = time.monotonic()
    with requests.Session() as session:
        while queue:
            url = queue.popleft()
            with session.get(url, allow_redirects=False, timeout=30, stream=True) as response:
                statuses[url] = response.status_code
                if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/html"):
                    continue
                pages += 1
                assert pages <= MAX_PAGES, f"more than {MAX_PAGES} pages: a page links to endless pages? ({url})"
                html = response.text
            for target in links_of(html, url):
                if target.startswith(base) and target not in statuses and target not in linked_from:
                    linked_from[target] = url
                    queue.append(target)
    broken = {url: status for url, status in statuses.items() if not (200 <= status < 400 or status == 410)}
    gone = sorted(url for url, status in statuses.items() if status == 410)
    print(f"\ncrawled {pages} HTML pages, checked {len(statuses)} URLs in {time.monotonic() - started:.0f} s; "
          f"{len(gone)} answer 410 Gone, {len(broken)} broken")  # fmt: skip
    assert not broken, [f"{status} {url} (linked from {linked_from.get(url)})" for url, status in broken.items()][:20]
    assert pages > 1000  # the whole hub was crawled, not only its home page
    removed = set(bundled_hub.removed)
    assert {urldefrag(url.split("?")[0])[0] for url in gone} <= removed  # only removed records are gone
