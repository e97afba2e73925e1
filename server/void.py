"""The VoID description of the hub's dataset (https://www.w3.org/TR/void/), served at ``/.well-known/void``.

The dataset is the union of the named graphs; its subsets are the partner graphs,
each with its publisher, licence, size, dumps and example resources; the identity
links between partners are a linkset.  Counts come from the version's statistics.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from carrefour.history.terms import HUB, Names
from carrefour.vocab import DCT, FOAF, OWL, RDF, RDFS, VOID, XSD, Graphs, Hub
from server.dataset_facts import (
    DESCRIPTIONS,
    TITLES,
    DatasetFacts,
    dataset_node,
    dump_url,
    publisher_node,
)

PREFIXES = {"void": VOID, "dct": DCT, "foaf": FOAF, "owl": OWL, "xsd": XSD}
FORMATS_NS = "http://www.w3.org/ns/formats/"
DUMP_FEATURES = {"nq": "N-Quads", "ttl": "Turtle", "nt": "N-Triples"}
CLASS_PARTITIONS = {
    "initiative": "Initiative",
    "programme": "SupportProgramme",
    "actor": "Actor",
    "partner": "Partner",
    "theme": "Theme",
    "territory": "Territory",
}


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def void_description(hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    """The dataset, its partner subsets and its linkset, as VoID."""
    dataset = dataset_node(hub)
    rdf_type = ox.NamedNode(RDF + "type")

    def v(local: str) -> ox.NamedNode:
        return ox.NamedNode(VOID + local)

    def d(local: str) -> ox.NamedNode:
        return ox.NamedNode(DCT + local)

    endpoint = hub.node("sparql")
    modified = ox.Literal(facts.published.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    triples = [
        ox.Triple(dataset, rdf_type, v("Dataset")),
        ox.Triple(dataset, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(hub.base)),
        ox.Triple(dataset, d("publisher"), publisher_node(hub)),
        ox.Triple(dataset, d("modified"), modified),
        ox.Triple(dataset, v("uriSpace"), ox.Literal(hub.base)),
        ox.Triple(dataset, v("sparqlEndpoint"), endpoint),
        ox.Triple(dataset, v("rootResource"), hub.node("ontology")),
        ox.Triple(dataset, v("triples"), _integer(facts.triples)),
        ox.Triple(publisher_node(hub), rdf_type, ox.NamedNode(FOAF + "Organization")),
        ox.Triple(publisher_node(hub), ox.NamedNode(FOAF + "name"), ox.Literal(TITLES["fr"])),
    ]
    triples += [ox.Triple(dataset, d("title"), ox.Literal(text, language=lang)) for lang, text in TITLES.items()]
    triples += [
        ox.Triple(dataset, d("description"), ox.Literal(text, language=lang)) for lang, text in DESCRIPTIONS.items()
    ]
    triples += [ox.Triple(dataset, v("vocabulary"), ox.NamedNode(ns)) for ns in facts.vocabularies]
    triples += [ox.Triple(dataset, v("exampleResource"), example) for example in facts.examples()]
    for dump in facts.dumps_of(None):
        triples.append(ox.Triple(dataset, v("dataDump"), dump_url(hub, dump)))
    triples.append(ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), Names(hub).stream(HUB)))  # its event stream
    for name in {DUMP_FEATURES[dump.format] for dump in facts.dumps if dump.format in DUMP_FEATURES}:
        triples.append(ox.Triple(dataset, v("feature"), ox.NamedNode(FORMATS_NS + name)))
    for key, local in CLASS_PARTITIONS.items():
        if facts.classes.get(key):
            partition = ox.NamedNode(f"{hub.iri('.well-known', 'void')}#class-{key}")
            triples += [
                ox.Triple(dataset, v("classPartition"), partition),
                ox.Triple(partition, v("class"), hub.term(local)),
                ox.Triple(partition, v("entities"), _integer(int(facts.classes[key]))),
            ]
    for partner in facts.partners:
        subset = partner.graph
        triples += [
            ox.Triple(dataset, v("subset"), subset),
            ox.Triple(subset, rdf_type, v("Dataset")),
            ox.Triple(subset, d("title"), ox.Literal(partner.name)),
            ox.Triple(subset, d("publisher"), partner.node),
            ox.Triple(subset, v("triples"), _integer(partner.triples)),
            ox.Triple(subset, v("sparqlEndpoint"), endpoint),
            ox.Triple(
                subset,
                v("uriRegexPattern"),
                ox.Literal(f"^{re.escape(hub.base)}(initiative|actor)/{re.escape(partner.id)}/"),
            ),
            ox.Triple(partner.node, ox.NamedNode(FOAF + "name"), ox.Literal(partner.name)),
        ]
        if partner.licence is not None:
            triples.append(ox.Triple(subset, d("license"), partner.licence))
        if partner.homepage is not None:
            triples.append(ox.Triple(partner.node, ox.NamedNode(FOAF + "homepage"), partner.homepage))
        triples += [ox.Triple(subset, v("exampleResource"), example) for example in partner.examples]
        triples += [ox.Triple(subset, v("dataDump"), dump_url(hub, dump)) for dump in facts.dumps_of(subset)]
    links = Graphs(hub).links
    if facts.graph_counts.get(links.value):
        triples += [
            ox.Triple(dataset, v("subset"), links),
            ox.Triple(links, rdf_type, v("Linkset")),
            ox.Triple(links, v("linkPredicate"), ox.NamedNode(OWL + "sameAs")),
            ox.Triple(links, v("subjectsTarget"), dataset),
            ox.Triple(links, v("objectsTarget"), dataset),
            ox.Triple(links, v("triples"), _integer(facts.graph_counts[links.value])),
        ]
    return triples
