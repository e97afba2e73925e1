"""Example queries the query editor offers: what partner platforms ask the hub.

They are written against the hub's own IRIs (its base URL) and its published
graphs, so each one runs as it is on any deployment.  Initiatives are found with
``?i a ?type . VALUES ?type { cf:Initiative cf:SupportProgramme }``: a support
programme is an initiative (the ontology says so), though its record is typed
``cf:SupportProgramme`` only, and the store draws no inference.  (A property path,
``?type rdfs:subClassOf* cf:Initiative``, would follow the ontology, but Virtuoso 7
answers nothing when such a path meets an OPTIONAL.)  The partner examples use the partner with the most
initiatives, so that they find something.
"""

from __future__ import annotations

from dataclasses import dataclass

from carrefour.vocab import DCT, OWL, RDFS, SCHEMA, SKOS, XSD, Graphs, Hub

DEFAULT_REGION = "53"  # Bretagne
DEFAULT_SINCE = "2024-01-01T00:00:00Z"


@dataclass(frozen=True)
class Example:
    title: str  # French first: the hub's people read French
    title_en: str
    query: str

    def label(self, lang: str) -> str:
        return self.title if lang == "fr" else self.title_en


def _prefixes(hub: Hub, *names: str) -> str:
    known = {"cf": hub.ns, "schema": SCHEMA, "skos": SKOS, "dct": DCT, "xsd": XSD, "owl": OWL, "rdfs": RDFS}
    return "".join(f"PREFIX {name}: <{known[name]}>\n" for name in names)


def examples(hub: Hub, partner_ids: list[str]) -> list[Example]:
    """The editor's examples; the partner ones use the first of ``partner_ids`` (the one with most initiatives)."""
    graphs = Graphs(hub)
    region = hub.iri("territory", "region", DEFAULT_REGION)
    partner_graph = graphs.partner_data(partner_ids[0]).value if partner_ids else hub.iri("graph", "partner", "ID")
    return [
        Example(
            "Initiatives par domaine",
            "Initiatives per theme",
            _prefixes(hub, "cf", "skos", "rdfs")
            + """SELECT ?theme ?label (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {
  ?initiative a ?type ; cf:theme ?theme .
  VALUES ?type { cf:Initiative cf:SupportProgramme }
  OPTIONAL { ?theme skos:prefLabel ?label FILTER (LANG(?label) = "fr") }
}
GROUP BY ?theme ?label
ORDER BY DESC(?initiatives)
""",
        ),
        Example(
            "Initiatives par région",
            "Initiatives per region",
            _prefixes(hub, "cf", "schema", "rdfs")
            + """SELECT ?region ?name (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {
  ?initiative a ?type ; cf:locatedIn ?region .
  VALUES ?type { cf:Initiative cf:SupportProgramme }
  ?region a cf:Region ; schema:name ?name .
}
GROUP BY ?region ?name
ORDER BY DESC(?initiatives)
""",
        ),
        Example(
            "Les initiatives d'une région (Bretagne)",
            "The initiatives of one region (Brittany)",
            _prefixes(hub, "cf", "schema", "rdfs")
            + f"""SELECT ?initiative ?name ?town WHERE {{
  ?initiative a ?type ; schema:name ?name ; cf:locatedIn <{region}> .
  VALUES ?type {{ cf:Initiative cf:SupportProgramme }}
  OPTIONAL {{ ?initiative schema:location/schema:addressLocality ?town }}
}}
ORDER BY ?name
LIMIT 100
""",
        ),
        Example(
            "Initiatives d'un partenaire modifiées depuis une date",
            "A partner's initiatives changed since a date",
            _prefixes(hub, "cf", "schema", "dct", "xsd", "rdfs")
            + f"""SELECT ?initiative ?name ?modified WHERE {{
  GRAPH <{partner_graph}> {{ ?initiative a ?type . OPTIONAL {{ ?initiative schema:name ?name }} }}
  ?type rdfs:subClassOf* cf:Initiative .
  ?initiative dct:modified ?modified .
  FILTER (?modified >= "{DEFAULT_SINCE}"^^xsd:dateTime)
}}
ORDER BY DESC(?modified)
LIMIT 100
""",
        ),
        Example(
            "Acteurs et leur SIREN",
            "Actors with their SIREN",
            _prefixes(hub, "cf", "schema")
            + """SELECT ?actor ?name ?siren (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {
  ?actor a cf:Actor ; cf:siren ?siren .
  OPTIONAL { ?actor schema:name ?name }
  OPTIONAL { ?initiative cf:carriedBy ?actor }
}
GROUP BY ?actor ?name ?siren
ORDER BY ?siren
LIMIT 100
""",
        ),
        Example(
            "Liens d'identité entre partenaires",
            "Identity links across partners",
            _prefixes(hub, "cf", "schema")
            + f"""SELECT ?source ?sourceGraph ?target ?targetGraph ?matchedOn ?value WHERE {{
  GRAPH <{graphs.links.value}> {{
    ?link a cf:IdentityLink ; cf:linkSource ?source ; cf:linkTarget ?target ;
          cf:matchedOn ?matchedOn ; cf:matchedValue ?value .
  }}
  OPTIONAL {{ GRAPH ?sourceGraph {{ ?source a ?sourceType }} }}
  OPTIONAL {{ GRAPH ?targetGraph {{ ?target a ?targetType }} }}
}}
LIMIT 100
""",
        ),
        Example(
            "Appels par type : combien, dont combien encore ouverts",
            "Calls per kind: how many, and how many still open",
            _prefixes(hub, "cf", "schema", "xsd")
            + """SELECT ?kind (COUNT(DISTINCT ?call) AS ?calls) (SUM(IF(?open, 1, 0)) AS ?stillOpen) WHERE {
  ?call a ?kind .
  VALUES ?kind { cf:CallForExpertise cf:VolunteerMission cf:JobOffer cf:CallForApplications }
  OPTIONAL { ?call schema:validThrough ?closes }
  BIND (COALESCE(DATATYPE(?closes) = xsd:date && ?closes >= xsd:date(SUBSTR(STR(NOW()), 1, 10)), false) AS ?open)
}
GROUP BY ?kind
ORDER BY DESC(?calls)
""",
        ),
        Example(
            "Appels à candidatures des dispositifs, avec leurs dates",
            "Programmes' calls for applications, with their dates",
            _prefixes(hub, "cf", "schema")
            + """SELECT ?call ?name ?programme ?opens ?closes WHERE {
  ?call a cf:CallForApplications ; schema:name ?name ; cf:publishedBy ?programme .
  OPTIONAL { ?call schema:validFrom ?opens }
  OPTIONAL { ?call schema:validThrough ?closes }
  FILTER (LANG(?name) = "fr" || LANG(?name) = "")
}
ORDER BY DESC(?closes)
LIMIT 100
""",
        ),
        Example(
            "Triplets par graphe nommé",
            "Triples per named graph",
            """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY DESC(?triples)
""",
        ),
        Example(
            "Fiches d'un partenaire et leurs porteurs (CONSTRUCT)",
            "A partner's initiatives and who carries them (CONSTRUCT)",
            _prefixes(hub, "cf", "schema", "rdfs")
            + f"""CONSTRUCT {{
  ?initiative schema:name ?name ; cf:carriedBy ?actor .
  ?actor schema:name ?actorName .
}} WHERE {{
  GRAPH <{partner_graph}> {{
    ?initiative a ?type ; schema:name ?name .
    OPTIONAL {{ ?initiative cf:carriedBy ?actor OPTIONAL {{ ?actor schema:name ?actorName }} }}
  }}
  ?type rdfs:subClassOf* cf:Initiative .
}}
LIMIT 200
""",
        ),
    ]
