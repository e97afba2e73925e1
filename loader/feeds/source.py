"""A feed's bytes on local disk, whatever its source: a file of the project, a path, a URL.

Remote feeds are fetched into the partner's cache folder (conditionally: an
unchanged file is not downloaded again); compressed files are inflated there,
within the size limit.  Before any reader parses them, the bytes are checked for
the classic failure of partner links: an HTML page (a download page, a login or
error page) served where a data file was expected.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from carrefour.errors import HarvestError
from loader.feeds.decompress import GZIP_MAGIC, decoded, limited
from loader.feeds.fetch import Fetcher
from loader.feeds.spec import FeedSpec

READ_CHUNK = 1 << 20
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class LocalFeed:
    path: Path
    name: str  # what to call the feed in messages: the URL or the path as configured
    content_type: str = ""


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            yield chunk


def inflate_file(path: Path, folder: Path, max_bytes: int, name: str, limit_name: str = "HARVEST_MAX_BYTES") -> Path:
    """The gzip file ``path`` inflated into ``folder``, never more than ``max_bytes``.

    :raises HarvestError: corrupt, or larger than the limit once inflated.
    """
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    target = folder / "inflated.body"
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in limited(decoded(_file_chunks(path), "gzip"), max_bytes, name, limit_name):
                out.write(chunk)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return target


def check_not_html(path: Path, name: str, expected: str, content_type: str = "") -> None:
    """:raises HarvestError: the feed is an HTML page instead of ``expected`` data."""
    with path.open("rb") as handle:
        start = handle.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # the bytes decide: a server may label a good CSV text/html, never the other way round
    if start.startswith(HTML_STARTS) or (content_type in HTML_TYPES and start.startswith(b"<")):
        raise HarvestError(
            f"{name} is an HTML page, not {expected} (the link may lead to a download page, "
            "a login page or an error page): not read"
        )


def local_feed(spec: FeedSpec, fetcher: Fetcher, cache_dir: Path, accept: str = "*/*") -> LocalFeed:
    """The feed's bytes as a local file, fetched and inflated as needed.

    :raises HarvestError: missing file, unreachable partner, too large, corrupt.
    """
    max_bytes = fetcher.settings.max_bytes
    if spec.remote:
        fetched = fetcher.fetch(spec.source, accept=accept)
        feed = LocalFeed(fetched.path, spec.source, fetched.content_type)
    else:
        path = spec.local_path()
        if not path.is_file():
            raise HarvestError(f"feed file {spec.source} not found ({path})")
        size = path.stat().st_size
        if size > max_bytes:
            raise HarvestError(
                f"feed file {spec.source} is {size:,} bytes, more than the limit of {max_bytes:,} (HARVEST_MAX_BYTES)"
            )
        feed = LocalFeed(path, spec.source)
    with feed.path.open("rb") as handle:
        compressed = handle.read(2) == GZIP_MAGIC
    if compressed:
        inflated = inflate_file(feed.path, cache_dir / "inflated", max_bytes, feed.name)
        feed = LocalFeed(inflated, feed.name, "" if feed.content_type.endswith("gzip") else feed.content_type)
    return feed
