"""One card per real initiative: what each partner that documents it says, side by side.

The hub links two partners' records of one initiative (``owl:sameAs`` in graph/links,
with a ``cf:IdentityLink`` giving the evidence: loader/linking.py).  Each record keeps
its own IRI and its own page; the page of any of them shows the others' statements
next to its own, each under the partner that said it, its licence and harvest, and
why the hub matched them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.vocab import SCHEMA
from server.describe import Description
from server.page_model import PageBuilder, Source, Value
from server.twin_names import twins

SUMMARY = ("theme", "audience", "status", "carriedBy")  # hub properties a twin's summary shows
MAX_DESCRIPTION = 320


@dataclass
class TwinView:
    record: Value  # its name, linked to its own page
    partner: Value
    licence: Value | None
    harvested: str | None
    said: list[tuple[str, list[Value]]]  # (property label, values) of what it says
    evidence: list[str]  # how the hub matched it with the page's record
    current: bool  # the page's own record


def _evidence(builder: PageBuilder, other: ox.NamedNode) -> list[str]:
    hub, snapshot, main = builder.hub, builder.snapshot, ox.NamedNode(builder.main)
    found = []
    for source, target in ((main, other), (other, main)):
        for quad in snapshot.quads(None, hub.term("linkSource"), source, hub.graph("links")):
            if any(snapshot.quads(quad.subject, hub.term("linkTarget"), target, hub.graph("links"))):
                found += [q.object.value for q in snapshot.quads(quad.subject, ox.NamedNode(SCHEMA + "name"), None)]
    return sorted(set(found))


def _said(builder: PageBuilder) -> list[tuple[str, list[Value]]]:
    """A record's main statements: description (cut), address, website, and a few linked values."""
    main = builder.main
    said: list[tuple[str, list[Value]]] = []
    for predicate in (SCHEMA + "description", SCHEMA + "url", *(builder.hub.ns + local for local in SUMMARY)):
        terms = [q.object for q in builder.quads_of(main) if q.predicate.value == predicate]
        values = [builder.value(term) for term in dict.fromkeys(terms)]
        values = [v for v in values if v.lang in (None, builder.lang)] or values[:1]
        for value in values:
            if len(value.text) > MAX_DESCRIPTION:
                value.text = value.text[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
        if values:
            said.append((builder.vocabulary.label(predicate, builder.lang) or builder.short(predicate), values))
    address = builder.address()
    if address is not None and address.lines:
        label = builder.vocabulary.label(SCHEMA + "address", builder.lang) or builder.short(SCHEMA + "address")
        said.insert(1, (label, [Value(", ".join(address.lines))]))
    return said


def _partner_source(sources: list[Source]) -> Source | None:
    return next((s for s in sources if s.name.href and "/graph/partner/" in s.graph), None)


def _view(builder: PageBuilder, current: bool, evidence: list[str]) -> TwinView | None:
    source = _partner_source(builder.sources())
    if source is None:
        return None
    record = Value(builder.title_of(builder.main), href=None if current else builder.href(builder.main))
    return TwinView(record, source.name, source.licence, source.harvested, _said(builder), evidence, current)


def twin_views(builder: PageBuilder) -> list[TwinView]:
    """The page's record and each of its twins, as its partner describes it; empty when it has no twin."""
    found = twins(builder.snapshot, ox.NamedNode(builder.main))
    if not found:
        return []
    views = [_view(builder, True, [])]
    describer, hub = builder.describer, builder.hub
    for twin in found:
        own = builder.snapshot.describe(twin)
        if not own:
            continue
        objects = (q.object for q in own if isinstance(q.object, ox.NamedNode))
        targets = list({term: None for term in objects if hub.is_local(term.value)})
        linked = [t for found_labels in describer.labels_of(builder.snapshot, targets).values() for t in found_labels]
        description = Description(twin, own, linked, [], None)
        twin_builder = PageBuilder(hub, describer, builder.vocabulary, builder.snapshot, description, builder.lang)
        views.append(_view(twin_builder, False, _evidence(builder, twin)))
    return [view for view in views if view is not None]
