"""robots.txt: what a partner site lets crawlers read, and how slowly.

Read once per host and harvest.  A missing robots.txt (HTTP 4xx) allows
everything, as the robots exclusion standard says; a site that cannot say (5xx,
unreachable) is not crawled at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from protego import Protego

from carrefour.errors import HarvestError
from loader.feeds.fetch import Fetcher, PartnerHttpError

ROBOTS_MAX_BYTES = 512 * 1024


class Robots:
    """The robots.txt rules of each host met during one crawl."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.rules: dict[str, Protego | None] = {}

    def _rules(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}".lower()
        if host not in self.rules:
            robots_url = host + "/robots.txt"
            try:
                fetched = self.fetcher.fetch(robots_url, accept="text/plain", max_bytes=ROBOTS_MAX_BYTES)
            except PartnerHttpError as exc:
                if exc.status >= 500:
                    raise HarvestError(f"{robots_url} answered HTTP {exc.status}: the site is not crawled") from exc
                self.rules[host] = None  # no robots.txt: everything is allowed
            except HarvestError as exc:
                raise HarvestError(f"robots.txt cannot be read, the site is not crawled: {exc}") from exc
            else:
                text = fetched.path.read_bytes().decode("utf-8", "replace")
                self.rules[host] = Protego.parse(text)
        return self.rules[host]

    def allowed(self, url: str) -> bool:
        rules = self._rules(url)
        return rules is None or rules.can_fetch(url, self.fetcher.settings.user_agent)

    def delay(self, url: str) -> float | None:
        """The site's Crawl-delay for us, if it sets one (the hub's own delay still applies)."""
        rules = self._rules(url)
        return rules.crawl_delay(self.fetcher.settings.user_agent) if rules is not None else None
