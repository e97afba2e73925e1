"""Partner servers that misbehave on 127.0.0.1: one hangs, one resets the connection, one serves garbage.

Each is a plain socket server in a thread, closer to a broken partner than an HTTP
framework would let it be: the hanging one accepts and never answers, the resetting
one reads the request and closes with a TCP RST (``SO_LINGER`` 0), the garbage one
answers 200 with random bytes labelled as JSON.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _hang(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    stop.wait()  # never a byte back, until the test ends


def _reset(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _garbage(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    body = random.Random(7).randbytes(200_000)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    conn.sendall(head.encode("ascii") + body)


BEHAVIOURS = {"hang": _hang, "reset": _reset, "garbage": _garbage}


@contextmanager
def bad_partner(behaviour: str) -> Iterator[str]:
    """A server on 127.0.0.1 that behaves badly; yields its feed URL."""
    handle = BEHAVIOURS[behaviour]
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                handle(conn, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/lieux.json"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
