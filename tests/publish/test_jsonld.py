"""The JSON-LD compaction expands back to exactly its triples (rdflib, with the local context)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import GEO, SCHEMA, SKOS, XSD, Hub
from server.jsonld import Compactor, build_context
from server.vocabulary import load_vocabulary
from tests.support.rdf import parsed_graph


def compactor_for(store: EmbeddedStore, hub: Hub) -> Compactor:
    return Compactor(build_context(hub, load_vocabulary(store.snapshot(), hub)))


def expand(body: bytes, compactor: Compactor) -> rdflib.Graph:
    document = json.loads(body)
    if isinstance(document, dict) and isinstance(document.get("@context"), str):
        assert document["@context"] == compactor.context.url
        document["@context"] = compactor.context.document()["@context"]
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def test_a_geo_uri_value_falls_back_to_expanded_json_ld(published_store: EmbeddedStore, hub: Hub) -> None:
    compactor = compactor_for(published_store, hub)
    main = hub.node("initiative", "p", "x")
    triples = [
        ox.Triple(main, ox.NamedNode(SCHEMA + "url"), ox.NamedNode("geo:48.39,-4.48")),  # "geo" is also a prefix
        ox.Triple(main, ox.NamedNode(SCHEMA + "name"), ox.Literal("X")),
    ]
    body = compactor.serialize(triples, main)
    assert b"@context" not in body
    assert isomorphic(expand(body, compactor), parsed_graph(triples))


def test_a_description_compacts_to_terms_and_embeds_its_nodes(published_store: EmbeddedStore, hub: Hub) -> None:
    compactor = compactor_for(published_store, hub)
    main = hub.node("initiative", "p", "x")
    address = ox.NamedNode(main.value + "#address")
    theme = hub.concept("theme", "health")
    triples = [
        ox.Triple(main, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), hub.term("Initiative")),
        ox.Triple(main, ox.NamedNode(SCHEMA + "name"), ox.Literal("Le Bercail")),
        ox.Triple(main, hub.term("theme"), theme),
        ox.Triple(main, ox.NamedNode(SCHEMA + "location"), address),
        ox.Triple(address, ox.NamedNode(GEO + "lat"), ox.Literal("48.1", datatype=ox.NamedNode(XSD + "decimal"))),
        ox.Triple(theme, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Santé", language="fr")),
    ]
    document = json.loads(compactor.serialize(triples, main))
    node = document["@graph"][0]
    assert node["@type"] == "Initiative" and node["name"] == "Le Bercail"
    assert node["theme"]["@id"] == theme.value and node["theme"]["prefLabel"] == {"@value": "Santé", "@language": "fr"}
    assert node["location"]["lat"] == {"@value": "48.1", "@type": "xsd:decimal"}
    assert len(document["@graph"]) == 1  # the address and the theme's label are embedded where they are used


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
LANGUAGES = st.sampled_from(["fr", "en", "fr-BE", "de"])
WELL_TYPED = st.sampled_from(
    [("decimal", "48.123"), ("decimal", "-4.5"), ("gYear", "2020"), ("dateTime", "2024-02-18T10:00:00Z"),
     ("date", "2024-02-18"), ("string", "x")]
)  # fmt: skip


@st.composite
def literals(draw: st.DrawFn) -> ox.Literal:
    kind = draw(st.sampled_from(["plain", "language", "integer", "boolean", "typed"]))
    if kind == "language":
        return ox.Literal(draw(TEXT), language=draw(LANGUAGES))
    if kind == "integer":
        value = draw(st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["007", "+1", "-0"])))
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
    if kind == "boolean":
        return ox.Literal(draw(st.sampled_from(["true", "false", "1", "0"])), datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "typed":
        if draw(st.booleans()):  # a datatype of the partner's own: any text
            return ox.Literal(draw(TEXT), datatype=ox.NamedNode("http://example.org/vocab#code"))
        datatype, lexical = draw(WELL_TYPED)
        return ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(draw(TEXT))


def graph_strategy(hub: Hub) -> st.SearchStrategy[list[ox.Triple]]:
    main = hub.node("initiative", "p", "x")
    subjects = st.sampled_from(
        [main, ox.NamedNode(main.value + "#address"), ox.NamedNode(main.value + "#funding-1"),
         hub.node("actor", "p", "y"), hub.concept("theme", "health"), ox.BlankNode("b1"), ox.BlankNode("b2")]
    )  # fmt: skip
    predicates = st.sampled_from(
        [hub.term("theme"), hub.term("carriedBy"), hub.term("recordKey"), hub.term("partner"),
         ox.NamedNode(SCHEMA + "name"), ox.NamedNode(SCHEMA + "url"), ox.NamedNode(SCHEMA + "location"),
         ox.NamedNode(SCHEMA + "postalCode"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
         ox.NamedNode("http://example.org/vocab#prop"), ox.NamedNode("https://example.org/a/b/c")]
    )  # fmt: skip
    iris = st.sampled_from(
        [main, ox.NamedNode(main.value + "#address"), hub.node("actor", "p", "y"), hub.term("Initiative"),
         ox.NamedNode("https://example.org/"), ox.NamedNode("mailto:a@example.org"), ox.NamedNode("urn:isbn:123"),
         ox.NamedNode("http://schema.org/PostalAddress"), ox.NamedNode("http://schema.org//odd"),
         ox.BlankNode("b1"), ox.BlankNode("b2")]
    )  # fmt: skip
    triple = st.builds(ox.Triple, subjects, predicates, st.one_of(iris, literals()))
    return st.lists(triple, min_size=1, max_size=25, unique=True)


def test_compaction_round_trips_any_graph(published_store: EmbeddedStore, hub: Hub) -> None:
    compactor = compactor_for(published_store, hub)
    main = hub.node("initiative", "p", "x")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(graph_strategy(hub))
    def round_trip(triples: list[ox.Triple]) -> None:
        body = compactor.serialize(triples, main)
        assert isomorphic(expand(body, compactor), parsed_graph(triples)), body.decode()

    round_trip()
