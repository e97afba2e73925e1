"""The transport's ceiling for downloads: one file sent with ``sendfile`` over a bare HTTP/1.1 socket.

No web framework, no headers beyond the length: what the loopback and the client can
take on this machine, measured beside the hub's ``/dumps/`` in the serving benchmark.
Runs in a thread of the benchmark's process (the kernel does the copying).
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import suppress
from pathlib import Path


class RawFileServer:
    """Answers every request on 127.0.0.1 with the bytes of ``path``, keeping connections open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> RawFileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {self.size}\r\nContent-Type: application/gzip\r\n\r\n".encode()
        pending = b""
        with connection, open(self.path, "rb") as file, suppress(ConnectionError):  # wrk hangs up when it is done
            while data := connection.recv(65536):
                pending += data
                while b"\r\n\r\n" in pending:  # one request read: the file goes out
                    _, pending = pending.split(b"\r\n\r\n", 1)
                    connection.sendall(head)
                    offset = 0
                    while offset < self.size:
                        offset += os.sendfile(connection.fileno(), file.fileno(), offset, self.size - offset)
