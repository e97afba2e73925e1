"""Misbehaving stores on 127.0.0.1: one that hangs, one that answers errors, a proxy that can start hanging."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class _Listener:
    """A listening socket on a free port, served by a daemon thread until closed; ``accepted`` counts connections."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(connection)
            self.handle(connection)

    def handle(self, connection: socket.socket) -> None:
        """Hold the connection open, read nothing, answer nothing."""

    def close(self) -> None:
        self._closed.set()
        self.socket.close()
        for connection in self._held:
            with contextlib.suppress(OSError):
                connection.close()

    def __enter__(self) -> _Listener:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class SilentServer(_Listener):
    """A store that accepts connections and never answers; for the harvester, an internal service."""


class Proxy(_Listener):
    """Forwards to a real store until ``hang()``: then it swallows requests and never answers."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.hanging = threading.Event()
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        if self.hanging.is_set():
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        self._held.append(upstream)
        threading.Thread(target=self._pump, args=(connection, upstream), daemon=True).start()
        threading.Thread(target=self._pump, args=(upstream, connection), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not self.hanging.is_set():
                    target.sendall(data)

    def hang(self) -> None:
        self.hanging.set()


class LoopbackHTTP:
    """An ``http.server`` handler served on a free port of 127.0.0.1, in a thread, as a SPARQL endpoint's URL."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()


class ErrorServer(LoopbackHTTP):
    """A store behind a reverse proxy that answers 502 Bad Gateway to everything."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _bad_gateway(self) -> None:
                self.send_response(502)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"Bad Gateway: the upstream store does not answer")

            do_GET = do_POST = _bad_gateway  # noqa: N815 - the names http.server looks for

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler)
