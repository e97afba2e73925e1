"""The records of a version as the catalogue lists them, read once from the store at publication.

A record is an initiative, a support programme or an actor with a page of its own
(fragments such as ``…#address`` belong to their record).  Each gets what its card and
its filters need: names and descriptions by language, its partner graphs, the concepts
it is filed under (theme, audience, method, support type, actor type, legal form,
status), where it is (``cf:locatedIn``) and what it serves (``cf:areaServed``), its own
coordinates, commune, website and last change.  An initiative is also filed under the
actor type and legal form of the actors that carry it: "initiatives carried by a SCIC".
Concepts, partners and territories are read too, for the search's "see also" list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from carrefour.artifacts.search import DESCRIPTIONS_OF, NAMES, OTHER_NAMES, LiteralTexts, indexed_kinds, title_of
from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import DCT, GEO, RDF, SCHEMA, Hub

View = Snapshot | Writer
RECORD_KINDS = ("programme", "initiative", "actor")  # the kinds a card stands for, strongest first
# Facet name -> property of the hub's vocabulary whose values are concepts of a shared scheme.
CONCEPT_FACETS = {
    "theme": "theme",
    "audience": "audience",
    "method": "method",
    "support": "supportType",
    "actor-type": "actorType",
    "legal-form": "legalForm",
    "status": "status",
    "stage": "supportedStage",
}
CARRIED = ("actor-type", "legal-form")  # an initiative is also filed under its carriers' values
CURATED = "curated"  # the partner id of the hub's curated data


@dataclass
class Record:
    iri: str
    kind: str
    names: dict[str, str]  # text -> language ("" untagged)
    other_names: list[str]
    descriptions: dict[str, str]  # text -> language
    partners: set[str] = field(default_factory=set)  # partner ids ("curated" for the hub's own data)
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # facet -> concept IRIs
    categories: set[str] = field(default_factory=set)  # its partner's own categories (cf:partnerCategory)
    located: set[str] = field(default_factory=set)  # territory IRIs
    served: set[str] = field(default_factory=set)
    point: tuple[float, float] | None = None  # (lat, lon) of its own
    locality: str = ""  # the address's town as written, when no commune was recognised
    website: str = ""
    modified: str = ""  # ISO date-time of its last change

    @property
    def name(self) -> str:
        return title_of(self.names)

    def name_in(self, lang: str) -> str:
        return next((text for text, tag in self.names.items() if tag == lang), "") or self.name


def _record_of(iri: str) -> str:
    return iri.split("#", 1)[0]


def _objects(view: View, predicate: str, fragments: bool = True) -> dict[str, list[ox.Term]]:
    """Record IRI -> objects of ``predicate`` on it (and on its fragment nodes, unless ``fragments`` is false)."""
    found: dict[str, list[ox.Term]] = defaultdict(list)
    for quad in view.quads(None, ox.NamedNode(predicate), None):
        if isinstance(quad.subject, ox.NamedNode) and (fragments or "#" not in quad.subject.value):
            found[_record_of(quad.subject.value)].append(quad.object)
    return found


def _kinds_and_partners(view: View, hub: Hub) -> tuple[dict[str, str], dict[str, set[str]]]:
    kinds: dict[str, str] = {}
    partners: dict[str, set[str]] = defaultdict(set)
    prefix = hub.iri("graph", "partner") + "/"
    curated = hub.iri("graph", CURATED)
    rdf_type = ox.NamedNode(RDF + "type")
    for class_iri, kind in indexed_kinds(hub):
        for quad in view.quads(None, rdf_type, ox.NamedNode(class_iri)):
            subject, graph = quad.subject, quad.graph_name
            if not isinstance(subject, ox.NamedNode) or not hub.is_local(subject.value) or "#" in subject.value:
                continue
            kinds[subject.value] = kind
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix):
                partners[subject.value].add(graph.value[len(prefix) :])
            elif isinstance(graph, ox.NamedNode) and graph.value == curated:
                partners[subject.value].add(CURATED)
    return kinds, partners


def _point(lats: list[ox.Term], longs: list[ox.Term]) -> tuple[float, float] | None:
    """The first of a record's coordinates in the order of their text (the store's order is its own)."""
    try:
        lat, lon = float(min(t.value for t in lats)), float(min(t.value for t in longs))
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0) else None


def read_records(view: View, hub: Hub, texts: LiteralTexts | None = None) -> tuple[list[Record], list[Record]]:
    """(records people look for, the other resources the search names: concepts, partners, territories)."""
    texts = texts or LiteralTexts(view)
    kinds, partners = _kinds_and_partners(view, hub)
    names, others, descriptions = texts(NAMES), texts(OTHER_NAMES), texts(DESCRIPTIONS_OF)
    records: dict[str, Record] = {}
    for iri, kind in kinds.items():
        record = Record(iri, kind, names.get(iri, {}), list(others.get(iri, {})), descriptions.get(iri, {}))
        if not record.names and record.other_names:
            record.names = {record.other_names.pop(0): ""}
        if record.names:
            record.partners = partners.get(iri, set())
            records[iri] = record
    _add_facts(view, hub, records)
    found = list(records.values())
    return [r for r in found if r.kind in RECORD_KINDS], [r for r in found if r.kind not in RECORD_KINDS]


def _add_facts(view: View, hub: Hub, records: dict[str, Record]) -> None:
    for facet, local in CONCEPT_FACETS.items():  # not a fragment's: a cf:Support node tells support received
        for iri, values in _objects(view, hub.ns + local, fragments=False).items():
            if iri in records:
                records[iri].values[facet].update(v.value for v in values if isinstance(v, ox.NamedNode))
    for local, attribute in (("locatedIn", "located"), ("areaServed", "served"), ("partnerCategory", "categories")):
        for iri, values in _objects(view, hub.ns + local).items():
            if iri in records:
                getattr(records[iri], attribute).update(v.value for v in values if isinstance(v, ox.NamedNode))
    for iri, carriers in _objects(view, hub.ns + "carriedBy").items():
        record = records.get(iri)
        for carrier in (records.get(c.value) for c in carriers):
            if record is not None and carrier is not None:
                for facet in CARRIED:
                    record.values[facet] |= carrier.values.get(facet, set())
    lats, longs = _objects(view, GEO + "lat"), _objects(view, GEO + "long")
    for iri in lats.keys() & longs.keys() & records.keys():
        records[iri].point = _point(lats[iri], longs[iri])
    for predicate, attribute in ((SCHEMA + "addressLocality", "locality"), (SCHEMA + "url", "website")):
        for iri, values in _objects(view, predicate).items():
            if iri in records and values:
                setattr(records[iri], attribute, min(v.value for v in values))
    for predicate in (DCT + "modified", SCHEMA + "dateModified"):
        for iri, values in _objects(view, predicate).items():
            if iri in records:
                records[iri].modified = max([records[iri].modified, *(v.value for v in values)])
