"""A polite crawler over a partner's pages: a list of pages, a sitemap, links to follow.

It honours robots.txt (and its Crawl-delay), waits between two requests to the same
host, names the hub in its user agent, sends conditional requests so unchanged
pages are not downloaded twice, stays on the partner's declared hosts (sitemaps
and pages elsewhere are refused and reported), and stops at a page limit: a site
that generates endless links (a calendar, a faceted search) cannot keep the harvest
crawling.  Pages that fail are reported and the crawl goes on;
when no page at all can be read, the partner's harvest fails.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import urldefrag, urljoin

import lxml.html

from carrefour.errors import HarvestError
from loader.feeds.fetch import Fetched, Fetcher, PartnerHttpError
from loader.feeds.items import Problem, Record
from loader.feeds.politeness import Robots
from loader.feeds.resources import resource_records
from loader.feeds.sitemaps import fetch_sitemap
from loader.feeds.spec import FeedSpec
from loader.feeds.structured_data import page_quads

PAGE_MAX_BYTES = 10 * 1024 * 1024
MAX_SITEMAPS = 100
PAGE_ACCEPT = "text/html, application/xhtml+xml, application/ld+json;q=0.9"
GONE = (404, 410)
PAGE_TYPES = ("text/html", "application/xhtml+xml", "application/ld+json", "application/json", "")


def _canonical(url: str) -> str:
    return urldefrag(url)[0]


class Crawl:
    """One crawl of one partner's site."""

    def __init__(self, spec: FeedSpec, fetcher: Fetcher) -> None:
        self.spec = spec
        self.fetcher = fetcher
        self.robots = Robots(fetcher)
        limit = fetcher.settings.max_pages
        self.limit = min(limit, spec.max_pages) if spec.max_pages else limit
        self.page_bytes = min(PAGE_MAX_BYTES, fetcher.settings.max_bytes)
        self.follow = [re.compile(p) for p in spec.follow]
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()

    def enqueue(self, url: str) -> None:
        url = _canonical(url)
        if url not in self.seen and self.fetcher.egress.refusal(url) is None:
            self.seen.add(url)
            self.queue.append(url)

    def sitemap_pages(self, url: str) -> tuple[list[str], list[Problem]]:
        """Page URLs of a sitemap, following sitemap indexes (at most MAX_SITEMAPS sitemaps) on the declared hosts.

        :returns: the pages, and the sitemaps of an index that were refused (not on the partner's declared hosts).
        :raises HarvestError: the sitemap cannot be fetched or is not a sitemap.
        """
        pages: list[str] = []
        refused: list[Problem] = []
        pending, read = deque([url]), 0
        while pending and read < MAX_SITEMAPS:
            current = pending.popleft()
            read += 1
            sitemap = fetch_sitemap(self.fetcher, current)
            if sitemap.kind == "urlset":
                pages += sitemap.locations
                continue
            for location in sitemap.locations:
                reason = self.fetcher.egress.refusal(location)
                if reason is None:
                    pending.append(location)
                else:
                    message = f"the sitemap {location} it lists is refused: {reason}; not fetched"
                    refused.append(Problem(current, message))
        return pages, refused

    def links(self, fetched: Fetched) -> list[str]:
        if not self.follow or fetched.content_type not in ("text/html", "application/xhtml+xml", ""):
            return []
        try:
            tree = lxml.html.fromstring(fetched.path.read_bytes())
        except (ValueError, lxml.etree.ParserError):
            return []
        found = []
        for element in tree.iter("a"):
            href = element.get("href")
            if href:
                target = urljoin(fetched.url, href.strip())
                if any(pattern.search(target) for pattern in self.follow):
                    found.append(target)
        return found

    def run(self) -> Iterator[Record | Problem]:
        starts = list(self.spec.pages)
        if self.spec.source:
            if not self.spec.remote:
                raise HarvestError(f"{self.spec.source}: the sitemap of a web-pages feed is an http(s) URL")
            if not self.robots.allowed(self.spec.source):
                raise HarvestError(f"{self.spec.source}: robots.txt does not let the hub read the sitemap")
            sitemap, refused = self.sitemap_pages(self.spec.source)
            yield from refused
            outside = [(page, reason) for page in sitemap if (reason := self.fetcher.egress.refusal(page))]
            if outside:
                page, reason = outside[0]
                message = f"{len(outside)} page(s) on other hosts ignored (not fetched), e.g. {page}: {reason}"
                yield Problem(self.spec.source, message, skipped=True)
            starts += sitemap
        for page in starts:
            self.enqueue(page)
        read = failed = 0
        first_failure = ""
        while self.queue:
            if read + failed >= self.limit:
                yield Problem(
                    self.queue[0],
                    f"page limit of {self.limit} reached (HARVEST_MAX_PAGES or the feed's max_pages): "
                    f"{len(self.queue)} more page(s) not crawled — a crawler trap (endless links)?",
                )
                break
            url = self.queue.popleft()
            if not self.robots.allowed(url):
                yield Problem(url, "robots.txt does not let the hub read this page: not fetched", skipped=True)
                continue
            try:
                fetched = self.fetcher.fetch(
                    url, accept=PAGE_ACCEPT, delay=self.robots.delay(url), max_bytes=self.page_bytes
                )
            except PartnerHttpError as exc:
                failed += 1
                first_failure = first_failure or str(exc)
                yield Problem(url, str(exc), skipped=exc.status in GONE)  # a page gone for good takes its records
                continue
            except HarvestError as exc:
                failed += 1
                first_failure = first_failure or str(exc)
                yield Problem(url, str(exc))
                continue
            if fetched.content_type not in PAGE_TYPES:
                failed += 1
                yield Problem(url, f"a {fetched.content_type} document, not a web page: not read")
                continue
            read += 1
            yield from self.page_records(url, fetched)
            for link in self.links(fetched):
                self.enqueue(link)
        if read == 0 and failed:
            raise HarvestError(f"no page of the partner's site could be read ({failed} failed), e.g. {first_failure}")

    def page_records(self, url: str, fetched: Fetched) -> Iterator[Record | Problem]:
        quads, problems = page_quads(
            fetched.path, fetched.url, fetched.content_type, fetched.charset, self.spec.syntaxes
        )
        for message in problems:
            yield Problem(url, message)
        for record in resource_records(quads, self.spec.record_types, self.spec.prefixes, origin=url, url=url):
            yield Record({**record.fields, "@page": url}, record.origin, url)


def read_webpages(spec: FeedSpec, fetcher: Fetcher) -> Iterator[Record | Problem]:
    """Records of the structured data of a partner's pages."""
    yield from Crawl(spec, fetcher).run()
