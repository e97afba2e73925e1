"""IRIs of the hub and of the vocabularies it reuses.

Two namespaces, built by ``Hub``:

* the **vocabulary** (``ontology#Initiative``), its shapes (``shapes#…``) and the shared
  concept schemes (``concept/theme/health``) live under one persistent namespace that
  does not depend on where an instance runs (``VOCABULARY``, a w3id.org permanent
  identifier: docs/ontology.md), so that partners' pages, dumps and every instance of
  the hub speak the same terms;
* **resources** (initiatives, actors, partners, territories, graphs) live under the
  instance's base URL.

Each instance serves the vocabulary's documents itself: ``{base}ontology``,
``{base}shapes`` and ``{base}concept/…`` describe the persistent IRIs (``page_of``).
The vocabulary, shapes and concept files are written with IRIs relative to the
vocabulary namespace; curated data names the vocabulary by its persistent IRIs and its
resources relative to the base.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "http://schema.org/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
ESSGLOBAL = "http://purl.org/essglobal/vocab/"
PAIR = "http://virtual-assembly.org/ontologies/pair#"
WD = "http://www.wikidata.org/entity/"

EXTERNAL_PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dct": DCT,
    "dcat": DCAT,
    "void": VOID,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
    "geo": GEO,
    "sh": SH,
    "foaf": FOAF,
    "essglobal": ESSGLOBAL,
    "pair": PAIR,
    "wd": WD,
}

RDF_TYPE = ox.NamedNode(RDF + "type")


def slugify(text: str, max_length: int = 60) -> str:
    """A readable, URL-safe slug: ``"Fabrique à Initiatives"`` → ``"fabrique-a-initiatives"``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or "x"


VOCABULARY = "https://w3id.org/carrefour/"
VOCABULARY_DOCUMENTS = ("ontology", "shapes")  # documents of the vocabulary namespace, served by every instance


class Hub:
    """The IRIs the hub mints under one base URL, and those of its persistent vocabulary."""

    def __init__(self, base_url: str, vocabulary: str = VOCABULARY) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        if not vocabulary.endswith("/"):
            vocabulary += "/"
        self.base = base_url
        self.vocabulary = vocabulary
        self.ns = vocabulary + "ontology#"

    def __eq__(self, other: object) -> bool:  # a value: two processes' hubs of one base are the same hub
        return isinstance(other, Hub) and (self.base, self.vocabulary) == (other.base, other.vocabulary)

    def __hash__(self) -> int:
        return hash((self.base, self.vocabulary))

    def term(self, local: str) -> ox.NamedNode:
        """A term of the hub's vocabulary, e.g. ``term("Initiative")``."""
        return ox.NamedNode(self.ns + local)

    def concept(self, *parts: str) -> ox.NamedNode:
        """A concept (or scheme) of the shared schemes: ``concept("theme", "health")``."""
        return ox.NamedNode(self.vocabulary + "/".join(("concept", *parts)))

    @property
    def ontology(self) -> ox.NamedNode:
        return ox.NamedNode(self.vocabulary + "ontology")

    def iri(self, *parts: str) -> str:
        return self.base + "/".join(parts)

    def node(self, *parts: str) -> ox.NamedNode:
        return ox.NamedNode(self.iri(*parts))

    def is_vocabulary(self, iri: str) -> bool:
        return iri.startswith(self.vocabulary)

    def resource_at(self, path: str) -> str:
        """The IRI this instance describes at ``{base}{path}``: the vocabulary's own under its namespace."""
        if path in VOCABULARY_DOCUMENTS or path.startswith("concept/"):
            return self.vocabulary + path
        return self.base + path

    def page_of(self, iri: str) -> str:
        """Where this instance shows ``iri``: the vocabulary's IRIs are shown here, the rest where they are."""
        if iri.startswith(self.vocabulary):
            path = iri[len(self.vocabulary) :]
            if path.split("#", 1)[0] in VOCABULARY_DOCUMENTS or path.startswith("concept/"):
                return self.base + path
        return iri

    def graph(self, *parts: str) -> ox.NamedNode:
        """Named graphs live under ``{base}graph/``: ``graph("partner", "maplabbzh")``."""
        return ox.NamedNode(self.iri("graph", *parts))

    def partner(self, partner_id: str) -> ox.NamedNode:
        return self.node("partner", partner_id)

    def is_local(self, iri: str) -> bool:
        """The hub's own: a resource of this instance or a term of its vocabulary."""
        return iri.startswith(self.base) or iri.startswith(self.vocabulary)

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialisations, the hub's own first."""
        return {
            "cf": self.ns,
            "initiative": self.base + "initiative/",
            "actor": self.base + "actor/",
            "concept": self.vocabulary + "concept/",
            "territory": self.base + "territory/",
            "partner": self.base + "partner/",
            **EXTERNAL_PREFIXES,
        }


class Graphs:
    """The named graphs of the dataset, all under ``{base}graph/``."""

    def __init__(self, hub: Hub) -> None:
        self.ontology = hub.graph("ontology")
        self.shapes = hub.graph("shapes")
        self.concepts = hub.graph("concepts")
        self.territories = hub.graph("territories")
        self.curated = hub.graph("curated")
        self.partners = hub.graph("partners")
        self.links = hub.graph("links")
        self.changes = hub.graph("changes")
        self.meta = hub.graph("meta")
        self._hub = hub

    def partner_data(self, partner_id: str) -> ox.NamedNode:
        return self._hub.graph("partner", partner_id)

    def partner_provenance(self, partner_id: str) -> ox.NamedNode:
        return self._hub.graph("provenance", partner_id)

    def partner_report(self, partner_id: str) -> ox.NamedNode:
        return self._hub.graph("report", partner_id)

    def partner_taxonomy(self, partner_id: str) -> ox.NamedNode:
        return self._hub.graph("taxonomy", partner_id)
