"""A partner's SPARQL endpoint on 127.0.0.1: a tiny SPARQL 1.1 protocol server over pyoxigraph.

GET ``?query=`` and POST (form-encoded or ``application/sparql-query``); SELECT/ASK
answers in SPARQL JSON results, CONSTRUCT/DESCRIBE in Turtle.  Every query received
is recorded, so tests can check the reader's paging (LIMIT/OFFSET, ORDER BY) and
user agent; ``delay`` makes it a slow partner.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox


@dataclass
class Endpoint:
    url: str
    store: ox.Store
    queries: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    endpoint: Endpoint
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, query: str) -> None:
        self.endpoint.queries.append(query)
        self.endpoint.agents.append(self.headers.get("User-Agent", ""))
        if self.endpoint.delay:
            time.sleep(self.endpoint.delay)
        try:
            result = self.endpoint.store.query(query)
        except SyntaxError as exc:
            self._send(400, str(exc).encode(), "text/plain")
            return
        if isinstance(result, ox.QuerySolutions):
            self._send(200, result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json")
        elif isinstance(result, bool):
            body = b'{"head": {}, "boolean": ' + (b"true" if result else b"false") + b"}"
            self._send(200, body, "application/sparql-results+json")
        else:
            self._send(200, result.serialize(format=ox.RdfFormat.TURTLE) or b"", "text/turtle")

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 — the name http.server dispatches to
        query = parse_qs(urlsplit(self.path).query).get("query", [""])[0]
        self._answer(query)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
            self._answer(body)
        else:
            self._answer(parse_qs(body).get("query", [""])[0])


@contextmanager
def serve_endpoint(data: Path, delay: float = 0.0) -> Iterator[Endpoint]:
    """Serve the graph in ``data`` (Turtle) at ``http://127.0.0.1:PORT/sparql``."""
    store = ox.Store()
    store.load(path=data, format=ox.RdfFormat.TURTLE)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    endpoint = Endpoint(f"http://127.0.0.1:{server.server_address[1]}/sparql", store, delay=delay)
    server.RequestHandlerClass = type("Handler", (_Handler,), {"endpoint": endpoint})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
