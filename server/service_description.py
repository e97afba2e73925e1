"""The SPARQL 1.1 Service Description of the public endpoint (https://www.w3.org/TR/sparql11-service-description/).

It tells a client what it may send and what it gets back: the query language (no
update), the result formats, the union default graph, federation when the operator
allows some hosts, the limits, and the dataset: each named graph with its size.
"""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.config import Config
from carrefour.vocab import DCT, RDF, RDFS, SD, VOID, XSD, Hub
from server.dataset_facts import DatasetFacts

FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "RDF_XML",
    "N-Triples",
)
PREFIXES = {"sd": SD, "void": VOID, "dct": DCT, "rdfs": RDFS, "formats": FORMATS_NS, "xsd": XSD}


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def service_description(hub: Hub, config: Config, facts: DatasetFacts) -> list[ox.Triple]:
    """The endpoint as an ``sd:Service`` whose default dataset lists every named graph."""
    endpoint = hub.node("sparql")
    dataset = ox.NamedNode(endpoint.value + "#dataset")
    default_graph = ox.NamedNode(endpoint.value + "#default-graph")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    rdf_type = ox.NamedNode(RDF + "type")
    limits = (
        f"Lecture seule ; requêtes coupées après {config['SPARQL_TIMEOUT']:g} s (503), "
        f"réponses limitées à {config['SPARQL_RESULT_CAP']} lignes ou triplets (en-tête X-SPARQL-Result-Capped)."
    )
    limits_en = (
        f"Read-only; queries cut after {config['SPARQL_TIMEOUT']:g} s (503), "
        f"answers capped at {config['SPARQL_RESULT_CAP']} rows or triples (header X-SPARQL-Result-Capped)."
    )
    triples = [
        ox.Triple(endpoint, rdf_type, sd("Service")),
        ox.Triple(endpoint, sd("endpoint"), endpoint),
        ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(endpoint, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(endpoint, ox.NamedNode(DCT + "title"), ox.Literal("Carrefour — point d'accès SPARQL", language="fr")),
        ox.Triple(endpoint, ox.NamedNode(DCT + "title"), ox.Literal("Carrefour — SPARQL endpoint", language="en")),
        ox.Triple(endpoint, ox.NamedNode(RDFS + "comment"), ox.Literal(limits, language="fr")),
        ox.Triple(endpoint, ox.NamedNode(RDFS + "comment"), ox.Literal(limits_en, language="en")),
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, rdf_type, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), hub.node(".well-known", "void")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), _integer(facts.triples)),
        ox.Triple(
            default_graph,
            ox.NamedNode(RDFS + "comment"),
            ox.Literal("The default graph is the union of the named graphs.", language="en"),
        ),
    ]
    if config["SPARQL_SERVICE_ALLOW"]:
        triples.append(ox.Triple(endpoint, sd("feature"), sd("BasicFederatedQuery")))
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in RESULT_FORMATS]
    for number, (name, count) in enumerate(sorted(facts.graph_counts.items()), start=1):
        named = ox.NamedNode(f"{endpoint.value}#graph-{number}")
        graph = ox.NamedNode(f"{endpoint.value}#graph-{number}-content")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, rdf_type, sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID + "triples"), _integer(count)),
        ]
    return triples
