"""Egress: the harvester reads a partner only on its declared hosts, at public addresses unless allowed.

A silent listener on another loopback port stands in for an internal service (the
hub's store, a cloud metadata service): a hostile partner points the harvester at it
through a redirect, a sitemap index or its own address, and it must accept no
connection at all.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carrefour.errors import HarvestError
from loader.feeds import FeedSpec, Problem, Record, read_feed
from loader.feeds.egress import address_kind
from loader.harvest_report import report_text
from tests.harvest.conftest import HarvestHub, fast_settings, partner
from tests.support.partner_site import PartnerSite, document, redirect_to, serve_site
from tests.support.sockets import SilentServer

PLACES = [{"id": "1", "nom": "Fab lab de Brest", "cp": "29200"}, {"id": "2", "nom": "Tiers-lieu", "cp": "29600"}]
PARTNER = """
id = "moving"
name = "Un partenaire qui déménage"
homepage = "https://moving.example.org/"
licence = "CC0-1.0"
[feed]
format = "json"
source = "{source}"
allow_private_addresses = true  # its server is on 127.0.0.1
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = "nom"
address = {{ postal_code = "cp" }}
"""


@pytest.fixture
def internal() -> Iterator[SilentServer]:
    with SilentServer() as listener:
        yield listener


@pytest.fixture
def site() -> Iterator[PartnerSite]:
    with serve_site(routes={"/feeds/lieux.json": document(json.dumps(PLACES).encode(), "application/json")}) as served:
        yield served


def read(tmp_path: Path, **table: Any) -> tuple[list[Record], list[Problem]]:
    items = list(read_feed(FeedSpec.from_table(table), fast_settings(), tmp_path / "cache"))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Problem)]


def test_a_redirect_off_the_declared_hosts_is_refused_and_the_published_data_stays(
    fresh_hub: HarvestHub, site: PartnerSite, internal: SilentServer
) -> None:
    spec = partner(PARTNER.format(source=site.url("feeds/lieux.json")))
    results, version = fresh_hub.harvest(spec)
    assert version is not None and len(results[0].diff.loaded) == 2, results[0].error
    before = fresh_hub.graph("partner", "moving")
    site.routes["/feeds/lieux.json"] = redirect_to(f"http://127.0.0.1:{internal.port}/admin/export.json")
    results, version = fresh_hub.harvest(spec)
    error = results[0].error or ""
    assert version is None and f"the redirect to http://127.0.0.1:{internal.port}/admin/export.json refused" in error
    assert f"host 127.0.0.1:{internal.port} is not one of the partner's declared hosts" in error
    assert "previously published data of this partner is unchanged" in report_text(results[0])
    assert fresh_hub.graph("partner", "moving") == before
    assert internal.accepted == 0


def test_redirects_on_the_declared_hosts_are_followed(site: PartnerSite, tmp_path: Path) -> None:
    site.routes["/old.json"] = redirect_to("/feeds/lieux.json", status=301)
    records, _ = read(tmp_path, format="json", source=site.url("old.json"), allow_private_addresses=True)
    assert [r.fields["nom"] for r in records] == ["Fab lab de Brest", "Tiers-lieu"]
    with serve_site(routes={"/lieux.json": redirect_to(site.url("feeds/lieux.json"))}) as cdn:
        cdn_host = cdn.base.split("//")[1].rstrip("/")
        feed = {"format": "json", "source": site.url("old.json"), "allow_private_addresses": True}
        site.routes["/old.json"] = redirect_to(cdn.url("lieux.json"))
        with pytest.raises(HarvestError, match=f"host {cdn_host} is not one of the partner's declared hosts"):
            read(tmp_path, **feed)
        assert cdn.hits == []
        records, _ = read(tmp_path, **feed, hosts=[cdn_host])  # the partner's CDN, declared
    assert len(records) == 2 and len(cdn.requests_for("/lieux.json")) == 1


def test_a_sparql_endpoint_that_redirects_is_not_followed(
    site: PartnerSite, internal: SilentServer, tmp_path: Path
) -> None:
    site.routes["/sparql"] = redirect_to(f"http://127.0.0.1:{internal.port}/sparql", status=307)
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    with pytest.raises(HarvestError, match=f"redirects to http://127.0.0.1:{internal.port}/sparql"):
        read(tmp_path, format="sparql", endpoint=site.url("sparql"), query=query, allow_private_addresses=True)
    assert internal.accepted == 0


def test_sitemaps_and_pages_off_the_declared_hosts_are_refused(
    site: PartnerSite, internal: SilentServer, tmp_path: Path
) -> None:
    elsewhere = f"http://127.0.0.1:{internal.port}"
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('sitemaps/initiatives.xml')}</loc></sitemap>"
        f"<sitemap><loc>{elsewhere}/sitemap.xml</loc></sitemap>"
        f"<sitemap><loc>{site.url('pages.xml')}</loc></sitemap>"
        "</sitemapindex>"
    )
    pages = (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.url("go")}</loc></url></urlset>'
    )
    site.routes |= {
        "/index.xml": document(index.encode()),
        "/pages.xml": document(pages.encode()),
        "/go": redirect_to(f"{elsewhere}/latest/meta-data/"),
    }
    table = {"format": "webpages", "source": site.url("index.xml"), "allow_private_addresses": True,
             "record_types": ["http://schema.org/Organization", "http://schema.org/LocalBusiness"],
             "prefixes": {"schema": "http://schema.org/"}}  # fmt: skip
    records, problems = read(tmp_path, **table)
    assert any(r.fields.get("schema:name") == "Konk Ar Lab" for r in records)  # the partner's own sitemap is read
    (sitemap,) = [p for p in problems if "it lists is refused" in p.message]
    assert sitemap.origin == site.url("index.xml") and f"the sitemap {elsewhere}/sitemap.xml" in sitemap.message
    (page,) = [p for p in problems if p.origin == site.url("go")]
    assert f"the redirect to {elsewhere}/latest/meta-data/ refused" in page.message
    assert not sitemap.skipped and not page.skipped  # the feed was not read whole: nothing published is removed
    assert internal.accepted == 0


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize(
    "feed",
    [
        {"format": "csv", "source": "/lieux.csv"},
        {"format": "webpages", "source": "/sitemap.xml"},
        {"format": "sparql", "endpoint": "/sparql", "query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"},
    ],
    ids=["csv", "webpages", "sparql"],
)
def test_a_private_address_is_refused_before_any_connection(
    internal: SilentServer, tmp_path: Path, name: str, feed: dict[str, str]
) -> None:
    location = "endpoint" if "endpoint" in feed else "source"
    table = {**feed, location: f"http://{name}:{internal.port}{feed[location]}"}
    with pytest.raises(HarvestError, match="is a loopback address: the harvester only connects to public addresses"):
        read(tmp_path, **table)
    assert internal.accepted == 0


def test_the_connection_goes_to_the_address_that_was_checked(
    site: PartnerSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is resolved once, and the connection made to that address: a second answer (DNS rebinding)
    would send it to 127.0.0.2, where nothing listens."""
    lookups: list[str] = []
    resolve = socket.getaddrinfo

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "partner.test":
            return resolve(host, port, *args, **kwargs)
        lookups.append(host)
        return resolve("127.0.0.1" if len(lookups) == 1 else "127.0.0.2", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = site.base.rsplit(":", 1)[1].strip("/")
    records, _ = read(tmp_path, format="json", source=f"http://partner.test:{port}/feeds/lieux.json",
                      allow_private_addresses=True)  # fmt: skip
    assert len(records) == 2 and lookups == ["partner.test"]
    assert site.requests_for("/feeds/lieux.json")[0].headers["Host"] == f"partner.test:{port}"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
        ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.254", "private"), ("192.168.1.1", "private"),
        ("fc00::1", "private"), ("fd12:3456::1", "private"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"),
        ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("2002:a00:1::", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("8.8.8.8", None), ("2001:4860:4860::8888", None), ("172.32.0.1", None),
    ],
)  # fmt: skip
def test_address_ranges(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind
