"""A reverse proxy in front of a store's SPARQL endpoint that keeps every query it forwards.

Tests count the store requests a page costs through it: the web server is given the
proxy's address as its store, and each request reaches the real store unchanged.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import requests

from tests.support.sockets import LoopbackHTTP

# Not forwarded: they describe one connection, or a body requests has already decoded.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class CountingProxy(LoopbackHTTP):
    """Forwards POSTs and GETs to ``target`` (a SPARQL endpoint); ``queries`` lists the texts, in order."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.queries: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the name http.server looks for
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                form = parse_qs(body.decode("utf-8"))
                proxy.record(form.get("query", form.get("update", [""]))[0])
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
                self._answer(requests.post(proxy.target, data=body, headers=headers, timeout=120))

            def _answer(self, response: requests.Response) -> None:
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)

    def record(self, query: str) -> None:
        with self._lock:
            self.queries.append(query)

    def taken(self) -> list[str]:
        """The queries forwarded since the last call."""
        with self._lock:
            taken, self.queries = self.queries, []
        return taken
