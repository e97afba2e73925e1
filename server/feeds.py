"""Atom feeds of new and changed initiatives, for people and CMSs: the hub, a partner, a région, a département, a theme.

``/feeds/hub.atom``, ``/feeds/partner/{id}.atom``, ``/feeds/region/{code}.atom``,
``/feeds/departement/{code}.atom``, ``/feeds/theme/{code}.atom``.  Entries are the latest
versions (created or updated) of initiatives and support programmes, read from the
event streams' last pages (the partner's own stream for a partner), newest first,
one per initiative; a territory or a theme keeps those its version says it is
located in or about.  The pages of those resources link their feed
(``<link rel="alternate" type="application/atom+xml">``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from flask import Blueprint, Flask, Response

from carrefour.history import read
from carrefour.history.content import decode
from carrefour.history.terms import HUB, TYPE, Names
from carrefour.store.base import Snapshot
from carrefour.vocab import SCHEMA, Hub
from server.caching import cacheable, etag_for, not_modified, not_modified_response
from server.site import get_site

blueprint = Blueprint("feeds", __name__)

ATOM = "application/atom+xml"
ENTRIES = 50
PAGES_READ = 20  # how far back a feed looks: the last 2,000 versions of its stream
FILTERS = {"region": ("locatedIn", "territory/region"), "departement": ("locatedIn", "territory/departement"),
           "theme": ("theme", "concept/theme")}  # fmt: skip
NAME, DESCRIPTION = ox.NamedNode(SCHEMA + "name"), ox.NamedNode(SCHEMA + "description")


def feed_path(hub: Hub, iri: str) -> str | None:
    """The feed of the resource ``iri`` (a partner, a région, a département, a theme), if it has one."""
    if iri.startswith(hub.vocabulary):  # a theme: a concept of the shared schemes
        path = iri[len(hub.vocabulary) :]
    else:
        path = iri[len(hub.base) :] if iri.startswith(hub.base) else ""
    for kind, (_, prefix) in FILTERS.items():
        if path.startswith(prefix + "/") and path.count("/") == prefix.count("/") + 1:
            return f"feeds/{kind}/{path.rsplit('/', 1)[1]}.atom"
    if path.startswith("partner/") and path.count("/") == 1:
        return f"feeds/{path}.atom"
    return None


def _text(triples: list[ox.Triple], subject: ox.NamedNode, predicate: ox.NamedNode) -> str:
    values = [t.object for t in triples if t.subject == subject and t.predicate == predicate]
    french = [v.value for v in values if isinstance(v, ox.Literal) and v.language == "fr"]
    return (french or [v.value for v in values])[0] if values else ""


def _entries(snapshot: Snapshot, hub: Hub, scope: str, wanted: tuple[ox.NamedNode, ox.NamedNode] | None) -> list[str]:
    names, kinds = Names(hub), {hub.term("Initiative"), hub.term("SupportProgramme")}
    head = read.head(snapshot, names, scope)
    entries: list[str] = []
    seen: set[str] = set()
    for number in range(head.pages - 1, max(-1, head.pages - 1 - PAGES_READ), -1):
        for version in reversed(read.page_members(snapshot, names, scope, number)):
            if version.deleted or version.record in seen or not version.content:
                continue
            seen.add(version.record)
            triples = decode(version.content, hub.base)
            record = ox.NamedNode(version.record)
            if not any(t.subject == record and t.predicate == TYPE and t.object in kinds for t in triples):
                continue
            if wanted is not None and ox.Triple(record, *wanted) not in triples:
                continue
            entries.append(_entry(version, triples, record))
            if len(entries) == ENTRIES:
                return entries
    return entries


def _entry(version: read.Version, triples: list[ox.Triple], record: ox.NamedNode) -> str:
    updated = version.time.isoformat().replace("+00:00", "Z")
    title = _text(triples, record, NAME) or record.value
    summary = _text(triples, record, DESCRIPTION)
    kind = "nouvelle initiative" if version.kind == "Create" else "initiative mise à jour"
    return (
        f"<entry><id>{escape(version.iri.value)}</id><title>{escape(title)}</title><updated>{updated}</updated>"
        f'<link rel="alternate" type="text/html" href={quoteattr(record.value)}/>'
        f'<link rel="related" href={quoteattr(version.iri.value)}/><category term={quoteattr(kind)}/>'
        f"<summary>{escape(summary)}</summary></entry>"
    )


def _feed(kind: str, code: str | None) -> tuple[str, str, tuple[ox.NamedNode, ox.NamedNode] | None, str]:
    """(stream scope, title, the statement entries must have, the page the feed is about)."""
    hub = get_site().hub
    if kind == "hub":
        return HUB, "Carrefour des innovations sociales : initiatives nouvelles et mises à jour", None, hub.base
    if kind == "partner":
        return f"partner/{code}", f"Carrefour : initiatives de {code}", None, hub.iri("partner", str(code))
    prefix = FILTERS[kind][1]
    about = hub.concept("theme", str(code)) if kind == "theme" else hub.node(*prefix.split("/"), str(code))
    title = f"Carrefour : initiatives — {prefix.rsplit('/', 1)[1]} {code}"
    return HUB, title, (hub.term(FILTERS[kind][0]), about), hub.page_of(about.value)


@blueprint.get("/feeds/hub.atom", defaults={"kind": "hub", "code": None})
@blueprint.get("/feeds/<any(partner, region, departement, theme):kind>/<code>.atom")
def atom(kind: str, code: str | None) -> Response:
    """The feed, newest entries first (none for a partner, place or theme the hub has no initiative of)."""
    site = get_site()
    snapshot = site.store.snapshot()
    scope, title, wanted, about = _feed(kind, code)
    etag = etag_for(snapshot, "atom", kind, code)
    if not_modified(etag, snapshot.info.published):
        return not_modified_response(etag, snapshot.info.published)
    self_url = site.hub.iri("feeds", f"{kind}.atom" if code is None else f"{kind}/{code}.atom")
    updated = snapshot.info.published.isoformat().replace("+00:00", "Z")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
        f"<id>{escape(self_url)}</id><title>{escape(title)}</title><updated>{updated}</updated>"
        f'<link rel="self" type={quoteattr(ATOM)} href={quoteattr(self_url)}/>'
        f'<link rel="alternate" type="text/html" href={quoteattr(about)}/>'
        f"<author><name>Carrefour des innovations sociales</name></author>"
        + "".join(_entries(snapshot, site.hub, scope, wanted))
        + "</feed>\n"
    )
    return cacheable(Response(body, content_type=f"{ATOM}; charset=utf-8"), etag, snapshot.info.published)


def init_app(app: Flask) -> None:
    """Templates get ``atom_feed(iri)``: the URL of a resource's feed, or None."""

    @app.context_processor
    def atom_feed() -> dict[str, object]:
        hub = get_site().hub
        return {"atom_feed": lambda iri: (hub.base + path) if (path := feed_path(hub, iri)) else None}
