"""A partner's web server on 127.0.0.1, for the harvest tests: real sockets, real HTTP.

It serves a folder of files (a small site of initiative pages with a sitemap and a
robots.txt, feed files) with ``ETag`` / ``Last-Modified`` and ``304 Not Modified``
answers, plus routes that misbehave the way partner servers do: a crawler trap
(endless links), an HTML page where a CSV was expected, a gzip bomb, an endless
body, a server too slow to answer; tests add their own routes (a redirect, a
document they write).  Every request is recorded (time, path, headers)
so tests can check what the harvester sent: its user agent, its conditional
headers, its pace.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SITE_DIR = Path(__file__).resolve().parent / "site"
MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)  # a fixed date: the files never change

Route = Callable[[BaseHTTPRequestHandler, dict[str, list[str]]], None]


@dataclass
class Hit:
    time: float
    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class PartnerSite:
    base: str  # http://127.0.0.1:PORT/
    root: Path
    hits: list[Hit] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def requests_for(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if "Content-Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def redirect_to(location: str, status: int = 302) -> Route:
    """A route that redirects to ``location`` (a URL, or a path of the same site)."""

    def route(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        _send(handler, status, b"", {"Location": location})

    return route


def document(body: bytes, media_type: str = "application/xml") -> Route:
    """A route that answers ``body``: a sitemap or a feed written by the test."""

    def route(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        _send(handler, 200, body, {"Content-Type": media_type})

    return route


def crawler_trap(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """An agenda whose every month links to the next one, forever."""
    month = int(query.get("month", ["0"])[0])
    body = (
        f"<!doctype html><html><head><title>Agenda, mois {month}</title></head><body>"
        f'<a href="/agenda?month={month + 1}">mois suivant</a> <a href="/agenda?month={month + 2}">+2</a>'
        "</body></html>"
    ).encode()
    _send(handler, 200, body, {"Content-Type": "text/html; charset=utf-8"})


def html_instead_of_csv(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """A download link that leads to a web page (a login wall, a portal page)."""
    body = b"<!DOCTYPE html><html><head><title>Connexion</title></head><body><form>...</form></body></html>"
    _send(handler, 200, body, {"Content-Type": "text/csv"})  # the server even lies about the type


def gzip_bomb(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """A few kilobytes that inflate to far more than the size limit."""
    megabytes = int(query.get("mb", ["64"])[0])
    body = gzip.compress(b"[" + b" " * (megabytes << 20), compresslevel=9)
    _send(handler, 200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def endless(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """A body without a length that never ends (until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.end_headers()
    line = b"nom,ville\n" + b"Lieu,Brest\n" * 10000
    try:
        for _ in range(100000):
            handler.wfile.write(line)
    except (BrokenPipeError, ConnectionResetError):
        return
    handler.close_connection = True


def huge_announced(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """A 2 GB file, as announced by its Content-Length."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.send_header("Content-Length", str(2 * 1024**3))
    handler.end_headers()
    try:
        handler.wfile.write(b"nom,ville\n")
    except (BrokenPipeError, ConnectionResetError):
        return
    handler.close_connection = True


def slow(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """Answers, then sends its body a byte at a time, slower than any sane timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.end_headers()
    try:
        for byte in b"nom,ville\nLieu,Brest\n" * 100:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        return


def silent(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
    """Accepts the connection and never answers."""
    time.sleep(float(query.get("seconds", ["5"])[0]))
    _send(handler, 200, b"nom\n", {"Content-Type": "text/csv"})


MISBEHAVING: dict[str, Route] = {
    "/agenda": crawler_trap,
    "/feeds/login.csv": html_instead_of_csv,
    "/feeds/bomb.json": gzip_bomb,
    "/feeds/endless.csv": endless,
    "/feeds/huge.csv": huge_announced,
    "/feeds/slow.csv": slow,
    "/feeds/silent.csv": silent,
}


class _Handler(BaseHTTPRequestHandler):
    site: PartnerSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # the tests read self.site.hits instead
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        if self.site.hits:
            self.site.hits[-1].status = code
        super().send_response(code, message)

    def do_GET(self) -> None:  # noqa: N802 — the name http.server dispatches to
        parts = urlsplit(self.path)
        self.site.hits.append(Hit(time.monotonic(), parts.path, dict(self.headers.items())))
        route = self.site.routes.get(parts.path) or MISBEHAVING.get(parts.path)
        if route is not None:
            route(self, parse_qs(parts.query))
            return
        path = (self.site.root / parts.path.lstrip("/")).resolve()
        if not path.is_relative_to(self.site.root.resolve()) or not path.is_file():
            _send(self, 404, b"not found", {"Content-Type": "text/plain"})
            return
        body = path.read_bytes()
        if path.suffix in (".xml", ".html", ".txt"):
            body = body.replace(b"{{base}}", self.site.base.encode())  # absolute URLs need the port
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            _send(self, 304, b"", {"ETag": etag, "Content-Length": "0"})
            return
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type.endswith(("xml", "json")):
            media_type += "; charset=utf-8"
        _send(self, 200, body, {"Content-Type": media_type, "ETag": etag, "Last-Modified": MODIFIED})

    def do_POST(self) -> None:  # noqa: N802 — a form posted to a route (a SPARQL endpoint's address)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.do_GET()


@contextmanager
def serve_site(root: Path = SITE_DIR, routes: dict[str, Route] | None = None) -> Iterator[PartnerSite]:
    """Serve ``root`` on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    site = PartnerSite(f"http://127.0.0.1:{server.server_address[1]}/", root, routes=dict(routes or {}))
    server.RequestHandlerClass = type("Handler", (_Handler,), {"site": site})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
