"""The curated dataset says what the founding documents say.

Each test quotes the sentence of a founding document it checks, then asks the
published store (``carrefour init`` run once, see ``published_store``) through the
store seam, in the curated graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
import pytest

from carrefour.store.base import Store
from carrefour.vocab import Graphs, Hub
from tests.support.rdf import vocabulary_iris

PREFIXES = """
PREFIX cf: <ontology#>
PREFIX schema: <http://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX actor: <actor/carrefour/>
PREFIX initiative: <initiative/carrefour/>
PREFIX st: <concept/support-type/>
"""


@dataclass(frozen=True)
class Figure:
    kind: str  # "indicator" (an outcome) or "keyFigure"
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    year: str | None


class Curated:
    """SPARQL over the curated graph of the published version, IRIs relative to the hub's base."""

    def __init__(self, store: Store, hub: Hub) -> None:
        self.snapshot = store.snapshot()
        self.hub = hub
        self.graph = Graphs(hub).curated

    def rows(self, projection: str, where: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, str]]:
        bound = {"curated": self.graph, **bindings}
        projected = " ".join(f"?{name}" for name in bound)  # bound variables must be projected (store seam)
        body = f"SELECT {projected} {projection} WHERE {{ GRAPH ?curated {{ {where} }} }}"
        query = f"BASE <{self.hub.base}> " + vocabulary_iris(f"{PREFIXES} {body}", self.hub)
        rows = self.snapshot.select(query, bound)
        return [{name: term.value for name, term in row.items() if name not in bound} for row in rows]

    def values(self, subject: str, predicate: str) -> set[str]:
        """The values of ``predicate`` (a prefixed name) on the resource at ``subject`` (relative IRI)."""
        rows = self.rows("?value", f"?subject {predicate} ?value", subject=self.node(subject))
        return {row["value"] for row in rows}

    def node(self, relative: str) -> ox.NamedNode:
        return ox.NamedNode(self.hub.base + relative)

    def figures(self, subject: str, unit: ox.Literal) -> list[Figure]:
        """Outcome indicators and key figures of a resource, in a given unit."""
        rows = self.rows(
            "?property ?value ?low ?high ?year",
            """
            VALUES ?property { cf:indicator cf:keyFigure }
            ?subject ?property ?figure . ?figure schema:unitText ?unit .
            OPTIONAL { ?figure schema:value ?value } OPTIONAL { ?figure schema:minValue ?low }
            OPTIONAL { ?figure schema:maxValue ?high } OPTIONAL { ?figure cf:year ?year }
            """,
            subject=self.node(subject),
            unit=unit,
        )

        def number(text: str | None) -> Decimal | None:
            return None if text is None else Decimal(text)

        return sorted(
            (
                Figure(
                    row["property"].rsplit("#", 1)[1],
                    number(row.get("value")),
                    number(row.get("low")),
                    number(row.get("high")),
                    row.get("year"),
                )
                for row in rows
            ),
            key=lambda f: (f.year or "", f.kind),
        )


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


EUR = ox.Literal("EUR")
PERCENT = ox.Literal("%")


@pytest.fixture(scope="module")
def curated(published_store: Store, hub: Hub) -> Curated:
    return Curated(published_store, hub)


def test_la_transfo_ran_2011_to_2020_with_14_local_governments(curated: Curated) -> None:
    """Text: "LA TRANSFO is an action research-program developed from 2011 to 2020, with the goal of exploring how
    to create social innovation capacities and social innovation laboratories within 14 local governments
    (including Paris, Strasbourg, Dunkerque, Occitanie region, etc)."
    """
    transfo = "initiative/carrefour/la-transfo"
    assert curated.values(transfo, "a") == {curated.hub.ns + "SupportProgramme"}
    assert curated.values(transfo, "schema:startDate") == {"2011"}
    assert curated.values(transfo, "schema:endDate") == {"2020"}
    assert curated.values(transfo, "cf:carriedBy") == {curated.hub.base + "actor/carrefour/la-27e-region"}
    assert curated.figures(transfo, en("local governments")) == [Figure("keyFigure", Decimal(14), None, None, None)]
    named = curated.rows("?government", "?government cf:supportedBy initiative:la-transfo")
    assert {row["government"].rsplit("/", 1)[1] for row in named} == {
        "ville-de-paris",
        "ville-de-strasbourg",
        "ville-de-dunkerque",
        "region-occitanie",
    }


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        (en("public servants"), 1791),  # "1791 public servants mobilized in the program"
        (en("jobs"), 32),  # "32 new jobs created"
        (EUR, 8500000),  # "8,5 M € of public and private investments"
        (en("workshops"), 132),  # "132 workshops"
        # "45 departements in local authorities have used the transferred methods"
        (en("local authority departments"), 45),
    ],
)
def test_la_transfo_main_figures_over_four_years(curated: Curated, unit: ox.Literal, value: int) -> None:
    """Text: "Here are the main figures over 4 years of « La Transfo »" (one outcome indicator each)."""
    assert curated.figures("initiative/carrefour/la-transfo", unit) == [
        Figure("indicator", Decimal(value), None, None, None)
    ]


def test_the_27e_region_was_created_in_2008_and_has_100_members_and_a_1m_budget(curated: Curated) -> None:
    """Text: "Originally, in 2008 la 27e Région has been created partly by a group of local authorities"; "Our
    activities are non-commercial and primarily dedicated to our 100 members"; "Our annual budget is 1M€."
    """
    region = "actor/carrefour/la-27e-region"
    assert curated.values(region, "schema:foundingDate") == {"2008"}
    assert curated.figures(region, en("members")) == [Figure("keyFigure", Decimal(100), None, None, None)]
    assert curated.figures(region, EUR) == [Figure("keyFigure", Decimal(1000000), None, None, None)]


def test_call4team_takes_a_commission_of_33_to_50_percent(curated: Curated) -> None:
    """Text: "Call4Team handles the marketing and sales, taking a commission of 33% to 50% depending on the type of
    product or service delivered."
    """
    assert curated.figures("initiative/carrefour/call4team", PERCENT) == [
        Figure("keyFigure", None, Decimal(33), Decimal(50), None)
    ]
    assert curated.values("initiative/carrefour/call4team", "cf:carriedBy") == {
        curated.hub.base + "actor/carrefour/call4team"
    }


def test_call4team_has_over_200_people_and_aims_at_5000(curated: Curated) -> None:
    """Text: "Call4Team was launched in January this year and already has over 200 people working with the
    organisation"; "the goal is ... by September to increase the number of people working with Call4Team to
    5,000." — the achievement is an outcome, the goal only a key figure."""
    assert curated.figures("actor/carrefour/call4team", en("people")) == [
        Figure("indicator", Decimal(200), Decimal(200), None, None),
        Figure("keyFigure", Decimal(5000), None, None, None),
    ]


def test_co_actions_was_created_in_2004_with_9_support_staff(curated: Curated) -> None:
    """Text: "The 1st CAE was created in 1995. CO-ACTIONS was created in 2004"; "There are 9 members of support staff
    (the equivalent of about 5 full time people)"; "Sales Revenues (2016): 900 000 €"."""
    co_actions = "actor/carrefour/co-actions"
    assert curated.values(co_actions, "schema:foundingDate") == {"2004"}
    assert curated.values(co_actions, "cf:legalForm") == {curated.hub.vocabulary + "concept/legal-form/cae"}
    assert curated.figures(co_actions, en("support staff members")) == [
        Figure("keyFigure", Decimal(9), None, None, None)
    ]
    assert curated.figures(co_actions, en("full-time equivalents")) == [
        Figure("keyFigure", Decimal(5), None, None, None)
    ]
    assert curated.figures(co_actions, EUR) == [Figure("indicator", Decimal(900000), None, None, "2016")]


def test_co_actions_created_coworking_spaces_in_hagetmau_la_reole_and_begles(curated: Curated) -> None:
    """Text: "Since 2013, CO-ACTIONS created a coworking space in Hagetmau ..., a coworking space in La Réole ...,
    a coworking space in Bègles a small city close to Bordeaux"; the communes are published with their names."""
    query = (
        f"{PREFIXES} SELECT ?curated ?space ?name WHERE {{"
        " GRAPH ?curated { ?space cf:carriedBy actor:co-actions ; cf:method <concept/method/third-place> ;"
        "  cf:locatedIn ?commune }"
        " ?commune a cf:Commune ; skos:prefLabel ?name }"
    )
    rows = curated.snapshot.select(
        f"BASE <{curated.hub.base}> " + vocabulary_iris(query, curated.hub), {"curated": curated.graph}
    )
    assert sorted(row["name"].value for row in rows) == ["Bègles", "Hagetmau", "La Réole"]


def test_co_actions_is_a_founder_member_of_the_tiers_lieux_coop(curated: Curated) -> None:
    """Text: "Founder member of the regional network Tiers-Lieux Coopérative"; "Nearly 150 spaces at the regional
    level"."""
    assert curated.values("actor/carrefour/co-actions", "org:memberOf") == {
        curated.hub.base + "actor/carrefour/tiers-lieux-coop"
    }
    assert curated.figures("actor/carrefour/tiers-lieux-coop", en("third places")) == [
        Figure("keyFigure", Decimal(150), None, Decimal(150), None)
    ]


def test_banque_des_territoires_invested_24_5_million_in_novess(curated: Curated) -> None:
    """Text: "the Banque des Territoires has invested €24.5m (out of a fund total of €71.5m) in the NovESS fund ...
    48 companies have benefited from financing, enabling the consolidation of 7,717 jobs"."""
    rows = curated.rows(
        "?amount",
        "actor:novess cf:fundedBy actor:banque-des-territoires ; cf:funding ?funding ."
        " ?funding cf:funder actor:banque-des-territoires ; cf:amount ?amount",
    )
    assert [Decimal(row["amount"]) for row in rows] == [Decimal("24500000")]
    assert curated.figures("actor/carrefour/novess", EUR) == [Figure("keyFigure", Decimal(71500000), None, None, None)]
    assert curated.figures("actor/carrefour/novess", en("jobs")) == [
        Figure("indicator", Decimal(7717), None, None, None)
    ]
    assert curated.figures("actor/carrefour/novess", en("companies")) == [
        Figure("indicator", Decimal(48), None, None, None)
    ]


def test_banque_des_territoires_lends_to_avise_and_gives_it_a_grant(curated: Curated) -> None:
    """Text: "Avise benefits from funding from the Banque des Territoires ...: grant funding for its operation but
    also a loan which makes it possible to cover its WCR needs"."""
    rows = curated.rows(
        "?instrument",
        "actor:avise cf:funding ?funding . ?funding cf:funder actor:banque-des-territoires ; cf:instrument ?instrument",
    )
    assert {row["instrument"].rsplit("/", 1)[1] for row in rows} == {"grant", "loan"}


def test_the_dla_supports_6000_organisations_a_year_since_2002(curated: Curated) -> None:
    """Text: "For the DLA, the Banque des Territoires mobilizes approximately €6M/year, 6,000 companies on average are
    supported each year ... (more than 810,000 jobs have been affected since the creation of the program in
    2002)"; "The support provided: Advisory services for social innovators"."""
    dla = "initiative/carrefour/dla"
    assert curated.values(dla, "schema:startDate") == {"2002"}
    assert curated.values(dla, "cf:supportType") == {curated.hub.vocabulary + "concept/support-type/advisory"}
    assert curated.figures(dla, en("organisations supported a year")) == [
        Figure("indicator", Decimal(6000), None, None, "2019")
    ]
    assert curated.figures(dla, en("jobs")) == [Figure("indicator", Decimal(810000), Decimal(810000), None, "2019")]
    rows = curated.rows(
        "?amount ?year",
        "initiative:dla cf:funding ?f . ?f cf:funder actor:banque-des-territoires ; cf:amount ?amount ; cf:year ?year",
    )
    assert [(Decimal(r["amount"]), r["year"]) for r in rows] == [(Decimal(6000000), "2019")]


def test_fonds_i_has_six_founders_and_advances_40k_on_average(curated: Curated) -> None:
    """Text: "The I Fund was set up by six founders who co-financed its actions: Private stakeholders: AG2R La Mondiale,
    Fondation Caritas France, Fondation Daniel et Nina Carasso, Le rameau; Public stakeholders: Banque des
    territoires, French Ministry of National Education, Youth and Sport"; "Refundable advances (€40K on average,
    paid back after about 2-3 years)"; "from 11 projects supported in 2021 to a projected 25 projects in 2022"."""
    fund = "initiative/carrefour/fonds-i"
    founders = {iri.rsplit("/", 1)[1] for iri in curated.values(fund, "cf:fundedBy")}
    assert founders == {
        "ag2r-la-mondiale",
        "fondation-caritas-france",
        "fondation-daniel-et-nina-carasso",
        "le-rameau",
        "banque-des-territoires",
        "ministere-education-nationale",
    }
    assert curated.figures(fund, EUR) == [Figure("keyFigure", Decimal(40000), None, None, None)]
    assert curated.figures(fund, en("projects supported")) == [
        Figure("indicator", Decimal(11), None, None, "2021"),
        Figure("keyFigure", Decimal(25), None, None, "2022"),
    ]


def test_fair_was_created_in_2021_by_merging_finansol_and_iilab(curated: Curated) -> None:
    """Text: "FAIR was created in 2021 by merging Finansol and the Impact Invest Lab (iiLab)"; "There are currently over
    170 Finansol-accredited products"."""
    rows = curated.rows(
        "?original ?date",
        "actor:fair schema:foundingDate '2021'^^<http://www.w3.org/2001/XMLSchema#gYear> ; org:resultedFrom ?merger ."
        " ?merger a org:ChangeEvent ; org:originalOrganization ?original ; dct:date ?date",
    )
    assert {(row["original"].rsplit("/", 1)[1], row["date"]) for row in rows} == {
        ("finansol", "2021"),
        ("iilab", "2021"),
    }
    assert curated.values("initiative/carrefour/label-finansol", "cf:carriedBy") == {
        curated.hub.base + "actor/carrefour/fair"
    }
    assert curated.figures("initiative/carrefour/label-finansol", en("accredited products")) == [
        Figure("indicator", Decimal(170), Decimal(170), None, None)
    ]


def test_fair_solidarity_savings_grew_from_15_6_to_20_3_billion(curated: Curated) -> None:
    """Text: "Steady increase in the total amount of solidarity savings collected during the year (2019: €15.6
    billion in France / 2020: €20.3 billion in France)"."""
    savings = [f for f in curated.figures("actor/carrefour/fair", EUR) if f.value and f.value > 10**10]
    assert savings == [
        Figure("indicator", Decimal("15600000000"), None, None, "2019"),
        Figure("indicator", Decimal("20300000000"), None, None, "2020"),
    ]


def test_the_institut_godin_is_an_association_founded_in_2007(curated: Curated) -> None:
    """Text: "The Institut Jean-Baptiste Godin is a non-profit organisation founded in 2007 (under the French law of
    1901) at the initiative of stakeholders in the former Picardy region."
    """
    godin = "actor/carrefour/institut-godin"
    assert curated.values(godin, "schema:foundingDate") == {"2007"}
    assert curated.values(godin, "cf:legalForm") == {curated.hub.vocabulary + "concept/legal-form/association"}
    assert curated.values(godin, "schema:legalName") == {"Institut Jean-Baptiste Godin"}
    assert curated.values(godin, "cf:locatedIn") == {curated.hub.base + "territory/region/32"}


def test_the_fabrique_a_initiatives_grew_from_5_to_30_organisations(curated: Curated) -> None:
    """Text: "growing from five promising organisations when the trial scheme started up in 2010, to 30 in 2021";
    "In 2020, 1,400 partners cooperated with the Fabrique à initiatives"; "Première Brique is a social innovation
    incubator that runs the Fabrique à initiatives in the Toulouse Metropolitan Area"."""
    fabrique = "initiative/carrefour/fabrique-a-initiatives"
    assert curated.values(fabrique, "schema:startDate") == {"2010"}
    assert curated.values(fabrique, "cf:carriedBy") == {curated.hub.base + "actor/carrefour/avise"}
    assert curated.figures(fabrique, en("organisations")) == [
        Figure("keyFigure", Decimal(5), None, None, "2010"),
        Figure("indicator", Decimal(30), None, None, "2021"),
    ]
    assert curated.figures(fabrique, en("partners")) == [Figure("indicator", Decimal(1400), None, None, "2020")]
    rows = curated.rows(
        "?local",
        "?local dct:isPartOf initiative:fabrique-a-initiatives ; cf:carriedBy actor:premiere-brique ;"
        " cf:locatedIn <territory/commune/31555>",
    )
    assert len(rows) == 1


def test_the_emergence_and_acceleration_community_led_by_avise_since_2015(curated: Curated) -> None:
    """Text: "Since 2015, Avise has been leading the Emergence & Acceleration Community (CE&A), which in 2022 brings
    together more than 120 stakeholders"; "Overall satisfaction rating of the community leadership: 17/20";
    "ATIS, an association created in 2010" is given as one of its members."""
    community = "initiative/carrefour/communaute-emergence-acceleration"
    assert curated.values(community, "schema:startDate") == {"2015"}
    assert curated.values(community, "cf:carriedBy") == {curated.hub.base + "actor/carrefour/avise"}
    assert curated.figures(community, en("members")) == [Figure("indicator", Decimal(120), Decimal(120), None, "2022")]
    ratings = sorted(f.value for f in curated.figures(community, ox.Literal("/20")) if f.value is not None)
    assert ratings == [Decimal(16), Decimal(17), Decimal("17.5"), Decimal("17.5")]
    assert curated.values("actor/carrefour/atis", "org:memberOf") == {curated.hub.base + community}
    assert curated.values("actor/carrefour/atis", "schema:foundingDate") == {"2010"}


def test_labcom_destins_ran_2019_to_2022_funded_by_the_anr(curated: Curated) -> None:
    """Text: "LabCom Destins is a joint laboratory co-created by the Maison des Sciences de l'Homme et de la Société ...
    and the private consulting firm, Ellyx"; "The LabCom was set up for a three-year period from 2019 to 2022";
    "national funding from the National Research Agency (ANR)"."""
    labcom = "initiative/carrefour/labcom-destins"
    assert curated.values(labcom, "schema:startDate") == {"2019"}
    assert curated.values(labcom, "schema:endDate") == {"2022"}
    assert {iri.rsplit("/", 1)[1] for iri in curated.values(labcom, "cf:carriedBy")} == {"mshs-poitiers", "ellyx"}
    assert curated.values(labcom, "cf:fundedBy") == {curated.hub.base + "actor/carrefour/anr"}
    assert curated.values("actor/carrefour/mshs-poitiers", "org:subOrganizationOf") == {
        curated.hub.base + "actor/carrefour/universite-de-poitiers"
    }


def test_pins_lasts_10_months_with_20000_euros_from_the_fondation_macif(curated: Curated) -> None:
    """Text: "The P'INS programme is a spin-off support programme led by the Fondation Macif ... and Avisa. For 10
    months ..."; "Financial support from the Macif Foundation to the value of €20,000"."""
    pins = "initiative/carrefour/pins"
    assert {iri.rsplit("/", 1)[1] for iri in curated.values(pins, "cf:carriedBy")} == {"fondation-macif", "avise"}
    assert curated.figures(pins, en("months")) == [Figure("keyFigure", Decimal(10), None, None, None)]
    assert curated.figures(pins, EUR) == [Figure("keyFigure", Decimal(20000), None, None, None)]


def test_ptce_survey_of_115_organisations_in_24_ptces(curated: Curated) -> None:
    """Text: "In a survey conducted by the social and solidarity economy laboratory in 2017, which polled 115
    organisations belonging to 24 PTCEs: 8.2% of the total sales ... was generated by their belonging to a PTCE";
    "Example of the Pôle Sud Archer, which brings together local employment actors in Romans (Drôme)"."""
    ptce = "initiative/carrefour/ptce"
    assert curated.figures(ptce, PERCENT) == [Figure("indicator", Decimal("8.2"), None, None, "2017")]
    assert curated.figures(ptce, en("organisations")) == [Figure("keyFigure", Decimal(115), None, None, "2017")]
    assert curated.figures(ptce, ox.Literal("PTCE")) == [Figure("keyFigure", Decimal(24), None, None, "2017")]
    archer = "initiative/carrefour/pole-sud-archer"
    assert curated.values(archer, "dct:isPartOf") == {curated.hub.base + ptce}
    assert curated.values(archer, "cf:locatedIn") == {
        curated.hub.base + "territory/commune/26281",
        curated.hub.base + "territory/departement/26",
        curated.hub.base + "territory/region/84",
    }


def test_ronalpia_supported_339_social_enterprises_48_of_them_to_settle(curated: Curated) -> None:
    """Text: "339 social enterprises have been supported by Ronalpia across all of its programmes, including 48 in the
    Establishment programme since 2017"; "105 direct, local jobs created by the 48 enterprises"."""
    supported = en("social enterprises supported")
    assert curated.figures("actor/carrefour/ronalpia", supported) == [
        Figure("indicator", Decimal(339), None, None, None)
    ]
    assert curated.figures("initiative/carrefour/ronalpia-implantation", supported) == [
        Figure("indicator", Decimal(48), None, None, None)
    ]
    assert curated.figures("initiative/carrefour/ronalpia-implantation", en("jobs")) == [
        Figure("indicator", Decimal(105), None, None, None)
    ]


def test_social_impact_bonds_came_to_france_in_2016(curated: Curated) -> None:
    """Text: "Social impact bonds were created in Great Britain, then first launched in France in 2016"; "Over 13
    million euros invested in the first eight social impact bonds"; "Examples of beneficiaries: ADIE, Apprentis
    d'Auteuil, Article 1, Impact Partenaires, La Cravate Solidaire and Wimoov"."""
    bonds = "initiative/carrefour/contrats-a-impact-social"
    assert curated.values(bonds, "schema:startDate") == {"2016"}
    assert Figure("indicator", Decimal(13000000), Decimal(13000000), None, "2016") in curated.figures(bonds, EUR)
    rows = curated.rows("?beneficiary", "?beneficiary cf:supportedBy initiative:contrats-a-impact-social")
    assert {row["beneficiary"].rsplit("/", 1)[1] for row in rows} == {
        "adie",
        "apprentis-d-auteuil",
        "article-1",
        "impact-partenaires",
        "la-cravate-solidaire",
        "wimoov",
    }


def test_the_carrefour_was_launched_by_cget_and_la_fonda(curated: Curated) -> None:
    """Text: "Following the initiative of CGET ..., La Fonda ... and around 50 more partners, France is launching the
    'Carrefour des innovations sociales'"; "More than 10,000 initiatives have already been collected from around
    20 partners using a web crawler"; "the hub should collect and promote around 40,000 initiatives"."""
    hub = "initiative/carrefour/carrefour-des-innovations-sociales"
    assert {iri.rsplit("/", 1)[1] for iri in curated.values(hub, "cf:carriedBy")} == {"cget", "la-fonda"}
    assert curated.values(hub, "cf:partnerOf") == {curated.hub.base + "actor/carrefour/aeidl"}
    assert curated.figures(hub, ox.Literal("initiatives")) == [
        Figure("indicator", Decimal(10000), Decimal(10000), None, None),
        Figure("keyFigure", Decimal(40000), None, None, None),
    ]


@pytest.mark.parametrize(
    ("programme", "support_types"),
    [
        # "Cap Impact" — "The support provided: Methods and support for assessing social impact"
        ("cap-impact", {"impact-assessment"}),
        # "Social impact bonds" — upscaling, assessing social impact, financing
        ("contrats-a-impact-social", {"upscaling", "impact-assessment", "financing"}),
        # "Ronalpia" — meeting spaces, linking up, advisory services, upscaling
        ("ronalpia-implantation", {"meeting-spaces", "linking-up", "advisory", "upscaling"}),
        # "27ème région" — the seven types listed for La Transfo
        (
            "la-transfo",
            {
                "skills",
                "promotion-methods",
                "linking-up",
                "advisory",
                "upscaling",
                "impact-assessment",
                "financing-information",
            },
        ),
    ],
)
def test_support_types_of_a_programme(curated: Curated, programme: str, support_types: set[str]) -> None:
    """Each best-practice form lists, under "The support provided", the support types of the programme."""
    found = curated.values(f"initiative/carrefour/{programme}", "cf:supportType")
    assert {iri.rsplit("/", 1)[1] for iri in found} == support_types


def test_every_support_programme_of_the_issue_is_there(curated: Curated) -> None:
    """The support schemes of the best-practice document are support programmes run by actors."""
    rows = curated.rows("?programme", "?programme a cf:SupportProgramme")
    slugs = {row["programme"].rsplit("/", 1)[1] for row in rows}
    assert slugs >= {
        "la-transfo",
        "cap-impact",
        "fonds-i",
        "fabrique-a-initiatives",
        "communaute-emergence-acceleration",
        "labcom-destins",
        "dla",
        "pins",
        "ptce",
        "ronalpia-implantation",
        "contrats-a-impact-social",
    }


def test_people_appear_only_through_public_roles(curated: Curated) -> None:
    """Text: "Noémie Escortell - Cooperation and european partnerships project manager - Mail nescortell@…": the role is
    published, the personal e-mail never; nobody has an e-mail or a phone in the curated data."""
    rows = curated.rows("?holder ?actor", "?role a cf:PublicRole ; cf:holderName ?holder ; org:postIn ?actor")
    assert ("Noémie Escortell", curated.hub.base + "actor/carrefour/co-actions") in {
        (row["holder"], row["actor"]) for row in rows
    }
    outside_roles = curated.rows(
        "?subject", "?subject cf:holderName ?name FILTER NOT EXISTS { ?subject a cf:PublicRole }"
    )
    assert outside_roles == []
    contacts = curated.rows("?subject", "{ ?subject schema:email ?x } UNION { ?subject schema:telephone ?x }")
    assert contacts == []
    leaks = curated.rows(
        "?subject", "?subject ?p ?text FILTER (isLiteral(?text) && CONTAINS(STR(?text), '@co-actions'))"
    )
    assert leaks == []


def test_every_curated_resource_is_described_in_french_and_english(curated: Curated) -> None:
    """Labels and descriptions in French and English where the text allows: every actor and initiative has both."""
    rows = curated.rows(
        "?resource",
        "VALUES ?class { cf:Actor cf:Initiative cf:SupportProgramme } VALUES ?language { 'fr' 'en' }"
        " ?resource a ?class FILTER NOT EXISTS { ?resource schema:description ?text FILTER (LANG(?text) = ?language) }",
    )
    assert rows == []
    counts = curated.rows(
        "?resource", "VALUES ?class { cf:Actor cf:Initiative cf:SupportProgramme } ?resource a ?class"
    )
    assert len({row["resource"] for row in counts}) > 100


def test_every_actor_and_initiative_pointed_to_is_described(curated: Curated) -> None:
    """No dangling link: whatever the curated data points to under actor/ or initiative/ is described there."""
    dangling = curated.rows(
        "?target",
        "?source ?link ?target FILTER (isIRI(?target))"
        " FILTER (STRSTARTS(STR(?target), STR(actor:)) || STRSTARTS(STR(?target), STR(initiative:)))"
        " FILTER NOT EXISTS { ?target a ?class }",
    )
    assert dangling == []


def test_the_dla_is_free_and_lasts_two_months_to_two_years(curated: Curated) -> None:
    """Text: "The duration of the support provided varies between 2 months and 2 years, depending on the
    organisation's requirements." — "The diagnosis, guidance and support are publicly funded, so at no cost to the
    recipient" — "Any SEE enterprise as defined by the Act of July 2014 on the social and solidarity economy."
    """
    dla = "initiative/carrefour/dla"
    assert "Free of charge" in " ".join(curated.values(dla, "cf:cost"))
    assert any("2 months and 2 years" in text for text in curated.values(dla, "cf:duration"))
    assert any("Act of July 2014" in text for text in curated.values(dla, "cf:eligibility"))


@pytest.mark.parametrize(
    ("programme", "said"),
    [
        # "provide nine months of guidance and support to social innovation organisations"
        ("initiative/carrefour/ronalpia-implantation", "Nine months."),
        # "Personalised, individual support for 8 to 10 months"
        ("initiative/carrefour/pins", "individual support for 8 to 10 months"),
        # "training days (1 or 2) or a whole individual and collective training course over 9 months"
        ("initiative/carrefour/cap-impact", "course over 9 months"),
    ],
)
def test_how_long_the_support_lasts(curated: Curated, programme: str, said: str) -> None:
    assert any(said in text for text in curated.values(programme, "cf:duration"))


def test_who_the_i_fund_is_for_and_what_it_costs(curated: Curated) -> None:
    """Text: "Organisation in existence for over three years" — "Organisation with a minimum of €500,000 in annual
    operating income and/or five FTEs" — "Refundable advances (€40K on average, paid back after about 2-3 years)"
    """
    fund = "initiative/carrefour/fonds-i"
    eligibility = " ".join(curated.values(fund, "cf:eligibility"))
    assert "over three years" in eligibility and "€500,000" in eligibility and "five FTEs" in eligibility
    assert any("€40K on average" in text for text in curated.values(fund, "cf:cost"))


@pytest.mark.parametrize(
    ("programme", "stages"),
    [
        ("initiative/carrefour/fabrique-a-initiatives", {"idea"}),  # "the project owner is established ... once
        # the idea's feasibility and usefulness have been approved"
        ("initiative/carrefour/pins", {"scaling"}),  # "These organisations are in the process of upscaling"
        ("initiative/carrefour/fonds-i", {"scaling"}),  # "projects with a strong social impact and wishing to scale-up"
        ("actor/carrefour/banque-des-territoires", {"idea", "launched", "scaling"}),  # "at all stages of
        # development from ideation to scale up"
    ],
)
def test_the_stages_a_programme_supports(curated: Curated, programme: str, stages: set[str]) -> None:
    found = curated.values(programme, "cf:supportedStage")
    assert {iri.rsplit("/", 1)[1] for iri in found} == stages


def test_the_calls_for_projects_of_social_impact_bonds(curated: Curated) -> None:
    """Text: "six social impact bonds were created following the first call for projects, launched in 2016"; "The
    last three calls for expressions of interest were launched between 2020 and 2021, and selected projects in the
    fields of the "circular economy", "equal economic opportunity" and "innovating for access to employment"."""
    rows = curated.rows(
        "?call ?opens ?closes",
        "?call a cf:CallForApplications ; cf:publishedBy initiative:contrats-a-impact-social"
        " OPTIONAL { ?call schema:validFrom ?opens } OPTIONAL { ?call schema:validThrough ?closes }",
    )
    calls = {row["call"].rsplit("/", 1)[1]: (row.get("opens"), row.get("closes")) for row in rows}
    assert calls == {
        "contrats-a-impact-social-2016": ("2016", None),
        "contrats-a-impact-social-economie-circulaire": (None, "2021"),
        "contrats-a-impact-social-egalite-des-chances": (None, "2021"),
        "contrats-a-impact-social-acces-a-l-emploi": (None, "2021"),
    }
