"""The DCAT-AP catalog of the hub, served at ``/catalog``, for open-data portals to harvest.

data.gouv.fr and the European portals read DCAT-AP (https://semiceu.github.io/DCAT-AP/):
a catalog with its publisher, datasets with a contact point, distributions with
their download URL, media type, size, checksum and licence, and data services.
Here the hub's whole dataset has the full dumps and the SPARQL endpoint, under mixed
licences that its rights statement names; each partner graph is a dataset of its own,
published by its partner under its licence, with its own dumps; so is the hub's
curated data, under the hub's licence, and the part of the whole under open licences,
with its dump.  Sizes and checksums are those of the dumps manifest.
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.artifacts.dumps import GZIP_MEDIA_TYPE, DumpFile
from carrefour.artifacts.licences import LICENCE_OUVERTE
from carrefour.history.terms import CURATED, HUB, scope_of
from carrefour.vocab import DCAT, DCT, FOAF, RDF, RDFS, XSD, Hub
from server.dataset_facts import (
    CURATED_DESCRIPTIONS,
    DESCRIPTIONS,
    KEYWORDS,
    OPEN_TITLES,
    TITLES,
    DatasetFacts,
    PartnerFacts,
    dataset_node,
    dump_url,
    open_node,
    open_texts,
    publisher_node,
    rights_node,
    rights_texts,
)
from server.dump_titles import dump_titles
from server.graph_description import HUB_GRAPHS
from server.i18n import LANGUAGES
from server.stream_links import stream_distribution

SPDX = "http://spdx.org/rdf/terms#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
PREFIXES = {"dcat": DCAT, "dct": DCT, "foaf": FOAF, "spdx": SPDX, "vcard": VCARD, "xsd": XSD, "rdfs": RDFS}
FILE_TYPES = {"nq": "RDF_N_QUADS", "ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES"}
METADATA_LICENCE = LICENCE_OUVERTE
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
RDF_TYPE = ox.NamedNode(RDF + "type")


def _dct(local: str) -> ox.NamedNode:
    return ox.NamedNode(DCT + local)


def _dcat(local: str) -> ox.NamedNode:
    return ox.NamedNode(DCAT + local)


def _typed(value: str, xsd_type: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + xsd_type))


def _datetime(facts: DatasetFacts) -> ox.Literal:
    return _typed(facts.published.isoformat(), "dateTime")


def catalog_node(hub: Hub) -> ox.NamedNode:
    return hub.node("catalog")


def contact_node(hub: Hub) -> ox.NamedNode:
    return ox.NamedNode(hub.iri("catalog") + "#contact")


def distribution_node(hub: Hub, dump: DumpFile) -> ox.NamedNode:
    return ox.NamedNode(f"{hub.iri('catalog')}#{dump.file}")


def _texts(subject: ox.NamedNode, predicate: str, texts: dict[str, str]) -> list[ox.Triple]:
    return [ox.Triple(subject, _dct(predicate), ox.Literal(text, language=lang)) for lang, text in texts.items()]


def _agents(hub: Hub, contact_email: str) -> list[ox.Triple]:
    publisher, contact = publisher_node(hub), contact_node(hub)
    triples = [
        ox.Triple(publisher, RDF_TYPE, ox.NamedNode(FOAF + "Agent")),
        ox.Triple(publisher, RDF_TYPE, ox.NamedNode(FOAF + "Organization")),
        ox.Triple(publisher, ox.NamedNode(FOAF + "name"), ox.Literal(TITLES["fr"])),
        ox.Triple(publisher, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(hub.base)),
        ox.Triple(contact, RDF_TYPE, ox.NamedNode(VCARD + "Organization")),
        ox.Triple(contact, ox.NamedNode(VCARD + "fn"), ox.Literal(TITLES["fr"])),
        ox.Triple(contact, ox.NamedNode(VCARD + "hasURL"), ox.NamedNode(hub.base)),
    ]
    if contact_email:
        triples.append(ox.Triple(contact, ox.NamedNode(VCARD + "hasEmail"), ox.NamedNode(f"mailto:{contact_email}")))
    return triples


def _distribution(
    hub: Hub, facts: DatasetFacts, dump: DumpFile, licence: ox.NamedNode | None, rights: ox.NamedNode
) -> list[ox.Triple]:
    """A dump as a distribution: under ``licence``, or (a file of several licences) with ``rights`` saying them."""
    node, url = distribution_node(hub, dump), dump_url(hub, dump)
    checksum = ox.NamedNode(f"{node.value}-sha256")
    triples = [
        ox.Triple(node, RDF_TYPE, _dcat("Distribution")),
        ox.Triple(node, _dcat("accessURL"), url),
        ox.Triple(node, _dcat("downloadURL"), url),
        ox.Triple(node, _dcat("mediaType"), ox.NamedNode(IANA + dump.media_type)),
        ox.Triple(node, _dcat("compressFormat"), ox.NamedNode(IANA + GZIP_MEDIA_TYPE)),
        ox.Triple(node, _dcat("byteSize"), _typed(str(dump.size), "nonNegativeInteger")),
        ox.Triple(node, _dct("issued"), _typed(dump.date, "dateTime")),
        ox.Triple(node, ox.NamedNode(SPDX + "checksum"), checksum),
        ox.Triple(checksum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum")),
        ox.Triple(checksum, ox.NamedNode(SPDX + "algorithm"), ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
        ox.Triple(checksum, ox.NamedNode(SPDX + "checksumValue"), _typed(dump.sha256, "hexBinary")),
    ]
    triples += _texts(node, "title", dump_titles(dump, hub, facts.partner_names))
    if dump.format in FILE_TYPES:
        triples.append(ox.Triple(node, _dct("format"), ox.NamedNode(f"{EU}file-type/{FILE_TYPES[dump.format]}")))
    if licence is not None:
        triples += [
            ox.Triple(node, _dct("license"), licence),
            ox.Triple(licence, RDF_TYPE, _dct("LicenseDocument")),
        ]
    else:
        triples.append(ox.Triple(node, _dct("rights"), rights))
    return triples


def _common(subject: ox.NamedNode, hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    """What every dataset of the catalog shares: contact, theme, coverage, language, date."""
    triples = [
        ox.Triple(subject, RDF_TYPE, _dcat("Dataset")),
        ox.Triple(subject, _dct("identifier"), ox.Literal(subject.value)),
        ox.Triple(subject, _dcat("contactPoint"), contact_node(hub)),
        ox.Triple(subject, _dcat("theme"), ox.NamedNode(f"{EU}data-theme/SOCI")),
        ox.Triple(subject, _dct("spatial"), ox.NamedNode(f"{EU}country/FRA")),
        ox.Triple(subject, _dct("language"), ox.NamedNode(f"{EU}language/FRA")),
        ox.Triple(subject, _dct("modified"), _datetime(facts)),
        ox.Triple(subject, _dct("conformsTo"), hub.ontology),
        ox.Triple(subject, _dct("accessRights"), ox.NamedNode(f"{EU}access-right/PUBLIC")),
    ]
    triples += [ox.Triple(subject, _dcat("keyword"), ox.Literal(word, language="fr")) for word in KEYWORDS]
    return triples


def _partner_dataset(hub: Hub, facts: DatasetFacts, partner: PartnerFacts) -> list[ox.Triple]:
    subject = partner.graph
    triples = _common(subject, hub, facts) + [
        ox.Triple(subject, _dct("title"), ox.Literal(partner.name)),
        ox.Triple(
            subject,
            _dct("description"),
            ox.Literal(
                f"Les fiches de {partner.name}, moissonnées et alignées par le Carrefour des innovations sociales "
                f"({partner.triples} triplets).",
                language="fr",
            ),
        ),
        ox.Triple(subject, _dct("publisher"), partner.node),
        ox.Triple(subject, _dct("isPartOf"), dataset_node(hub)),
        ox.Triple(subject, _dcat("landingPage"), partner.node),
        ox.Triple(partner.node, RDF_TYPE, ox.NamedNode(FOAF + "Agent")),
        ox.Triple(partner.node, ox.NamedNode(FOAF + "name"), ox.Literal(partner.name)),
    ]
    if partner.homepage is not None:
        triples += [
            ox.Triple(partner.node, ox.NamedNode(FOAF + "homepage"), partner.homepage),
            ox.Triple(subject, _dct("source"), partner.homepage),
        ]
    for dump in facts.dumps_of(partner.graph):
        triples.append(ox.Triple(subject, _dcat("distribution"), distribution_node(hub, dump)))
        triples += _distribution(hub, facts, dump, partner.licence, rights_node(hub))
    return triples + stream_distribution(hub, subject, scope_of(partner.id), rights_node(hub), partner.licence)


def _statement(node: ox.NamedNode, texts: dict[str, str]) -> list[ox.Triple]:
    return [ox.Triple(node, RDF_TYPE, _dct("RightsStatement"))] + [
        ox.Triple(node, ox.NamedNode(RDFS + "label"), ox.Literal(text, language=lang)) for lang, text in texts.items()
    ]


def _hub_dataset(
    hub: Hub, facts: DatasetFacts, subject: ox.NamedNode, titles: dict[str, str], descriptions: dict[str, str]
) -> list[ox.Triple]:
    """A part of the whole the hub itself publishes: the curated data, the openly licensed graphs."""
    return (
        _common(subject, hub, facts)
        + _texts(subject, "title", titles)
        + _texts(subject, "description", descriptions)
        + [
            ox.Triple(subject, _dct("publisher"), publisher_node(hub)),
            ox.Triple(subject, _dct("isPartOf"), dataset_node(hub)),
            ox.Triple(subject, _dcat("landingPage"), ox.NamedNode(subject.value.split("#", 1)[0])),
        ]
    )


def _curated_dataset(hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    if facts.curated is None:
        return []
    subject = facts.curated.graph
    titles = dict(zip(LANGUAGES, HUB_GRAPHS["curated"], strict=True))
    triples = _hub_dataset(hub, facts, subject, titles, CURATED_DESCRIPTIONS)
    for dump in facts.dumps_of(subject):
        triples.append(ox.Triple(subject, _dcat("distribution"), distribution_node(hub, dump)))
        triples += _distribution(hub, facts, dump, facts.curated.licence, rights_node(hub))
    return triples + stream_distribution(hub, subject, scope_of(CURATED), rights_node(hub), facts.curated.licence)


def _open_dataset(hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    """The graphs under open licences, several of them: a rights statement says how to reuse them."""
    dumps = facts.open_dumps()
    if not dumps:
        return []
    subject, rights = open_node(hub), ox.NamedNode(hub.iri("dataset") + "#open-rights")
    triples = _hub_dataset(hub, facts, subject, OPEN_TITLES, open_texts()) + _statement(rights, open_texts())
    triples.append(ox.Triple(subject, _dct("rights"), rights))
    for dump in dumps:
        triples.append(ox.Triple(subject, _dcat("distribution"), distribution_node(hub, dump)))
        triples += _distribution(hub, facts, dump, None, rights)
    return triples


def _data_service(hub: Hub, served: list[ox.NamedNode]) -> list[ox.Triple]:
    endpoint = hub.node("sparql")
    triples = [
        ox.Triple(endpoint, RDF_TYPE, _dcat("DataService")),
        ox.Triple(endpoint, _dct("title"), ox.Literal("Point d'accès SPARQL du Carrefour", language="fr")),
        ox.Triple(endpoint, _dct("title"), ox.Literal("Carrefour SPARQL endpoint", language="en")),
        ox.Triple(endpoint, _dcat("endpointURL"), endpoint),
        ox.Triple(endpoint, _dcat("endpointDescription"), endpoint),
        ox.Triple(endpoint, _dct("conformsTo"), ox.NamedNode(SPARQL_PROTOCOL)),
        ox.Triple(endpoint, _dct("publisher"), publisher_node(hub)),
        ox.Triple(endpoint, _dcat("contactPoint"), contact_node(hub)),
        ox.Triple(endpoint, _dct("license"), ox.NamedNode(METADATA_LICENCE)),
        ox.Triple(endpoint, _dct("accessRights"), ox.NamedNode(f"{EU}access-right/PUBLIC")),
    ]
    triples += [ox.Triple(endpoint, _dcat("servesDataset"), dataset) for dataset in served]
    return triples


def dcat_catalog(hub: Hub, facts: DatasetFacts, contact_email: str = "") -> list[ox.Triple]:
    """The catalog: the hub's dataset, one dataset per partner graph, the SPARQL endpoint."""
    catalog, dataset, endpoint = catalog_node(hub), dataset_node(hub), hub.node("sparql")
    rights = rights_node(hub)
    sparql_distribution = ox.NamedNode(hub.iri("catalog") + "#sparql")
    parts = [partner.graph for partner in facts.partners]
    parts += [facts.curated.graph] if facts.curated is not None else []
    parts += [open_node(hub)] if facts.open_dumps() else []
    triples = [
        ox.Triple(catalog, RDF_TYPE, _dcat("Catalog")),
        ox.Triple(catalog, _dct("publisher"), publisher_node(hub)),
        ox.Triple(catalog, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(hub.base)),
        ox.Triple(catalog, _dct("language"), ox.NamedNode(f"{EU}language/FRA")),
        ox.Triple(catalog, _dct("license"), ox.NamedNode(METADATA_LICENCE)),
        ox.Triple(ox.NamedNode(METADATA_LICENCE), RDF_TYPE, _dct("LicenseDocument")),
        ox.Triple(catalog, _dct("modified"), _datetime(facts)),
        ox.Triple(catalog, _dct("spatial"), ox.NamedNode(f"{EU}country/FRA")),
        ox.Triple(catalog, _dcat("themeTaxonomy"), ox.NamedNode(f"{EU}data-theme")),
        ox.Triple(catalog, _dcat("dataset"), dataset),
        ox.Triple(catalog, _dcat("service"), endpoint),
        ox.Triple(dataset, _dct("publisher"), publisher_node(hub)),
        ox.Triple(dataset, _dcat("landingPage"), ox.NamedNode(hub.base)),
        ox.Triple(dataset, _dct("rights"), rights),
        *_statement(rights, rights_texts(facts)),
        ox.Triple(dataset, _dcat("distribution"), sparql_distribution),
        ox.Triple(sparql_distribution, RDF_TYPE, _dcat("Distribution")),
        ox.Triple(sparql_distribution, _dct("title"), ox.Literal("Point d'accès SPARQL", language="fr")),
        ox.Triple(sparql_distribution, _dcat("accessURL"), endpoint),
        ox.Triple(sparql_distribution, _dcat("accessService"), endpoint),
        ox.Triple(sparql_distribution, _dct("rights"), rights),
    ]
    triples += _texts(catalog, "title", TITLES) + _texts(catalog, "description", DESCRIPTIONS)
    triples += _common(dataset, hub, facts) + _texts(dataset, "title", TITLES)
    triples += _texts(dataset, "description", DESCRIPTIONS)
    triples += _agents(hub, contact_email)
    for dump in facts.whole_dumps():
        triples.append(ox.Triple(dataset, _dcat("distribution"), distribution_node(hub, dump)))
        triples += _distribution(hub, facts, dump, None, rights)
    for part in parts:
        triples += [ox.Triple(catalog, _dcat("dataset"), part), ox.Triple(dataset, _dct("hasPart"), part)]
    triples += stream_distribution(hub, dataset, HUB, rights)
    for partner in facts.partners:
        triples += _partner_dataset(hub, facts, partner)
    triples += _curated_dataset(hub, facts) + _open_dataset(hub, facts)
    triples += _data_service(hub, [dataset, *parts])
    return triples
