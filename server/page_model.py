"""A description shaped for a person reading it: titles, labelled values, sections.

Every value a partner wrote stays text: templates escape it (autoescape), and links
are only made to the hub's own pages, to in-page anchors, or to ``http``, ``https``
and ``mailto`` addresses — a ``javascript:`` URL in a feed is shown, never linked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from carrefour.artifacts.licences import graph_licence, known
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, GEO, PROV, RDF, SCHEMA, SKOS, VOID, XSD, Hub
from server.describe import LABELS, LICENSE, RESULT, TYPE, VALIDATION_REPORT, Describer, Description, Page
from server.display import NUMBER_TYPES, amount, literal_text, moment, percent
from server.graph_description import GraphAccess
from server.i18n import translate, with_language
from server.report_view import ReportView, report_view
from server.twin_names import twins, with_intact_name
from server.vocabulary import Vocabulary, pick, vocabulary_prefixes

SAFE_SCHEMES = ("http://", "https://", "mailto:")
_PLAIN_TYPES = {XSD + "string", RDF + "langString"}
_STAMPED = re.compile(r"(harvest|change)/([^/]+)/(\d{8}T\d{6}Z)(?:-(\d+))?")
_QUANTITIES = {SCHEMA + "value", SCHEMA + "minValue", SCHEMA + "maxValue"}
_UNITS = {"EUR": amount, "%": percent}
_FIRST, _REST, _NIL = RDF + "first", RDF + "rest", RDF + "nil"
_GENERATED_AT = ox.NamedNode(PROV + "generatedAtTime")
_NAMES = (*LABELS, ox.NamedNode(DCT + "title"))

# Properties shown first, in this order; the others follow by label.
PREFERRED = [SCHEMA + "name", SCHEMA + "alternateName", SCHEMA + "legalName", SKOS + "prefLabel",
             SCHEMA + "description", SKOS + "definition", RDF + "type", SCHEMA + "url"]  # fmt: skip
PREFERRED_HUB = ["theme", "audience", "method", "status", "supportType", "carriedBy", "fundedBy", "funding",
                 "supportedBy", "support", "locatedIn", "areaServed"]  # fmt: skip

# How the resources pointing here are introduced, by the property they point with.
INVERSE_HEADINGS: dict[str, dict[str, str]] = {
    "carriedBy": {"fr": "Initiatives portées", "en": "Initiatives carried"},
    "fundedBy": {"fr": "Financements accordés", "en": "Funds given"},
    "funder": {"fr": "Financements accordés", "en": "Funds given"},
    "supportedBy": {"fr": "Accompagnements", "en": "Support given"},
    "supporter": {"fr": "Accompagnements", "en": "Support given"},
    "theme": {"fr": "Dans ce domaine", "en": "In this domain"},
    "audience": {"fr": "Pour ce public", "en": "For this audience"},
    "method": {"fr": "Avec cette méthode", "en": "With this method"},
    "status": {"fr": "À cette étape", "en": "At this stage"},
    "actorType": {"fr": "Acteurs de ce type", "en": "Actors of this type"},
    "legalForm": {"fr": "Acteurs de cette forme juridique", "en": "Actors with this legal form"},
    "locatedIn": {"fr": "Situés ici", "en": "Located here"},
    "areaServed": {"fr": "Agissent ici", "en": "Acting here"},
    "partnerCategory": {"fr": "Fiches de cette catégorie", "en": "Records in this category"},
    "partner": {"fr": "Moissonnages, rapports et retraits", "en": "Harvests, reports and removals"},
    "wasAttributedTo": {"fr": "Fiches publiées par ce partenaire", "en": "Records published by this partner"},
    "wasGeneratedBy": {"fr": "Produits par ce moissonnage", "en": "Produced by this harvest"},
    "broader": {"fr": "Subdivisions", "en": "Subdivisions"},
    "inScheme": {"fr": "Concepts du schéma", "en": "Concepts of the scheme"},
    "publisher": {"fr": "Graphes publiés par ce partenaire", "en": "Graphs published by this partner"},
    "sameAs": {"fr": "Mêmes ressources chez d'autres partenaires", "en": "The same at other partners"},
}


@dataclass
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None  # the language of a text, shown small (never a datatype)


@dataclass
class Statement:
    predicate: str
    label: str
    href: str | None
    values: list[Value]


@dataclass
class NodeView:
    iri: str
    anchor: str | None
    title: str
    statements: list[Statement]


@dataclass
class Address:
    lines: list[str]
    latitude: float | None = None
    longitude: float | None = None

    @property
    def map_url(self) -> str | None:
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


@dataclass
class Source:
    graph: str
    name: Value
    statements: int
    licence: Value | None = None
    harvested: str | None = None


@dataclass
class Group:
    heading: str
    items: list[Value]


@dataclass
class ResourcePage:
    iri: str
    title: str
    types: list[Value]
    description: str | None
    nodes: list[NodeView]
    address: Address | None
    sources: list[Source]
    groups: list[Group]
    page: Page | None
    report: ReportView | None = None  # a validation report: verdict, rules, results
    graph: GraphAccess | None = None  # a named graph: how to get its triples
    triples: int | None = None  # a named graph's size
    partner_report: Value | None = None  # a partner's or a harvest's validation report


class PageBuilder:
    """Turns a description into a :class:`ResourcePage` in one language."""

    def __init__(
        self,
        hub: Hub,
        describer: Describer,
        vocabulary: Vocabulary,
        snapshot: Snapshot,
        description: Description,
        lang: str,
    ) -> None:
        self.hub, self.describer, self.vocabulary, self.snapshot = hub, describer, vocabulary, snapshot
        self.description = description
        self.lang = lang
        self.main = description.iri.value
        self._prefixes = {namespace: name for name, namespace in vocabulary_prefixes(hub).items()}
        self._preferred = PREFERRED + [hub.ns + local for local in PREFERRED_HUB]
        self.names: dict[str, dict[str, str]] = {}
        self._remember_names([*(q.triple for q in description.own), *description.linked])
        if self.main in self.names:
            self.names[self.main] = with_intact_name(self.names[self.main], self._twin_names)
        self._by_subject: dict[str, list[ox.Quad]] = {}
        for quad in description.own:
            key = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else "_:" + quad.subject.value
            self._by_subject.setdefault(key, []).append(quad)

    # -- words -------------------------------------------------------------------------

    def _remember_names(self, triples: list[ox.Triple]) -> None:
        for triple in triples:
            if triple.predicate in _NAMES and isinstance(triple.object, ox.Literal):
                names = self.names.setdefault(triple.subject.value, {})
                names.setdefault(triple.object.language or "", triple.object.value)

    def _twin_names(self) -> list[dict[str, str]]:
        labels = self.describer.labels_of(self.snapshot, twins(self.snapshot, self.description.iri))
        self._remember_names([triple for found in labels.values() for triple in found])
        return [self.names.get(twin.value, {}) for twin in labels]

    def short(self, iri: str) -> str:
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        name = self._prefixes.get(iri[:cut])
        if name is not None and cut < len(iri):
            return f"{name}:{iri[cut:]}"
        page = self.hub.page_of(iri)
        return page[len(self.hub.base) :] if page.startswith(self.hub.base) else iri

    def title_of(self, iri: str) -> str:
        name = pick(self.names.get(iri, {}), self.lang) or self.vocabulary.label(iri, self.lang)
        if name:
            return name
        dated = self._dated_title(iri)
        if dated:
            return dated
        licence = known(iri)
        if licence is not None:
            return licence.fr if self.lang == "fr" else licence.en
        if iri.startswith(self.main + "#"):  # a fragment node: named after the property that leads to it
            for quad in self.description.own:
                if quad.object.value == iri and isinstance(quad.object, ox.NamedNode) and quad.subject.value != iri:
                    label = self.vocabulary.label(quad.predicate.value, self.lang) or self.short(quad.predicate.value)
                    return f"{label} ({iri.rsplit('#', 1)[1]})"
        return self.short(iri)

    def _dated_title(self, iri: str) -> str | None:
        """A harvest or a removal, which have no name: what it is, whose, and when (its IRI's stamp)."""
        match = _STAMPED.fullmatch(iri[len(self.hub.base) :]) if self.hub.is_local(iri) else None
        if match is None:
            return None
        kind, partner_id, stamp, number = match.groups()
        partner = pick(self.names.get(self.hub.partner(partner_id).value, {}), self.lang) or partner_id
        moment_text = moment(datetime.strptime(stamp, "%Y%m%dT%H%M%S%z"), self.lang)
        title = f"{translate(self.lang, 'kind_' + kind)} — {partner} — {moment_text}"
        return f"{title} ({translate(self.lang, 'number_sign')}{number})" if number else title

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.main + "#"):
            return iri[len(self.main) :]
        if self.hub.is_local(iri):
            return with_language(self.hub.page_of(iri), self.lang)
        return iri if iri.startswith(SAFE_SCHEMES) else None

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, unit: str | None = None) -> Value:
        """A term as shown: a literal in the page's writing of its datatype (never the datatype itself),
        in euros or per cent when ``unit`` says so (``EUR``, ``%``); a resource by its name, linked."""
        if isinstance(term, ox.Literal):
            if term.language:
                return Value(term.value, lang=term.language, note=term.language)
            datatype = term.datatype.value
            if unit in _UNITS and datatype in NUMBER_TYPES:
                return Value(_UNITS[unit](term.value, self.lang))
            return Value(literal_text(term.value, datatype, self.lang))
        if isinstance(term, ox.BlankNode):
            return Value(self._blank_text(term, depth=0))
        return Value(self.title_of(term.value), href=self.href(term.value))

    def _blank_text(self, node: ox.BlankNode, depth: int) -> str:
        """A blank node as text: ``( a b )`` for an RDF list, ``[ p v ; … ]`` otherwise."""
        quads = self._by_subject.get("_:" + node.value, [])
        if depth > 4:
            return "[…]"
        items = self._list_items(node)
        if items is not None:
            return "( " + " ".join(self._term_text(item, depth) for item in items) + " )"
        parts = [f"{self.short(q.predicate.value)} {self._term_text(q.object, depth)}" for q in quads]
        return "[ " + " ; ".join(parts) + " ]"

    def _term_text(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, depth: int) -> str:
        if isinstance(term, ox.BlankNode):
            return self._blank_text(term, depth + 1)
        if isinstance(term, ox.Literal):
            return repr(term.value) if term.datatype.value in _PLAIN_TYPES else term.value
        return self.short(term.value)

    def _list_items(self, node: ox.BlankNode) -> list[ox.NamedNode | ox.BlankNode | ox.Literal] | None:
        items = []
        current: ox.NamedNode | ox.BlankNode | ox.Literal = node
        for _ in range(1000):
            if isinstance(current, ox.NamedNode) and current.value == _NIL:
                return items
            if not isinstance(current, ox.BlankNode):
                return None
            quads = {q.predicate.value: q.object for q in self._by_subject.get("_:" + current.value, [])}
            if set(quads) != {_FIRST, _REST}:
                return None
            items.append(quads[_FIRST])
            current = quads[_REST]
        return None

    # -- sections ---------------------------------------------------------------------------

    def _order(self, predicate: str) -> tuple[int, str]:
        preferred = self._preferred
        rank = preferred.index(predicate) if predicate in preferred else len(preferred)
        return rank, (self.vocabulary.label(predicate, self.lang) or self.short(predicate)).lower()

    def _unit(self, predicate: str, quads: list[ox.Quad]) -> str | None:
        """The unit of a quantity: euros for ``cf:amount``; for a figure's values, its ``schema:unitText``."""
        if predicate == self.hub.ns + "amount":
            return "EUR"
        if predicate not in _QUANTITIES:
            return None
        units = [q.object.value for q in quads if q.predicate.value == SCHEMA + "unitText" and not q.object.language]
        return units[0] if len(units) == 1 else None

    def node(self, subject: str) -> NodeView:
        by_predicate: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
        quads = self._by_subject.get(subject, [])
        for quad in quads:
            values = by_predicate.setdefault(quad.predicate.value, [])
            if quad.object not in values:
                values.append(quad.object)
        statements = []
        for predicate in sorted(by_predicate, key=self._order):
            unit = self._unit(predicate, quads)
            values = [self.value(term, unit) for term in by_predicate[predicate]]
            values.sort(key=lambda v: v.lang not in (None, self.lang))
            label = self.vocabulary.label(predicate, self.lang) or self.short(predicate)
            statements.append(Statement(predicate, label, self.href(predicate), values))
        anchor = subject.split("#", 1)[1] if "#" in subject else None
        return NodeView(subject, anchor, self.title_of(subject), statements)

    def nodes(self, skip: set[str]) -> list[NodeView]:
        subjects = [s for s in self._by_subject if not s.startswith("_:") and s not in skip]
        subjects.sort(key=lambda s: (s != self.main, s))
        return [self.node(s) for s in subjects]

    def address(self) -> Address | None:
        for subject, quads in self._by_subject.items():
            if not any(q.predicate == TYPE and q.object.value == SCHEMA + "PostalAddress" for q in quads):
                continue
            fields = {q.predicate.value: q.object.value for q in quads if isinstance(q.object, ox.Literal)}
            locality = " ".join(fields[SCHEMA + k] for k in ("postalCode", "addressLocality") if SCHEMA + k in fields)
            lines = [line for line in (fields.get(SCHEMA + "streetAddress"), locality) if line]
            if subject == self.main or subject.startswith(self.main + "#"):
                latitude = _coordinate(fields.get(GEO + "lat"), 90)
                return Address(lines, latitude, _coordinate(fields.get(GEO + "long"), 180))
        return None

    def sources(self) -> list[Source]:
        counts = Counter(q.graph_name for q in self.description.own)
        sources = []
        for graph, count in counts.items():
            if not isinstance(graph, ox.NamedNode):
                sources.append(Source("", Value(translate(self.lang, "hub_graph")), count))
                continue
            meta = self.describer.graph_facts(self.snapshot, graph)
            partner = self._partner_of(graph.value)
            if partner is not None:
                name = Value(self.title_of(partner.value), href=self.href(partner.value))
                licence = meta.get(LICENSE) or self._partner_licence(partner)
            else:  # the hub's own graphs: the curated data, the vocabulary, the reference data
                stated = graph_licence(self.snapshot, self.hub, graph.value)
                name = Value(translate(self.lang, "hub_graph"))
                licence = meta.get(LICENSE) or (ox.NamedNode(stated) if stated is not None else None)
            harvested = meta.get(_GENERATED_AT)
            sources.append(
                Source(
                    graph.value,
                    name,
                    count,
                    self.value(licence) if licence is not None else None,
                    harvested.value if isinstance(harvested, ox.Literal) else None,
                )
            )
        return sources

    def _partner_of(self, graph: str) -> ox.NamedNode | None:
        for kind in ("partner", "taxonomy", "provenance", "report"):
            prefix = self.hub.iri("graph", kind) + "/"
            if graph.startswith(prefix):
                partner = self.hub.partner(graph[len(prefix) :])
                labels = self.describer.labels(self.snapshot, partner)
                self._remember_names(labels)
                return partner if labels else None  # graph/report/curated: the hub's own, no partner's
        return None

    def _partner_licence(self, partner: ox.NamedNode) -> ox.NamedNode | None:
        for triple in self.describer.labels(self.snapshot, partner):
            if triple.predicate == LICENSE and isinstance(triple.object, ox.NamedNode):
                return triple.object
        return None

    def groups(self) -> list[Group]:
        collection = self.description.collection
        if collection is None or collection.node.value.endswith("#results"):
            return []
        grouped: dict[str, list[Value]] = {}
        for member in collection.members:
            grouped.setdefault(member.predicate.value, []).append(
                Value(self.title_of(member.record.value), href=self.href(member.record.value))
            )
        return [Group(self._heading(predicate), items) for predicate, items in grouped.items()]

    def _heading(self, predicate: str) -> str:
        local = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        known = INVERSE_HEADINGS.get(local)
        if known is not None:
            return known[self.lang]
        return f"« {self.vocabulary.label(predicate, self.lang) or self.short(predicate)} »"

    def partner_report(self) -> Value | None:
        """The validation report of a partner's page or of its harvest's, shown first: their lists are long."""
        for kind in ("partner", "harvest"):
            prefix = self.hub.iri(kind) + "/"
            if self.main.startswith(prefix):
                partner_id = self.main[len(prefix) :].split("/", 1)[0]
                if self.describer.named_graphs.held(self.snapshot, self.hub.graph("report", partner_id)) is None:
                    return None
                report = self.hub.node("report", partner_id)
                self._remember_names(self.describer.labels(self.snapshot, report))
                return Value(self.title_of(report.value), href=self.href(report.value))
        return None

    def rule(self, shape: str) -> Value:
        """A shape of a validation result, linked to its anchor in the shapes document."""
        return Value(self.short(shape), href=self.href(shape))

    def quads_of(self, subject: str) -> list[ox.Quad]:
        """The description's statements about ``subject`` (an IRI, or ``_:id`` for a blank node)."""
        return self._by_subject.get(subject, [])

    def build(self) -> ResourcePage:
        description = self.description
        own_main = self._by_subject.get(self.main, [])
        types = [self.value(q.object) for q in own_main if q.predicate == TYPE]
        texts = {
            q.object.language or "": q.object.value
            for q in own_main
            if q.predicate.value in (SCHEMA + "description", SKOS + "definition", DCT + "description")
            and isinstance(q.object, ox.Literal)
        }
        is_report = any(q.predicate == TYPE and q.object == VALIDATION_REPORT for q in own_main)
        page = ResourcePage(
            iri=self.main,
            title=self.title_of(self.main),
            types=types,
            description=pick(texts, self.lang),
            nodes=[],
            address=self.address(),
            sources=self.sources(),
            groups=self.groups(),
            page=description.collection.page if description.collection else None,
            partner_report=self.partner_report(),
        )
        skip: set[str] = set()
        if is_report:
            page.report = report_view(self)
            skip = {m.record.value for m in description.collection.members} if description.collection else set()
        page.nodes = self.nodes(skip)
        if self.describer.named_graphs.held(self.snapshot, description.iri) is not None:
            page.graph = self.describer.named_graphs.access(self.snapshot, description.iri)
            sizes = [q.object.value for q in own_main if q.predicate.value == VOID + "triples"]
            page.triples = int(sizes[0]) if sizes else None
        if any(q.predicate == RESULT for q in own_main):
            page.nodes[0].statements = [s for s in page.nodes[0].statements if s.predicate != RESULT.value]
        return page


def _coordinate(text: str | None, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180) the map can show, else None."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and -limit <= value <= limit else None
