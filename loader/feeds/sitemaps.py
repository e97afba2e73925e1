"""Sitemaps and sitemap indexes, read as the untrusted XML they are.

A sitemap is streamed element by element (the tree is dropped as it is read), with
defusedxml's ``iterparse`` and DTDs forbidden, so no entity is ever expanded; it is
fetched under its own size limit, ``HARVEST_MAX_SITEMAP_BYTES`` (the sitemap
protocol caps a sitemap at 50 MB, far below what a data feed may weigh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from carrefour.errors import HarvestError
from loader.feeds.decompress import GZIP_MAGIC
from loader.feeds.fetch import Fetcher
from loader.feeds.source import check_not_html, inflate_file

ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5"
LIMIT = "HARVEST_MAX_SITEMAP_BYTES"
KINDS = ("sitemapindex", "urlset")
ENTRIES = ("sitemap", "url")


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class Sitemap:
    """The ``<loc>`` of a sitemap index (sitemaps) or of a sitemap (pages)."""

    kind: str  # sitemapindex or urlset
    locations: list[str] = field(default_factory=list)


def read_sitemap(path: Path, url: str) -> Sitemap:
    """The locations listed in the (inflated) sitemap at ``path``, fetched from ``url``.

    :raises HarvestError: not well-formed XML, a DOCTYPE or entity declaration, or not a sitemap.
    """
    sitemap: Sitemap | None = None
    try:
        with path.open("rb") as handle:
            for event, element in ElementTree.iterparse(handle, events=("start", "end"), forbid_dtd=True):
                name = _local_name(element.tag)
                if sitemap is None:
                    if name not in KINDS:
                        raise HarvestError(f"{url}: not a sitemap (root element <{name}>)")
                    sitemap, root = Sitemap(name), element
                elif event == "end" and name == "loc" and (element.text or "").strip():
                    sitemap.locations.append((element.text or "").strip())
                elif event == "end" and name in ENTRIES:
                    root.clear()  # the entries read so far are done with: memory stays flat
    except DefusedXmlException as exc:
        raise HarvestError(f"{url}: DOCTYPE and entity declarations are not accepted in a sitemap: not read") from exc
    except ElementTree.ParseError as exc:
        raise HarvestError(f"{url}: not a valid sitemap: {exc}") from exc
    assert sitemap is not None  # a document without a root element is a ParseError
    return sitemap


def fetch_sitemap(fetcher: Fetcher, url: str) -> Sitemap:
    """The sitemap at ``url``, fetched (and inflated when it is a ``.gz`` file) within its size limit.

    :raises HarvestError: it cannot be fetched, is too large, or is not a sitemap.
    """
    limit = fetcher.settings.max_sitemap_bytes
    fetched = fetcher.fetch(url, accept=ACCEPT, max_bytes=limit, limit_name=LIMIT)
    check_not_html(fetched.path, url, "a sitemap", fetched.content_type)
    path = fetched.path
    with path.open("rb") as handle:
        compressed = handle.read(2) == GZIP_MAGIC
    if compressed:
        path = inflate_file(path, fetcher.cache.folder / "sitemaps", limit, url, LIMIT)
    return read_sitemap(path, url)
