"""A requests session whose connections go only to addresses the egress policy checked.

urllib3 resolves a host name when it opens the socket.  A check made before the
request would leave a window in which the name could resolve to a public address
for the check and to an internal one for the connection (DNS rebinding).  Here the
connection itself resolves the name once, has every address checked, and connects
to one of those very addresses; TLS still verifies the certificate against the
host name.  Redirects are not followed by the session: the fetcher follows them
one hop at a time, each hop checked.
"""

from __future__ import annotations

import socket
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from loader.feeds.egress import EgressPolicy


class _CheckedConnection(HTTPConnection):
    def __init__(self, *args: Any, egress: EgressPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.egress = egress

    def _new_conn(self) -> socket.socket:
        try:
            addresses = self.egress.addresses(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection(
                    (address, self.port), self.timeout, self.source_address, self.socket_options
                )
            except OSError as exc:  # the next address of the host may answer
                error = exc
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out (connect timeout={self.timeout})")
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


class _CheckedHTTPSConnection(_CheckedConnection, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedPoolManager(PoolManager):
    def __init__(self, egress: EgressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.egress = egress
        self.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}

    def _new_pool(
        self, scheme: str, host: str, port: int, request_context: dict[str, Any] | None = None
    ) -> HTTPConnectionPool:
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        context["egress"] = self.egress  # handed by the pool to each connection it opens
        return super()._new_pool(scheme, host, port, context)


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, egress: EgressPolicy) -> None:
        self.egress = egress  # before HTTPAdapter.__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _CheckedPoolManager(
            self.egress, num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs
        )


def checked_session(egress: EgressPolicy) -> requests.Session:
    """A session that connects only where ``egress`` allows, and never through a proxy of the environment."""
    session = requests.Session()
    session.trust_env = False  # no HTTP(S)_PROXY, no .netrc: the egress rules are the whole story
    for scheme in ("http://", "https://"):
        session.mount(scheme, _CheckedAdapter(egress))
    return session
