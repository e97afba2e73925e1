"""The shapes: valid SHACL themselves, and each node shape accepts good data and reports bad data.

Examples are small Turtle snippets (IRIs relative to the hub's base, like the project's
files) validated through ``loader.validation.Validator``; a violating example names the
findings it must produce by result path, source shape and severity — never by message.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox
import pytest
import rdflib

from carrefour import paths
from carrefour.vocab import GEO, SCHEMA, SH, Hub
from loader.validation import Validator
from tests.support.rdf import vocabulary_iris

SHAPES_FILE = paths.SHAPES_DIR / "carrefour.shacl.ttl"

HEADER = """
@prefix cf: <ontology#> .
@prefix schema: <http://schema.org/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""

# A complete actor, so that examples pointing to an actor only test their own shape.
ACTOR = """
<actor/test/labomedia> a cf:Actor ;
    schema:name "La Labomedia" ;
    schema:description "Fab lab et médiathèque associative."@fr ;
    cf:legalForm <concept/legal-form/association> ;
    cf:actorType <concept/actor-type/fab-lab> ;
    cf:locatedIn <territory/commune/45234> ;
    schema:address <actor/test/labomedia#address> .
<actor/test/labomedia#address> a schema:PostalAddress ;
    schema:streetAddress "108 rue de Bourgogne" ; schema:postalCode "45000" ; schema:addressLocality "Orléans" ;
    schema:addressCountry "FR" ; geo:lat 47.9021 ; geo:long 1.9093 .
"""

INITIATIVE = """
<initiative/test/atelier> a cf:Initiative ;
    schema:name "Atelier vélo solidaire"@fr , "Community bike workshop"@en ;
    schema:description "Réparer son vélo avec des bénévoles."@fr ;
    cf:status <concept/status/launched> ;
    cf:theme <concept/theme/mobility> ;
    schema:startDate "2019"^^xsd:gYear ;
    schema:url <https://example.org/atelier> ;
    cf:carriedBy <actor/test/labomedia> ;
    cf:locatedIn <territory/commune/45234> ;
    schema:location <initiative/test/atelier#address> .
<initiative/test/atelier#address> a schema:PostalAddress ;
    schema:postalCode "45000" ; schema:addressLocality "Orléans" ; geo:lat 47.9 ; geo:long 1.9 .
"""

PROGRAMME_LOCATION = """
    schema:location <initiative/test/programme#address> .
<initiative/test/programme#address> a schema:PostalAddress ; schema:postalCode "45000" ; geo:lat 47.9 ; geo:long 1.9 .
"""


# A call of the labomedia, complete: its own shape is the only one tested.
CALL = """
<call/test/comptable> a cf:CallForExpertise ;
    schema:name "Cherche comptable bénévole"@fr ;
    schema:description "Deux heures par mois pour tenir les comptes de l'atelier."@fr ;
    cf:publishedBy <actor/test/labomedia> ;
    cf:skillSought <concept/skill/accounting> ;
    cf:compensation <concept/compensation/voluntary> ;
    cf:workMode <concept/work-mode/hybrid> ;
    schema:validFrom "2026-01-05"^^xsd:date ; schema:validThrough "2026-03-31"^^xsd:date ;
    schema:duration "P6M"^^xsd:duration ;
    cf:answerPage <https://example.org/benevolat> ;
    cf:locatedIn <territory/commune/45234> .
"""

APPLICATIONS = """
<call/test/promotion-2026> a cf:CallForApplications ;
    schema:name "Appel à candidatures 2026"@fr ;
    cf:publishedBy <initiative/test/programme> ;
    cf:eligibility "Associations du Loiret."@fr ;
    cf:supportType <concept/support-type/upscaling> ;
    schema:validThrough "2026-06-30"^^xsd:date ;
    schema:email "contact@example.org" .
<initiative/test/programme> a cf:SupportProgramme ; schema:name "Programme d'essaimage"@fr ;
    cf:supportType <concept/support-type/upscaling> ; cf:carriedBy <actor/test/labomedia> ;"""

OFFER = """
<offer/test/mecenat> a cf:Offer ;
    schema:name "Mécénat de compétences en comptabilité"@fr ;
    cf:publishedBy <actor/test/labomedia> ;
    cf:offerType <concept/offer-type/skills-sponsorship> ;
    cf:skillOffered <concept/skill/accounting> ;
    cf:areaServed <territory/region/24> .
"""


@dataclass(frozen=True)
class Case:
    """One example for a node shape: Turtle, and the findings (path, shape, severity) it must produce."""

    node_shape: str
    name: str
    turtle: str
    expected: frozenset[tuple[str | None, str, str]] = frozenset()

    @property
    def id(self) -> str:
        return f"{self.node_shape}-{self.name}"


def finding(path: str | None, shape: str, severity: str = "Violation") -> tuple[str | None, str, str]:
    return (path, shape, severity)


def violates(node_shape: str, name: str, turtle: str, *expected: tuple[str | None, str, str]) -> Case:
    assert expected, "a violating example names the findings it produces"
    return Case(node_shape, name, turtle, frozenset(expected))


def conforms(node_shape: str, turtle: str) -> Case:
    return Case(node_shape, "conforms", turtle)


CF = "ontology#"  # completed with the vocabulary's namespace in expected paths, see `expand`

CASES = [
    conforms("InitiativeShape", INITIATIVE + ACTOR),
    violates(
        "InitiativeShape",
        "missing-name",
        INITIATIVE.replace('schema:name "Atelier vélo solidaire"@fr , "Community bike workshop"@en ;', "") + ACTOR,
        finding(SCHEMA + "name", "Initiative-name"),
    ),
    violates(
        "InitiativeShape",
        "missing-geolocation",
        INITIATIVE.replace("geo:lat 47.9 ; geo:long 1.9", 'schema:addressCountry "FR"') + ACTOR,
        finding(f"({SCHEMA}location {GEO}lat)", "Initiative-geolocation", "Warning"),
    ),
    violates(
        "InitiativeShape",
        "status-outside-its-scheme",
        INITIATIVE.replace("<concept/status/launched>", "<concept/theme/health>") + ACTOR,
        finding(CF + "status", "Initiative-status"),
    ),
    conforms(
        "SupportProgrammeShape",
        """<initiative/test/programme> a cf:SupportProgramme ; schema:name "Programme d'essaimage"@fr ;
            cf:supportType <concept/support-type/upscaling> ; cf:carriedBy <actor/test/labomedia> ;"""
        + PROGRAMME_LOCATION
        + ACTOR,
    ),
    violates(
        "SupportProgrammeShape",
        "no-support-type",
        """<initiative/test/programme> a cf:SupportProgramme ; schema:name "Programme d'essaimage"@fr ;
            cf:carriedBy <actor/test/labomedia> ;"""
        + PROGRAMME_LOCATION
        + ACTOR,
        finding(CF + "supportType", "SupportProgramme-supportType"),
    ),
    violates(
        "SupportProgrammeShape",
        "no-carrier",
        """<initiative/test/programme> a cf:SupportProgramme ; schema:name "Programme d'essaimage"@fr ;
            cf:supportType <concept/support-type/upscaling> ;"""
        + PROGRAMME_LOCATION,
        finding(CF + "carriedBy", "SupportProgramme-carriedBy", "Warning"),
    ),
    conforms("ActorShape", ACTOR),
    violates(
        "ActorShape",
        "missing-name",
        ACTOR.replace('schema:name "La Labomedia" ;', ""),
        finding(SCHEMA + "name", "Actor-name"),
    ),
    violates(
        "ActorShape",
        "missing-geolocation",
        ACTOR.replace("geo:lat 47.9021 ; geo:long 1.9093", 'schema:addressRegion "Centre-Val de Loire"'),
        finding(f"({SCHEMA}address {GEO}lat)", "Actor-geolocation", "Warning"),
    ),
    violates(
        "ActorShape",
        "two-legal-forms",
        ACTOR.replace(
            "<concept/legal-form/association>", "<concept/legal-form/association> , <concept/legal-form/scic>"
        ),
        finding(CF + "legalForm", "Actor-legalForm"),
    ),
    conforms("PostalAddressShape", '<actor/test/x#address> a schema:PostalAddress ; schema:postalCode "97400" .'),
    violates(
        "PostalAddressShape",
        "four-digit-postal-code",
        '<actor/test/x#address> a schema:PostalAddress ; schema:postalCode "4000" ; schema:addressCountry "FR" .',
        finding(SCHEMA + "postalCode", "Address-frenchPostalCode"),
    ),
    violates(
        "PostalAddressShape",
        "latitude-out-of-range",
        "<actor/test/x#address> a schema:PostalAddress ; geo:lat 147.5 .",
        finding(GEO + "lat", "Address-latitude"),
    ),
    conforms(
        "OutcomeIndicatorShape",
        """<initiative/test/i#jobs> a cf:OutcomeIndicator ; schema:value "32"^^xsd:decimal ;
            schema:unitText "emplois"@fr , "jobs"@en ; cf:year "2020"^^xsd:gYear ;
            schema:description "Emplois créés."@fr .
        <initiative/test/i#commission> a cf:KeyFigure ; schema:minValue 33.0 ; schema:maxValue 50.0 ;
            schema:unitText "%" ; schema:description "Commission sur les ventes."@fr .""",
    ),
    violates(
        "OutcomeIndicatorShape",
        "neither-value-nor-range",
        """<initiative/test/i#commission> a cf:KeyFigure ; schema:minValue 33.0 ; schema:unitText "%" ;
            schema:description "Commission sur les ventes."@fr .""",
        finding(SCHEMA + "value", "Indicator-valueOrRange"),
    ),
    violates(
        "OutcomeIndicatorShape",
        "integer-value-without-unit",
        """<initiative/test/i#jobs> a cf:OutcomeIndicator ; schema:value 32 ;
            schema:description "Emplois créés."@fr .""",
        finding(SCHEMA + "value", "Indicator-value"),
        finding(SCHEMA + "unitText", "Indicator-unit"),
    ),
    conforms(
        "FundingShape",
        """<initiative/test/i#funding> a cf:Funding ; cf:funder <actor/test/labomedia> ;
            cf:instrument <concept/funding-instrument/refundable-advance> ; cf:amount 40000.0 ;
            cf:year "2021"^^xsd:gYear ."""
        + ACTOR,
    ),
    violates(
        "FundingShape",
        "no-funder-negative-amount",
        "<initiative/test/i#funding> a cf:Funding ; cf:amount -5.0 .",
        finding(CF + "funder", "Funding-funder"),
        finding(CF + "amount", "Funding-amount"),
    ),
    conforms(
        "SupportShape",
        """<actor/test/y#support> a cf:Support ; cf:supporter <initiative/carrefour/fonds-i> ;
            cf:supportType <concept/support-type/financing> .""",
    ),
    violates(
        "SupportShape",
        "theme-as-support-type",
        """<actor/test/y#support> a cf:Support ; cf:supporter <initiative/carrefour/fonds-i> ;
            cf:supportType <concept/theme/health> .""",
        finding(CF + "supportType", "Support-supportType"),
    ),
    conforms(
        "PublicRoleShape",
        """<actor/test/labomedia#role-president> a cf:PublicRole ; org:postIn <actor/test/labomedia> ;
            org:role "Présidente"@fr , "President"@en ; cf:holderName "Camille Martin" ."""
        + ACTOR,
    ),
    violates(
        "PublicRoleShape",
        "personal-email",
        """<actor/test/labomedia#role-president> a cf:PublicRole ; org:postIn <actor/test/labomedia> ;
            org:role "Présidente"@fr ; schema:email "camille.martin@example.org" ."""
        + ACTOR,
        finding(SCHEMA + "email", "PublicRole-noEmail"),
        finding(SCHEMA + "email", "ContactEmail-functional"),
    ),
    conforms("ContactEmailShape", ACTOR + '<actor/test/labomedia> schema:email "contact@labomedia.org" .'),
    violates(
        "ContactEmailShape",
        "personal-address",
        ACTOR + '<actor/test/labomedia> schema:email "jean.dupont@labomedia.org" .',
        finding(SCHEMA + "email", "ContactEmail-functional"),
    ),
    conforms("TelephoneShape", ACTOR),
    violates(
        "TelephoneShape",
        "phone-number",
        ACTOR + '<actor/test/labomedia> schema:telephone "02 38 00 00 00" .',
        finding(SCHEMA + "telephone", "Telephone-never"),
    ),
    conforms(
        "PartnerShape",
        """<partner/test> a cf:Partner ; schema:name "Plateforme test" ;
            dct:license <https://creativecommons.org/licenses/by/4.0/> ;
            foaf:homepage <https://example.org/> ; cf:taxonomy <taxonomy/test/kinds> .
        <taxonomy/test/kinds> a skos:ConceptScheme .""",
    ),
    violates(
        "PartnerShape",
        "no-licence",
        '<partner/test> a cf:Partner ; schema:name "Plateforme test" ; foaf:homepage <https://example.org/> .',
        finding("http://purl.org/dc/terms/license", "Partner-licence"),
    ),
    conforms(
        "ConceptShape",
        """<taxonomy/test/kinds/fablab> a skos:Concept ; skos:inScheme <concept/theme> ;
            skos:prefLabel "Fab lab"@fr , "Fab lab"@en .""",
    ),
    violates(
        "ConceptShape",
        "no-french-label",
        '<taxonomy/test/kinds/fablab> a skos:Concept ; skos:inScheme <concept/theme> ; skos:prefLabel "Fab lab"@en .',
        finding("http://www.w3.org/2004/02/skos/core#prefLabel", "Concept-frenchLabel", "Warning"),
    ),
    violates(
        "ConceptShape",
        "no-scheme-two-french-labels",
        '<taxonomy/test/kinds/fablab> a skos:Concept ; skos:prefLabel "Fab lab"@fr , "Atelier de fabrication"@fr .',
        finding("http://www.w3.org/2004/02/skos/core#inScheme", "Concept-inScheme"),
        finding("http://www.w3.org/2004/02/skos/core#prefLabel", "Concept-prefLabel"),
    ),
    violates(
        "ConceptShape",
        "alternative-label-repeats-the-preferred-one",
        """<taxonomy/test/kinds/fablab> a skos:Concept ; skos:inScheme <concept/theme> ;
            skos:prefLabel "Fab lab"@fr ; skos:altLabel "Fab lab"@fr , "FabLab"@fr .""",
        finding("http://www.w3.org/2004/02/skos/core#altLabel", "Concept-altLabel"),
    ),
    conforms(
        "TerritoryShape",
        """<territory/test/orleans> a cf:Commune ; cf:inseeCode "45234" ; skos:inScheme <concept/territory> ;
            skos:prefLabel "Orléans"@fr .""",
    ),
    violates(
        "TerritoryShape",
        "malformed-code",
        """<territory/test/orleans> a cf:Commune ; cf:inseeCode "4523X" ; skos:inScheme <concept/territory> ;
            skos:prefLabel "Orléans"@fr .""",
        finding(CF + "inseeCode", "Territory-code"),
    ),
    conforms("CallShape", CALL + ACTOR),
    violates(
        "CallShape",
        "person-and-bad-dates",
        CALL.replace('"2026-03-31"^^xsd:date', '"31/03/2026"')
        .replace("cf:answerPage <https://example.org/benevolat> ;", "")
        .replace("<concept/skill/accounting>", "<concept/theme/health>")
        + ACTOR,
        finding(SCHEMA + "validThrough", "Call-validThrough"),
        finding(CF + "answerPage", "Call-answer", "Warning"),
        finding(CF + "skillSought", "Call-skillSought"),
    ),
    violates(
        "CallShape",
        "personal-email",
        CALL.replace("cf:answerPage <https://example.org/benevolat> ;", 'schema:email "jeanne.martin@example.org" ;')
        + ACTOR,
        finding(SCHEMA + "email", "ContactEmail-functional"),
    ),
    conforms("CallForApplicationsShape", APPLICATIONS + PROGRAMME_LOCATION + ACTOR),
    violates(
        "CallForApplicationsShape",
        "no-closing-date",
        APPLICATIONS.replace('schema:validThrough "2026-06-30"^^xsd:date ;', "") + PROGRAMME_LOCATION + ACTOR,
        finding(SCHEMA + "validThrough", "CallForApplications-closes", "Warning"),
    ),
    conforms(
        "JobOfferShape",
        CALL.replace("cf:CallForExpertise", "cf:JobOffer").replace("compensation/voluntary", "compensation/paid")
        + ACTOR,
    ),
    violates(
        "JobOfferShape",
        "unpaid",
        CALL.replace("cf:CallForExpertise", "cf:JobOffer") + ACTOR,
        finding(CF + "compensation", "JobOffer-paid"),
    ),
    conforms("OfferShape", OFFER + ACTOR),
    violates(
        "OfferShape",
        "no-offer-type",
        OFFER.replace("cf:offerType <concept/offer-type/skills-sponsorship> ;", "") + ACTOR,
        finding(CF + "offerType", "Offer-offerType"),
    ),
]


def expand(hub: Hub, expected: frozenset[tuple[str | None, str, str]]) -> set[tuple[str | None, str, str]]:
    """Relative vocabulary paths and shape names → the IRIs a report gives, under the vocabulary's namespace."""
    return {
        (path if path is None or "://" in path else hub.vocabulary + path, hub.vocabulary + "shapes#" + shape, severity)
        for path, shape, severity in expected
    }


def findings(validator: Validator, hub: Hub, turtle: str) -> set[tuple[str | None, str, str]]:
    quads = list(ox.parse(vocabulary_iris(HEADER + turtle, hub), format=ox.RdfFormat.TURTLE, base_iri=hub.base))
    return {(f.path, f.shape, f.severity) for f in validator.validate(quads).findings}


def luhn_valid(number: str) -> bool:
    """The Luhn check the SIREN and SIRET keys use, to prove the examples below are what they claim."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


@pytest.fixture(scope="module")
def shapes_graph(hub: Hub) -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle", publicID=hub.vocabulary)


def test_the_shapes_conform_to_shacl_for_shacl(shapes_graph: rdflib.Graph) -> None:
    """The W3C SHACL-for-SHACL shapes graph, as pySHACL ships it (no network)."""
    import pyshacl

    shacl_shacl = rdflib.Graph().parse(resources.files("pyshacl") / "assets" / "shacl-shacl.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(shapes_graph, shacl_graph=shacl_shacl)
    assert conforms, text


def test_shacl_for_shacl_rejects_a_broken_shape(hub: Hub) -> None:
    """The meta-validation is not vacuous: a shape with a non-integer sh:minCount fails it."""
    import pyshacl

    broken = rdflib.Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . <shapes#Broken> a sh:PropertyShape ;"
        ' sh:path <http://schema.org/name> ; sh:minCount "one" .',
        format="turtle",
        publicID=hub.base,
    )
    shacl_shacl = rdflib.Graph().parse(resources.files("pyshacl") / "assets" / "shacl-shacl.ttl", format="turtle")
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=shacl_shacl)
    assert not conforms


def test_every_node_shape_has_a_conforming_and_a_violating_example(hub: Hub, shapes_graph: rdflib.Graph) -> None:
    node_shapes = {
        str(shape)[len(hub.vocabulary + "shapes#") :]
        for shape in shapes_graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "NodeShape"))
    }
    assert len(node_shapes) >= 13
    assert node_shapes == {case.node_shape for case in CASES if case.name == "conforms"}
    assert node_shapes == {case.node_shape for case in CASES if case.expected}


def test_every_property_shape_has_a_severity_and_messages_in_french_and_english(shapes_graph: rdflib.Graph) -> None:
    sh = rdflib.Namespace(SH)
    shapes = set(shapes_graph.subjects(rdflib.RDF.type, sh.PropertyShape))
    assert len(shapes) > 80
    for shape in shapes:
        assert shapes_graph.value(shape, sh.severity) in {sh.Violation, sh.Warning, sh.Info}, shape
        languages = {m.language for m in shapes_graph.objects(shape, sh.message) if isinstance(m, rdflib.Literal)}
        assert languages == {"fr", "en"}, shape


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_node_shape_example(validator: Validator, hub: Hub, case: Case) -> None:
    assert findings(validator, hub, case.turtle) == expand(hub, case.expected)


def test_a_missing_name_is_a_violation_and_a_missing_geolocation_a_warning(validator: Validator, hub: Hub) -> None:
    found = findings(validator, hub, "<actor/test/anonymous> a cf:Actor ; cf:actorType <concept/actor-type/fab-lab> .")
    assert found == expand(
        hub,
        frozenset(
            {
                finding(SCHEMA + "name", "Actor-name", "Violation"),
                finding(f"({SCHEMA}address {GEO}lat)", "Actor-geolocation", "Warning"),
            }
        ),
    )


SIREN_FOUND_IN_THE_FEEDS = "430402446"  # La Labomedia, Orléans (hub-lo and ess-numerique feeds)


@pytest.mark.parametrize(
    ("siren", "accepted"),
    [
        (SIREN_FOUND_IN_THE_FEEDS, True),
        ("430402447", False),  # the last digit changed: the Luhn key no longer matches
        ("000000000", False),  # a placeholder: Luhn-valid, but no company has it
        ("123456789", False),
    ],
)
def test_siren_checksum(validator: Validator, hub: Hub, siren: str, accepted: bool) -> None:
    assert luhn_valid(siren) == (accepted or siren == "000000000")
    found = findings(validator, hub, ACTOR + f'<actor/test/labomedia> cf:siren "{siren}" .')
    expected = set() if accepted else expand(hub, frozenset({finding(CF + "siren", "Actor-sirenChecksum")}))
    assert found == expected


@pytest.mark.parametrize(
    ("siret", "accepted"),
    [
        (SIREN_FOUND_IN_THE_FEEDS + "00016", True),  # a Luhn-valid establishment number of that company
        (SIREN_FOUND_IN_THE_FEEDS + "00017", False),
        ("00000000000000", False),  # the placeholder the feeds are full of
        ("35600000000001", True),  # La Poste: digit sum a multiple of 5 instead of the Luhn key
        ("35600000000048", False),  # La Poste number that passes Luhn but not La Poste's own rule
    ],
)
def test_siret_checksum(validator: Validator, hub: Hub, siret: str, accepted: bool) -> None:
    la_poste = siret.startswith("356000000")
    rule_holds = sum(map(int, siret)) % 5 == 0 if la_poste else luhn_valid(siret)
    assert rule_holds == (accepted or siret == "00000000000000")
    found = findings(validator, hub, ACTOR + f'<actor/test/labomedia> cf:siret "{siret}" .')
    expected = set() if accepted else expand(hub, frozenset({finding(CF + "siret", "Actor-siretChecksum")}))
    assert found == expected


def test_a_malformed_siren_breaks_the_pattern_not_the_checksum(validator: Validator, hub: Hub) -> None:
    found = findings(validator, hub, ACTOR + '<actor/test/labomedia> cf:siren "43040244" .')
    assert found == expand(hub, frozenset({finding(CF + "siren", "Actor-siren")}))
