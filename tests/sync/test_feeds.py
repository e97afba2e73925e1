"""Atom feeds of new and changed initiatives (hub, partner, région, département, theme), linked from their pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests

from tests.sync.conftest import ServedHub

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(served: ServedHub, path: str) -> list[ET.Element]:
    response = requests.get(served.url(path), timeout=30)
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}link[@rel='self']") is not None and feed.find(f"{ATOM}updated") is not None
    return feed.findall(f"{ATOM}entry")


def test_feeds_list_initiatives_of_their_scope(served_hub: ServedHub) -> None:
    hub = entries(served_hub, "feeds/hub.atom")
    assert 0 < len(hub) <= 50
    links = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in hub]  # type: ignore[union-attr]
    assert all(link.startswith(served_hub.url("initiative/")) for link in links)
    assert len(set(links)) == len(links)  # one entry per initiative
    partner = entries(served_hub, "feeds/partner/maplabbzh.atom")
    assert partner and all("/maplabbzh/" in e.find(f"{ATOM}link").get("href") for e in partner)  # type: ignore[union-attr]
    brittany = entries(served_hub, "feeds/region/53.atom")  # maplabbzh's fab labs are in Brittany
    places = [e.find(f"{ATOM}link").get("href") for e in brittany]  # type: ignore[union-attr]
    assert places and not [p for p in places if "/hub-du-sud/" in p]  # Hub du Sud's are in Provence
    assert entries(served_hub, "feeds/region/01.atom") == []  # Guadeloupe: none of these partners
    assert entries(served_hub, "feeds/theme/digital-inclusion.atom")
    assert entries(served_hub, "feeds/partner/nobody.atom") == []
    assert entries(served_hub, "feeds/departement/35.atom") is not None

    page = requests.get(served_hub.url("partner/maplabbzh"), headers={"Accept": "text/html"}, timeout=10).text
    assert 'type="application/atom+xml" href="' + served_hub.url("feeds/partner/maplabbzh.atom") in page
    region = requests.get(served_hub.url("territory/region/53"), headers={"Accept": "text/html"}, timeout=10).text
    assert served_hub.url("feeds/region/53.atom") in region
    home = requests.get(served_hub.base, timeout=10).text
    assert served_hub.url("feeds/hub.atom") in home
