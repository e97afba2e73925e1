"""The vocabulary as the web layer reads it: term labels, classes, properties.

Read from the published ontology graph (so a new vocabulary is served with the
version that brought it), once per version.  Pages use the labels to name
properties and types in French or English; the JSON-LD context gives a short
term to each class and property.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.artifacts.ontology import ontology_quads
from carrefour.store.base import Snapshot
from carrefour.vocab import DCT, EXTERNAL_PREFIXES, FOAF, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SD, SKOS, Hub
from server.describe import HYDRA
from server.reused_terms import REUSED_LABELS

# Reused properties whose values are resources: their JSON-LD terms take IRIs as plain strings.
REUSED_LINKS = frozenset(
    SCHEMA + name for name in ("url", "location", "address", "sameAs")
) | frozenset(
    {
        DCT + "source", DCT + "license", DCT + "publisher", ORG + "memberOf", ORG + "postIn", ORG + "role",
        PROV + "wasDerivedFrom", PROV + "wasGeneratedBy", PROV + "wasAttributedTo", PROV + "wasAssociatedWith",
        PROV + "used", OWL + "sameAs", SKOS + "broader", SKOS + "inScheme", SKOS + "topConceptOf",
        SKOS + "hasTopConcept", SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch",
        FOAF + "homepage",
    }
)  # fmt: skip

_TYPE = ox.NamedNode(RDF + "type")
_LABEL = ox.NamedNode(RDFS + "label")
_COMMENT = ox.NamedNode(RDFS + "comment")
_CLASS = ox.NamedNode(OWL + "Class")
_OBJECT_PROPERTY = ox.NamedNode(OWL + "ObjectProperty")
_DATATYPE_PROPERTY = ox.NamedNode(OWL + "DatatypeProperty")


def vocabulary_prefixes(hub: Hub) -> dict[str, str]:
    """The prefixes of the vocabularies descriptions use (the hub's resources keep full IRIs)."""
    return {"cf": hub.ns, **EXTERNAL_PREFIXES, "hydra": HYDRA, "sd": SD}  # sd: graphs are described with it


def pick(texts: dict[str, str], lang: str) -> str | None:
    """The text in ``lang``, else untagged (partners rarely tag names), else French, else English, else any."""
    for candidate in (lang, "", "fr", "en"):
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()), None)


@dataclass(frozen=True)
class Vocabulary:
    labels: dict[str, dict[str, str]]  # term IRI -> language ("" untagged) -> label
    comments: dict[str, dict[str, str]]
    classes: tuple[str, ...]  # the hub's classes, sorted
    properties: tuple[str, ...]  # the hub's properties, then the reused ones it labels, each sorted
    links: frozenset[str]  # properties whose values are resources

    def label(self, iri: str, lang: str) -> str | None:
        """The term's label in the ontology, else the hub's name for a reused term (``skos:notation``: « code »)."""
        return pick(self.labels.get(iri) or REUSED_LABELS.get(iri, {}), lang)

    def comment(self, iri: str, lang: str) -> str | None:
        return pick(self.comments.get(iri, {}), lang)


def _texts(quads: list[ox.Quad], predicate: ox.NamedNode) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for quad in quads:
        if quad.predicate == predicate and isinstance(quad.object, ox.Literal):
            found.setdefault(quad.subject.value, {}).setdefault(quad.object.language or "", quad.object.value)
    return found


def load_vocabulary(snapshot: Snapshot, hub: Hub) -> Vocabulary:
    """Read the vocabulary of the published version (its ontology graph, from the version's artifacts)."""
    quads = ontology_quads(snapshot, hub)
    typed: dict[str, set[ox.NamedNode]] = {}
    for quad in quads:
        if quad.predicate == _TYPE and isinstance(quad.object, ox.NamedNode):
            typed.setdefault(quad.subject.value, set()).add(quad.object)
    labels = _texts(quads, _LABEL)
    own_properties = sorted(
        iri for iri, types in typed.items() if types & {_OBJECT_PROPERTY, _DATATYPE_PROPERTY} and hub.is_local(iri)
    )
    reused = sorted(iri for iri in labels if iri not in typed and not hub.is_local(iri) and iri != _TYPE.value)
    return Vocabulary(
        labels=labels,
        comments=_texts(quads, _COMMENT),
        classes=tuple(sorted(iri for iri, types in typed.items() if _CLASS in types and hub.is_local(iri))),
        properties=tuple(own_properties + reused),
        links=frozenset({iri for iri, types in typed.items() if _OBJECT_PROPERTY in types} | REUSED_LINKS),
    )
