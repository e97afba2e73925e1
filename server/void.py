"""The VoID description of the hub's dataset (https://www.w3.org/TR/void/), served at ``/.well-known/void``.

The dataset is the union of the named graphs (its size counts a triple once, however
many graphs hold it), under mixed licences, which its rights statement names; its
subsets are the partner graphs and the hub's curated data, each with its publisher,
licence, size, dumps and example resources, and the part under open licences with
its own dump; the identity links between partners are a linkset.  Counts come from
the version's statistics.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from carrefour.artifacts.dumps import DumpFile
from carrefour.history.terms import HUB, Names
from carrefour.vocab import DCT, FOAF, OWL, RDF, RDFS, VOID, XSD, Graphs, Hub
from server.dataset_facts import (
    DESCRIPTIONS,
    OPEN_TITLES,
    TITLES,
    CuratedFacts,
    DatasetFacts,
    dataset_node,
    dump_url,
    open_node,
    open_texts,
    publisher_node,
    rights_node,
    rights_texts,
)
from server.graph_description import HUB_GRAPHS
from server.i18n import LANGUAGES

PREFIXES = {"void": VOID, "dct": DCT, "foaf": FOAF, "owl": OWL, "xsd": XSD, "rdfs": RDFS}
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


def _texts(subject: ox.NamedNode, predicate: ox.NamedNode, texts: dict[str, str]) -> list[ox.Triple]:
    return [ox.Triple(subject, predicate, ox.Literal(text, language=lang)) for lang, text in texts.items()]


def _rights(hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    """The dataset's licences are mixed: said in words, with whose data is under which."""
    rights = rights_node(hub)
    return [
        ox.Triple(dataset_node(hub), ox.NamedNode(DCT + "rights"), rights),
        ox.Triple(rights, ox.NamedNode(RDF + "type"), ox.NamedNode(DCT + "RightsStatement")),
        *_texts(rights, ox.NamedNode(RDFS + "label"), rights_texts(facts)),
    ]


def _open_part(hub: Hub, facts: DatasetFacts) -> list[ox.Triple]:
    """The graphs under an open licence, a subset with its own dump."""
    dumps = facts.open_dumps()
    if not dumps:
        return []
    part = open_node(hub)
    return [
        ox.Triple(dataset_node(hub), ox.NamedNode(VOID + "subset"), part),
        ox.Triple(part, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
        *_texts(part, ox.NamedNode(DCT + "title"), OPEN_TITLES),
        *_texts(part, ox.NamedNode(DCT + "description"), open_texts()),
        ox.Triple(part, ox.NamedNode(DCT + "publisher"), publisher_node(hub)),
        *(ox.Triple(part, ox.NamedNode(VOID + "dataDump"), dump_url(hub, dump)) for dump in dumps),
    ]


def _curated(hub: Hub, curated: CuratedFacts, dumps: list[DumpFile]) -> list[ox.Triple]:
    """The hub's own records: a subset it publishes under its licence."""
    subset = curated.graph
    pattern = f"^{re.escape(hub.base)}(initiative|actor)/carrefour/"
    return [
        ox.Triple(dataset_node(hub), ox.NamedNode(VOID + "subset"), subset),
        ox.Triple(subset, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
        *_texts(subset, ox.NamedNode(DCT + "title"), dict(zip(LANGUAGES, HUB_GRAPHS["curated"], strict=True))),
        ox.Triple(subset, ox.NamedNode(DCT + "publisher"), publisher_node(hub)),
        ox.Triple(subset, ox.NamedNode(DCT + "license"), curated.licence),
        ox.Triple(subset, ox.NamedNode(VOID + "triples"), _integer(curated.triples)),
        ox.Triple(subset, ox.NamedNode(VOID + "sparqlEndpoint"), hub.node("sparql")),
        ox.Triple(subset, ox.NamedNode(VOID + "uriRegexPattern"), ox.Literal(pattern)),
        *(ox.Triple(subset, ox.NamedNode(VOID + "exampleResource"), example) for example in curated.examples),
        *(ox.Triple(subset, ox.NamedNode(VOID + "dataDump"), dump_url(hub, dump)) for dump in dumps),
    ]


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
        ox.Triple(dataset, v("rootResource"), hub.ontology),
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
    for dump in facts.whole_dumps():
        triples.append(ox.Triple(dataset, v("dataDump"), dump_url(hub, dump)))
    triples += _rights(hub, facts) + _open_part(hub, facts)
    if facts.curated is not None:
        triples += _curated(hub, facts.curated, facts.dumps_of(facts.curated.graph))
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
