"""Where the harvester may connect: the partner's declared hosts, at public addresses.

A partner's feed is untrusted input that names URLs.  A redirect, a sitemap entry or
a link could send the harvester to the hub's own store, a cloud metadata service or
another machine of the internal network, and what it read there would be published
as the partner's data.  So every request goes to a host the partner declared (the
hosts of its feed URLs and the ``hosts`` of its [feed]), and every connection to a
public address, unless the operator allows private addresses for that partner
(``allow_private_addresses``).  Addresses are checked once resolved, by the
connection itself (``loader.feeds.connections``), so a name cannot point elsewhere
between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from urllib3.util.connection import allowed_gai_family

from carrefour.errors import HarvestError

DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # an IPv4 address behind a translator


class EgressRefused(HarvestError):
    """A request or connection the egress rules do not allow; nothing was sent there."""


def host_key(parts: SplitResult) -> str:
    """``host`` or ``host:port`` (a port other than the scheme's default), as hosts are declared."""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme) or (not parts.scheme and port in (80, 443)):
        return host
    return f"{host}:{port}"


def declared_host(entry: str) -> str:
    """The key of an entry of a partner's ``hosts`` ("www.example.org", "data.example.org:8080").

    :raises ValueError: the entry is not a bare host name or address with an optional port.
    """
    parts = urlsplit("//" + entry.strip())
    if not parts.hostname or parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{entry!r} is not a host name (give 'www.example.org' or 'www.example.org:8080')")
    return host_key(parts)  # reading the port raises ValueError when it is not a number


def address_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address ``ip`` is; None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
        if ip.is_site_local:
            return "site-local"
    kinds = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),  # shared (100.64/10), documentation and benchmarking ranges
    )
    return next((kind for kind, matches in kinds if matches), None)


@dataclass(frozen=True)
class EgressPolicy:
    """One partner's egress rules: its declared hosts, and whether private addresses are allowed."""

    hosts: frozenset[str]
    allow_private: bool = False

    @classmethod
    def for_urls(cls, urls: Iterable[str], hosts: Iterable[str] = (), allow_private: bool = False) -> EgressPolicy:
        """The hosts of the partner's feed ``urls`` plus its declared ``hosts``."""
        remote = [url for url in urls if url.startswith(("http://", "https://"))]
        keys = {host_key(urlsplit(url)) for url in remote} | {declared_host(host) for host in hosts}
        return cls(frozenset(keys), allow_private)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` must not be requested; None when it may be."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            return f"{url} is not an http(s) URL"
        try:
            key = host_key(parts)
        except ValueError:
            return f"{url} has an invalid port"
        if key not in self.hosts:
            declared = ", ".join(sorted(self.hosts)) or "none"
            return (
                f"host {key} is not one of the partner's declared hosts ({declared}); "
                "if it is the partner's, add it to 'hosts' in its [feed]"
            )
        return None

    def check(self, url: str, what: str) -> None:
        """:raises EgressRefused: ``url`` is not on the partner's declared hosts (``what`` says what it is)."""
        reason = self.refusal(url)
        if reason is not None:
            raise EgressRefused(f"{what} refused: {reason}; nothing was fetched from there")

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` the harvester may connect to: all of them, or none.

        :raises EgressRefused: one of its addresses is not public (and the partner is not
            allowed private addresses); a name resolving to both kinds is refused whole.
        :raises socket.gaierror: the name cannot be resolved.
        """
        host = host.strip("[]")
        found = socket.getaddrinfo(host, port, family=allowed_gai_family(), type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in found))
        if not self.allow_private:
            for address in addresses:
                kind = address_kind(ipaddress.ip_address(address))
                if kind is not None:
                    name = address if address == host else f"{host} ({address})"
                    raise EgressRefused(
                        f"{name} is a {kind} address: the harvester only connects to public addresses, "
                        "unless the partner's [feed] sets allow_private_addresses = true"
                    )
        return addresses
