"""Fetching partner data over HTTP(S): polite, bounded, confined, and never twice when unchanged.

Every request names the hub (user agent), waits its turn per host (delay), gives
up after a deadline (a slow partner cannot stall the harvest), stops at the size
limit while streaming and after decompression, and sends the ``ETag`` /
``Last-Modified`` it saw last time, so an unchanged file or page is answered
``304 Not Modified`` and read from the cache folder instead.  Every request and
every redirect hop stays within the partner's egress rules (``loader.feeds.egress``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import HTTPError as TransferError
from urllib3.exceptions import ReadTimeoutError

from carrefour.errors import HarvestError
from loader.feeds.connections import checked_session
from loader.feeds.decompress import decoded, limited
from loader.feeds.egress import EgressPolicy, EgressRefused
from loader.feeds.settings import FetchSettings

CHUNK = 64 * 1024
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Fetched:
    """A fetched document, stored in the cache folder."""

    url: str  # after redirects
    path: Path
    content_type: str  # media type without parameters, lower case ("" when not given)
    charset: str | None
    not_modified: bool  # True when the server answered 304 and the cached copy was used


class PartnerHttpError(HarvestError):
    """The partner answered with an HTTP error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Throttle:
    """At most one request per ``delay`` seconds to each host."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.last: dict[str, float] = {}

    def wait(self, url: str, delay: float | None = None) -> None:
        host = urlsplit(url).netloc.lower()
        pause = self.delay if delay is None else max(self.delay, delay)
        previous = self.last.get(host)
        if previous is not None:
            remaining = previous + pause - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        self.last[host] = time.monotonic()


class HttpCache:
    """Bodies and validators (ETag, Last-Modified) of what was fetched, one pair of files per URL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _stem(self, url: str) -> Path:
        return self.folder / hashlib.sha256(url.encode()).hexdigest()[:32]

    def body(self, url: str) -> Path:
        return self._stem(url).with_suffix(".body")

    def meta(self, url: str) -> dict[str, str]:
        path = self._stem(url).with_suffix(".json")
        if not path.exists() or not self.body(url).exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def validators(self, url: str) -> dict[str, str]:
        meta = self.meta(url)
        headers = {}
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
        return headers

    def store(self, url: str, temporary: Path, meta: dict[str, str]) -> Path:
        body = self.body(url)
        os.replace(temporary, body)
        stem = self._stem(url).with_suffix(".json")
        stem.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return body


class Fetcher:
    """One partner's HTTP client for one harvest, held to the partner's egress rules."""

    def __init__(self, settings: FetchSettings, cache_dir: Path, egress: EgressPolicy) -> None:
        self.settings = settings
        self.egress = egress
        self.cache = HttpCache(cache_dir / "http")
        self.cache.folder.mkdir(parents=True, exist_ok=True)
        self.throttle = Throttle(settings.delay)
        self.session = checked_session(egress)
        self.session.headers.update({"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self.session.close()

    def fetch(
        self,
        url: str,
        accept: str = "*/*",
        delay: float | None = None,
        max_bytes: int | None = None,
        limit_name: str = "HARVEST_MAX_BYTES",
    ) -> Fetched:
        """GET ``url`` into the cache (or reuse the cached copy on 304), following redirects on the declared hosts.

        :param limit_name: the setting that sets ``max_bytes``, named when it is exceeded.
        :raises HarvestError: unreachable, refused by the egress rules, too slow, an HTTP error, too large, or corrupt.
        """
        limit = self.settings.max_bytes if max_bytes is None else max_bytes
        deadline = time.monotonic() + self.settings.timeout
        response = self._follow(url, {"Accept": accept, **self.cache.validators(url)}, delay)
        with response:
            content_type, charset = _media_type(response.headers.get("Content-Type", ""))
            if response.status_code == 304 and self.cache.meta(url):
                content_type, charset = self.cached_content_type(url)  # a 304 need not repeat the type
                return Fetched(response.url, self.cache.body(url), content_type, charset, True)
            if response.status_code >= 400:
                raise PartnerHttpError(
                    f"{url}: the partner answered HTTP {response.status_code} {response.reason}", response.status_code
                )
            temporary = self._download(response, url, limit, limit_name, deadline)
        meta = {
            "url": response.url,
            "etag": response.headers.get("ETag", ""),
            "last_modified": response.headers.get("Last-Modified", ""),
            "content_type": response.headers.get("Content-Type", ""),
        }
        path = self.cache.store(url, temporary, meta)
        return Fetched(response.url, path, content_type, charset, False)

    def post(self, url: str, form: dict[str, str], accept: str) -> bytes:
        """POST ``form`` to ``url``: the answer, at most HARVEST_MAX_BYTES.  Redirects are not followed.

        :raises HarvestError: unreachable, refused by the egress rules, redirected, an HTTP error, too slow or too
            large.
        """
        deadline = time.monotonic() + self.settings.timeout
        with self._request("POST", url, {"Accept": accept}, data=form) as response:
            if response.is_redirect:
                target = urljoin(url, self.session.get_redirect_target(response) or "")
                raise HarvestError(f"{url} redirects to {target}: if that is the partner's, configure it instead")
            if response.status_code >= 400:
                raise PartnerHttpError(
                    f"{url}: the partner answered HTTP {response.status_code} {response.reason}: {_detail(response)}",
                    response.status_code,
                )
            return b"".join(self._body(response, url, self.settings.max_bytes, "HARVEST_MAX_BYTES", deadline))

    def cached_content_type(self, url: str) -> tuple[str, str | None]:
        return _media_type(self.cache.meta(url).get("content_type", ""))

    def _follow(self, url: str, headers: dict[str, str], delay: float | None) -> requests.Response:
        """GET ``url``, following redirects one hop at a time, each hop on the partner's declared hosts."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._request("GET", current, headers, delay=delay)
            if not response.is_redirect:
                return response
            target = urljoin(current, self.session.get_redirect_target(response) or "")
            response.close()
            self.egress.check(target, f"{current}: the redirect to {target}")
            current = target
        raise HarvestError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _request(
        self, method: str, url: str, headers: dict[str, str], delay: float | None = None, **kwargs: Any
    ) -> requests.Response:
        """One request, its answer streamed; nothing is sent where the egress rules do not allow."""
        self.egress.check(url, url)
        self.throttle.wait(url, delay)
        timeout = (self.settings.timeout, self.settings.timeout)
        try:
            return self.session.request(
                method, url, headers=headers, stream=True, allow_redirects=False, timeout=timeout, **kwargs
            )
        except EgressRefused as exc:
            raise EgressRefused(f"{url} refused: {exc}; nothing was sent there") from None
        except requests.exceptions.Timeout as exc:
            raise HarvestError(f"{url}: no answer within {self.settings.timeout:g} s (HARVEST_TIMEOUT)") from exc
        except requests.exceptions.RequestException as exc:
            raise HarvestError(f"{url}: cannot reach the partner ({_reason(exc)})") from exc

    def _body(
        self, response: requests.Response, url: str, limit: int, limit_name: str, deadline: float
    ) -> Iterator[bytes]:
        """The body, decoded, failing as soon as it is larger than ``limit`` (or announces it)."""
        declared = response.headers.get("Content-Length", "")
        encoding = response.headers.get("Content-Encoding", "")
        if declared.isdigit() and not encoding and int(declared) > limit:
            raise HarvestError(
                f"{url}: {int(declared):,} bytes announced, more than the limit of {limit:,} ({limit_name})"
            )
        return limited(decoded(self._raw_chunks(response, url, deadline), encoding), limit, url, limit_name)

    def _download(self, response: requests.Response, url: str, limit: int, limit_name: str, deadline: float) -> Path:
        chunks = self._body(response, url, limit, limit_name, deadline)
        handle, name = tempfile.mkstemp(dir=self.cache.folder, suffix=".part")
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary

    def _raw_chunks(self, response: requests.Response, url: str, deadline: float) -> Iterator[bytes]:
        """The body as sent (still compressed), failing once the request's deadline has passed."""
        raw = response.raw
        while True:
            if time.monotonic() > deadline:
                raise HarvestError(
                    f"{url}: the partner is too slow: no complete answer within {self.settings.timeout:g} s "
                    "(HARVEST_TIMEOUT)"
                )
            try:
                chunk = raw.read1(CHUNK, decode_content=False)
            except ReadTimeoutError as exc:
                raise HarvestError(
                    f"{url}: the partner stopped sending for {self.settings.timeout:g} s (HARVEST_TIMEOUT)"
                ) from exc
            except (TransferError, requests.exceptions.RequestException, OSError) as exc:
                raise HarvestError(f"{url}: the transfer broke off ({_reason(exc)})") from exc
            if not chunk:
                return
            yield chunk


def _detail(response: requests.Response) -> str:
    """The start of an error answer: a SPARQL endpoint says there what is wrong with the query."""
    try:
        return response.raw.read(300, decode_content=True).decode("utf-8", "replace").strip()
    except (TransferError, OSError):
        return "(no explanation could be read)"


def _media_type(header: str) -> tuple[str, str | None]:
    media_type, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media_type.strip().lower(), charset


def _reason(exc: BaseException) -> str:
    """The innermost cause, which names what really failed (refused, name unknown…)."""
    while exc.__cause__ is not None or (exc.__context__ is not None and not exc.__suppress_context__):
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc) or type(exc).__name__
    return text[:200]
