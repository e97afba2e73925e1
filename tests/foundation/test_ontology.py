"""The vocabulary and the concept schemes: they parse, speak French and English, and align where asked."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from carrefour import paths
from carrefour.vocab import Hub
from loader.reference import parse_files

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX essLF: <http://purl.org/essglobal/standard/legal-form/>
PREFIX pair: <http://virtual-assembly.org/ontologies/pair#>
"""

ONTOLOGY = paths.ONTOLOGY_DIR / "carrefour.ttl"
CONCEPTS = paths.REFERENCE_DIR / "concepts.ttl"
TERRITORIES = paths.REFERENCE_DIR / "territories.ttl"

# The ten support types of the best-practice form, exactly as the form lists them.
SUPPORT_TYPES = [
    "Knowledge and development of skills in social innovation",
    "Methods and tools for promoting social innovation",
    "Opportunities for cross-sectoral cooperation",
    "Linking up social innovators, public authorities and traditional private enterprises",
    "Advisory services for social innovators",
    "Methods and support for upscaling social innovations",
    "Methods and support for assessing social impact",
    "Financing",
    "Assistance with or information on financing",
    "Meeting spaces, networks",
]


class Graph:
    """Project Turtle files parsed as the hub parses them, queried with IRIs relative to the same base.

    The vocabulary's files (``in_vocabulary``) are relative to its persistent namespace, the others to the base.
    """

    def __init__(self, hub: Hub, *files: Path, in_vocabulary: bool = True) -> None:
        self.hub = hub
        self.store = ox.Store()
        self.store.extend(parse_files(files, hub, in_vocabulary))
        self.prologue = f"BASE <{hub.vocabulary if in_vocabulary else hub.base}> PREFIX cf: <{hub.ns}> {PREFIXES}"

    def select(self, where: str, projection: str = "*") -> list[dict[str, str]]:
        query = f"{self.prologue} SELECT {projection} WHERE {{ {where} }}"
        results = self.store.query(query)
        assert isinstance(results, ox.QuerySolutions)
        names = [v.value for v in results.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in results]

    def ask(self, where: str) -> bool:
        return bool(self.store.query(f"{self.prologue} ASK {{ {where} }}"))


@pytest.fixture(scope="module")
def ontology(hub: Hub) -> Graph:
    return Graph(hub, ONTOLOGY)


@pytest.fixture(scope="module")
def concepts(hub: Hub) -> Graph:
    return Graph(hub, CONCEPTS)


def defined_terms(graph: Graph) -> list[str]:
    rows = graph.select(
        "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty rdf:Property } ?term a ?kind"
        f' FILTER (STRSTARTS(STR(?term), "{graph.hub.ns}"))',
        "DISTINCT ?term",
    )
    return sorted(row["term"] for row in rows)


def test_the_ontology_parses_with_rdflib_and_oxigraph(hub: Hub, ontology: Graph) -> None:
    parsed = rdflib.Graph().parse(ONTOLOGY, format="turtle", publicID=hub.vocabulary)
    assert len(parsed) == len(ontology.store) > 500
    assert ontology.ask(
        "<ontology> a owl:Ontology ; owl:versionInfo ?version ; rdfs:label ?fr , ?en"
        ' FILTER (LANG(?fr) = "fr" && LANG(?en) = "en")'
    )


def test_the_ontology_defines_the_terms_of_the_issue(ontology: Graph) -> None:
    """Initiative, actor, roles between them, support programme, partner, the concept classes."""
    local_names = {term.rsplit("#", 1)[1] for term in defined_terms(ontology)}
    assert local_names >= {
        "Initiative", "SupportProgramme", "Actor", "Partner", "OutcomeIndicator", "KeyFigure", "Funding", "Support",
        "PublicRole", "Territory", "Region", "Departement", "Commune", "Theme", "Audience", "Method", "SupportType",
        "ActorType", "LegalForm", "Status", "FundingInstrument",
        "status", "theme", "audience", "method", "supportType", "indicator", "keyFigure", "year", "locatedIn",
        "carriedBy", "carries", "fundedBy", "funds", "funding", "funder", "instrument", "amount", "supportedBy",
        "supports", "support", "supporter", "partnerOf", "holderName", "legalForm", "actorType", "siren", "siret",
        "taxonomy", "partnerCategory",
    }  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("annotation", ["rdfs:label", "rdfs:comment"])
def test_every_term_has_a_label_and_a_comment_in_french_and_english(
    ontology: Graph, annotation: str, language: str
) -> None:
    terms = defined_terms(ontology)
    assert len(terms) > 60
    missing = ontology.select(
        "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty rdf:Property } ?term a ?kind"
        f' FILTER (STRSTARTS(STR(?term), "{ontology.hub.ns}"))'
        f' FILTER NOT EXISTS {{ ?term {annotation} ?text FILTER (LANG(?text) = "{language}" && STRLEN(?text) > 1) }}',
        "DISTINCT ?term",
    )
    assert missing == []


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    undefined = ontology.select(
        "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty } ?term a ?kind"
        f' FILTER (STRSTARTS(STR(?term), "{ontology.hub.ns}"))'
        " FILTER NOT EXISTS { ?term rdfs:isDefinedBy <ontology> }"
    )
    assert undefined == []


@pytest.mark.parametrize(
    "where",
    [
        paths.SHAPES_DIR / "carrefour.shacl.ttl",
        CONCEPTS,
        TERRITORIES,
        *sorted(paths.CURATED_DIR.glob("*.ttl")),
    ],
    ids=lambda path: path.name,
)
def test_every_vocabulary_term_the_project_uses_is_defined(hub: Hub, ontology: Graph, where: Path) -> None:
    """A misspelt term (cf:keyFigures) would silently be published: every cf: IRI in use is in the ontology."""
    defined = set(defined_terms(ontology))
    used = {
        term.value
        for quad in parse_files((where,), hub, in_vocabulary=where.parent != paths.CURATED_DIR and where != TERRITORIES)
        for term in (quad.subject, quad.predicate, quad.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(hub.ns)
    }
    assert used, "the file uses no term of the vocabulary"
    assert used - defined == set()


@pytest.mark.parametrize(
    ("subject", "predicate", "target"),
    [
        # Reuse first: schema.org, W3C ORG, PROV-O.
        ("cf:Initiative", "rdfs:subClassOf", "schema:Project"),
        ("cf:Actor", "rdfs:subClassOf", "org:Organization"),
        ("cf:Actor", "rdfs:subClassOf", "schema:Organization"),
        ("cf:PublicRole", "rdfs:subClassOf", "org:Post"),
        ("cf:Partner", "rdfs:subClassOf", "prov:Agent"),
        ("cf:Territory", "rdfs:subClassOf", "schema:AdministrativeArea"),
        ("cf:KeyFigure", "rdfs:subClassOf", "schema:QuantitativeValue"),
        ("cf:OutcomeIndicator", "rdfs:subClassOf", "cf:KeyFigure"),
        ("cf:funder", "rdfs:subPropertyOf", "prov:agent"),
        ("cf:supporter", "rdfs:subPropertyOf", "prov:agent"),
        ("cf:fundedBy", "skos:closeMatch", "schema:funder"),
        ("cf:areaServed", "rdfs:subPropertyOf", "schema:areaServed"),
        # ESSGlobal.
        ("cf:Initiative", "skos:closeMatch", "essglobal:SSEInitiative"),
        ("cf:legalForm", "skos:closeMatch", "essglobal:legalForm"),
        ("cf:actorType", "skos:closeMatch", "essglobal:organisationalStructure"),
        ("cf:sector", "skos:closeMatch", "essglobal:economicSector"),
        # PAIR.
        ("cf:Initiative", "skos:closeMatch", "pair:Project"),
        ("cf:Actor", "skos:closeMatch", "pair:Organization"),
        ("cf:carriedBy", "skos:closeMatch", "pair:involves"),
        ("cf:partnerOf", "skos:closeMatch", "pair:cooperatesWith"),
        ("cf:theme", "skos:closeMatch", "pair:hasTopic"),
        # The inverse roles.
        ("cf:carriedBy", "owl:inverseOf", "cf:carries"),
        ("cf:fundedBy", "owl:inverseOf", "cf:funds"),
        ("cf:supportedBy", "owl:inverseOf", "cf:supports"),
    ],
)
def test_alignments_are_declared(ontology: Graph, subject: str, predicate: str, target: str) -> None:
    assert ontology.ask(f"{subject} {predicate} {target}")


def test_legal_forms_align_with_essglobal(concepts: Graph) -> None:
    rows = concepts.select("?form a cf:LegalForm ; skos:closeMatch ?match", "?form ?match")
    aligned = {row["form"].rsplit("/", 1)[1] for row in rows if row["match"].startswith("http://purl.org/essglobal/")}
    assert aligned >= {"association", "foundation", "cooperative", "scop", "scic", "company", "esus", "local-authority"}


def test_every_concept_has_a_preferred_label_in_french_and_english(concepts: Graph) -> None:
    rows = concepts.select("?concept a skos:Concept", "(COUNT(DISTINCT ?concept) AS ?n)")
    assert int(rows[0]["n"]) > 100
    missing = concepts.select(
        'VALUES ?language { "fr" "en" } { ?concept a skos:Concept } UNION { ?concept a skos:ConceptScheme }'
        " FILTER NOT EXISTS { ?concept skos:prefLabel ?label FILTER (LANG(?label) = ?language) }",
        "?concept ?language",
    )
    assert missing == []
    duplicated = concepts.select(
        "?concept skos:prefLabel ?a , ?b FILTER (?a != ?b && LANG(?a) = LANG(?b))", "DISTINCT ?concept"
    )
    assert duplicated == []


def test_the_ten_support_types_of_the_best_practice_form(concepts: Graph) -> None:
    rows = concepts.select(
        "<concept/support-type> skos:hasTopConcept ?type . ?type a cf:SupportType ; skos:notation ?n ;"
        ' skos:inScheme <concept/support-type> ; skos:prefLabel ?label FILTER (LANG(?label) = "en")',
        "?n ?label",
    )
    assert [row["label"] for row in sorted(rows, key=lambda row: int(row["n"]))] == SUPPORT_TYPES


@pytest.mark.parametrize(
    ("scheme", "labels"),
    [
        (
            "theme",
            {"Health", "Sustainable development", "Social inclusion", "Employment", "Education and training",
             "Food transition", "Digital inclusion", "Housing", "Mobility", "Culture", "Ageing", "Disability",
             "Circular economy", "Local economic development"},
        ),
        ("status", {"Idea", "Launched", "Scaling", "Ended"}),
        ("funding-instrument", {"Grant", "Refundable advance", "Equity", "Social impact bond"}),
        ("actor-type", {"Network", "Incubator", "Third place", "Fab lab", "Public investor", "Think tank"}),
        ("legal-form", {"Association (1901 law)", "Foundation", "Activity and employment cooperative (CAE)"}),
    ],
)  # fmt: skip
def test_the_concept_schemes_of_the_issue(concepts: Graph, scheme: str, labels: set[str]) -> None:
    rows = concepts.select(
        f'?concept skos:inScheme <concept/{scheme}> ; skos:prefLabel ?label FILTER (LANG(?label) = "en")', "?label"
    )
    assert labels <= {row["label"] for row in rows}


def test_the_three_classification_axes_are_concept_schemes(concepts: Graph) -> None:
    """Domain, audience and method: each a scheme whose concepts are all top concepts of a class of the vocabulary."""
    for scheme, cls in (("theme", "Theme"), ("audience", "Audience"), ("method", "Method")):
        assert concepts.ask(f"<concept/{scheme}> a skos:ConceptScheme ; skos:hasTopConcept ?c")
        strays = concepts.select(
            f"?c skos:inScheme <concept/{scheme}> FILTER NOT EXISTS {{ ?c a cf:{cls} ; skos:topConceptOf ?s }}"
        )
        assert strays == []


def test_regions_and_departements_carry_their_official_codes(hub: Hub) -> None:
    """French regions and départements with their official codes, linked to INSEE's identifiers and to Wikidata."""
    territories = Graph(hub, TERRITORIES, in_vocabulary=False)
    rows = territories.select(
        "VALUES ?class { cf:Region cf:Departement } ?territory a ?class ; cf:inseeCode ?code ;"
        " skos:exactMatch ?insee , ?wikidata"
        " FILTER (STRSTARTS(STR(?insee), 'http://id.insee.fr/geo/'))"
        " FILTER (STRSTARTS(STR(?wikidata), 'http://www.wikidata.org/entity/Q'))",
        "DISTINCT ?class ?territory ?code",
    )
    by_class: dict[str, set[str]] = {}
    for row in rows:
        by_class.setdefault(row["class"].rsplit("#", 1)[1], set()).add(row["code"])
    assert len(by_class["Region"]) == 18
    assert len(by_class["Departement"]) == 101
    assert {"75", "84", "93"} <= by_class["Region"]
    assert {"2A", "2B", "75", "974"} <= by_class["Departement"]
