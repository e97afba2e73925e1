"""Fixture data published next to the synthetic initiatives: a partner whose text is hostile.

Partner ``hostile`` publishes an initiative whose name, description, locality and
links carry HTML and script injections, an actor carrying more initiatives than one
page holds, a taxonomy, and everything a harvest leaves: a provenance graph (the
activity, each record's times), a removal in graph/changes, and a validation report
of two broken records (made by the real validator; they are not published).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts
from carrefour.store.base import Store
from carrefour.vocab import DCT, FOAF, GEO, RDF, SCHEMA, SKOS, XSD, Graphs, Hub
from loader.provenance import HarvestCounts, activity_iri, activity_triples, record_provenance, removal_triples
from loader.validation import Validator

PARTNER = "hostile"
SCRIPT_NAME = '<script>alert("name")</script> Épicerie des Écoles'
BREAKOUT = '</script><script>alert("breakout")</script>'
IMG_PROBE = '"><img src=x onerror=alert("img")>'
JAVASCRIPT_URL = "javascript:alert(document.domain)"
BIG_ACTOR_ITEMS = 120
STARTED = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ENDED = datetime(2025, 3, 1, 8, 5, tzinfo=UTC)


def _t(s: ox.NamedNode, p: str | ox.NamedNode, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(s, p if isinstance(p, ox.NamedNode) else ox.NamedNode(p), o)


class HostileData:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.xss = hub.node("initiative", PARTNER, "epicerie-des-ecoles")
        self.big_actor = hub.node("actor", PARTNER, "grand-reseau")
        self.funder = hub.node("actor", PARTNER, "fondation-des-communs")
        self.items = [hub.node("initiative", PARTNER, f"atelier-{n:03d}") for n in range(BIG_ACTOR_ITEMS)]
        self.taxonomy = hub.node("taxonomy", PARTNER, "categories")
        self.category = hub.node("taxonomy", PARTNER, "categories", "cafe-reparation")
        self.activity = activity_iri(hub, PARTNER, STARTED)
        self.report = hub.node("report", PARTNER)
        self.change = hub.node("change", PARTNER, ENDED.strftime("%Y%m%dT%H%M%SZ") + "-1")

    def records(self) -> list[ox.Triple]:
        hub, cf = self.hub, self.hub.term
        xss, address = self.xss, ox.NamedNode(self.xss.value + "#address")
        funding = ox.NamedNode(self.xss.value + "#funding-1")
        decimal = ox.NamedNode(XSD + "decimal")
        triples = [
            _t(xss, RDF + "type", cf("Initiative")),
            _t(xss, SCHEMA + "name", ox.Literal(SCRIPT_NAME)),
            _t(xss, SCHEMA + "name", ox.Literal("School grocery <b>bold</b>", language="en")),
            _t(xss, SCHEMA + "description", ox.Literal(f"Une épicerie {BREAKOUT} {IMG_PROBE} & co", language="fr")),
            _t(xss, SCHEMA + "url", ox.NamedNode(JAVASCRIPT_URL)),
            _t(xss, cf("theme"), hub.concept("theme", "food-transition")),
            _t(xss, cf("carriedBy"), self.big_actor),
            _t(xss, cf("locatedIn"), hub.node("territory", "region", "53")),
            _t(xss, cf("partnerCategory"), self.category),
            _t(xss, cf("recordKey"), ox.Literal("xss-1")),
            _t(xss, SCHEMA + "location", address),
            _t(address, RDF + "type", ox.NamedNode(SCHEMA + "PostalAddress")),
            _t(address, SCHEMA + "streetAddress", ox.Literal(f"1 rue {IMG_PROBE}")),
            _t(address, SCHEMA + "postalCode", ox.Literal("29200")),
            _t(address, SCHEMA + "addressLocality", ox.Literal(f"Brest {BREAKOUT}")),
            _t(address, GEO + "lat", ox.Literal("48.390394", datatype=decimal)),
            _t(address, GEO + "long", ox.Literal("-4.486076", datatype=decimal)),
            _t(xss, cf("fundedBy"), self.funder),
            _t(xss, cf("funding"), funding),
            _t(funding, RDF + "type", cf("Funding")),
            _t(funding, cf("funder"), self.funder),
            _t(funding, cf("amount"), ox.Literal("15000", datatype=decimal)),
            _t(funding, cf("year"), ox.Literal("2024", datatype=ox.NamedNode(XSD + "gYear"))),
            _t(self.funder, RDF + "type", cf("Actor")),
            _t(self.funder, SCHEMA + "name", ox.Literal("Fondation des communs")),
            _t(self.funder, cf("recordKey"), ox.Literal("actor-2")),
            _t(self.big_actor, RDF + "type", cf("Actor")),
            _t(self.big_actor, SCHEMA + "name", ox.Literal("Grand réseau des ateliers")),
            _t(self.big_actor, cf("recordKey"), ox.Literal("actor-1")),
        ]
        for number, item in enumerate(self.items):
            triples += [
                _t(item, RDF + "type", cf("Initiative")),
                _t(item, SCHEMA + "name", ox.Literal(f"Atelier numérique Pétaouchnok {number:03d}")),
                _t(item, cf("carriedBy"), self.big_actor),
                _t(item, cf("theme"), hub.concept("theme", "digital-inclusion")),
                _t(item, cf("recordKey"), ox.Literal(f"item-{number}")),
            ]
        return triples

    def broken(self) -> list[ox.Triple]:
        """Two records that break the shapes: no name; a postal code that is no postal code."""
        cf = self.hub.term
        nameless = self.hub.node("initiative", PARTNER, "sans-nom")
        bad_code = self.hub.node("initiative", PARTNER, "code-faux")
        address = ox.NamedNode(bad_code.value + "#address")
        return [
            _t(nameless, RDF + "type", cf("Initiative")),
            _t(nameless, SCHEMA + "description", ox.Literal(f"Sans nom {BREAKOUT}", language="fr")),
            _t(nameless, cf("recordKey"), ox.Literal("broken-1")),
            _t(bad_code, RDF + "type", cf("Initiative")),
            _t(bad_code, SCHEMA + "name", ox.Literal("Code postal faux")),
            _t(bad_code, cf("recordKey"), ox.Literal("broken-2")),
            _t(bad_code, SCHEMA + "location", address),
            _t(address, RDF + "type", ox.NamedNode(SCHEMA + "PostalAddress")),
            _t(address, SCHEMA + "postalCode", ox.Literal(f"<b>{IMG_PROBE}</b>")),
        ]

    def partner(self) -> list[ox.Triple]:
        partner, graph = self.hub.partner(PARTNER), self.hub.graph("partner", PARTNER)
        licence = ox.NamedNode("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
        return [
            _t(partner, RDF + "type", self.hub.term("Partner")),
            _t(partner, SCHEMA + "name", ox.Literal("Partenaire <i>hostile</i>")),
            _t(partner, FOAF + "homepage", ox.NamedNode("https://hostile.example.org/")),
            _t(partner, DCT + "license", licence),
            _t(partner, self.hub.term("taxonomy"), self.taxonomy),
            _t(graph, DCT + "publisher", partner),
            _t(graph, DCT + "license", licence),
        ]

    def taxonomy_triples(self) -> list[ox.Triple]:
        return [
            _t(self.taxonomy, RDF + "type", ox.NamedNode(SKOS + "ConceptScheme")),
            _t(self.taxonomy, SKOS + "prefLabel", ox.Literal("Catégories <hostiles>", language="fr")),
            _t(self.category, RDF + "type", ox.NamedNode(SKOS + "Concept")),
            _t(self.category, SKOS + "inScheme", self.taxonomy),
            _t(self.category, SKOS + "notation", ox.Literal("Café réparation")),
            _t(self.category, SKOS + "prefLabel", ox.Literal("Café réparation", language="fr")),
            _t(self.category, SKOS + "broadMatch", self.hub.concept("theme", "circular-economy")),
        ]

    def provenance(self, records: list[ox.Triple]) -> list[ox.Triple]:
        iris = {t.subject.value for t in records if "#" not in t.subject.value}
        counts = HarvestCounts(read=len(iris) + 2, loaded=len(iris), rejected=2)
        triples = activity_triples(self.hub, PARTNER, STARTED, ENDED, "https://hostile.example.org/feed.csv", counts)
        return triples + record_provenance(self.hub, self.activity, ENDED, dict.fromkeys(iris, ""), iris, {})


def publish_hostile(store: Store, hub: Hub, validator: Validator) -> HostileData:
    """Add the hostile partner's graphs to the published version (one more write session)."""
    data = HostileData(hub)
    graphs = Graphs(hub)
    records = data.records()
    report = validator.validate([*records, *data.broken()])
    with store.writer() as writer:
        writer.replace_graph(graphs.partner_data(PARTNER), records)
        writer.replace_graph(graphs.partner_provenance(PARTNER), data.provenance(records))
        writer.replace_graph(graphs.partner_taxonomy(PARTNER), data.taxonomy_triples())
        writer.replace_graph(graphs.partner_report(PARTNER), report.to_rdf(data.report.value))
        removed = {hub.iri("initiative", PARTNER, "fermee"): "closed-1"}
        writer.replace_graph(graphs.changes, removal_triples(hub, PARTNER, ENDED, removed))
        writer.replace_graph(graphs.partners, [*writer.quads(graph=graphs.partners), *data.partner()])
        build_artifacts(writer, hub)
    return data
