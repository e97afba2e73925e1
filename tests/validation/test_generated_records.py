"""Generated records (hypothesis) where the engines could part: lexical forms, patterns, languages.

Partner data is messy: identifiers with stray spaces or newlines, numbers written
every way, tagged and untagged text, accented domains.  Each generated batch goes
through both engines, which must give the same findings.  Decimal lexical forms
that Python reads as NaN or infinity are left out: pySHACL itself fails on them
(``decimal.InvalidOperation`` when comparing), the fast engine reports them.
"""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrefour.vocab import GEO, RDF, SCHEMA, XSD, Hub
from loader.validation import Validator
from tests.validation.conftest import validate_both

HUB = Hub("http://127.0.0.1:8080/")
DIGITS_AND_NOISE = st.text(alphabet="0123456789 \n\t\x1ca٣", min_size=0, max_size=16)
IDENTIFIER = st.one_of(
    DIGITS_AND_NOISE,
    st.sampled_from(["552100554", "552100553", "000000000", "55210055400013", "35600000000001", "552100554\n"]),
)
NUMBER_TEXT = st.one_of(
    st.sampled_from(
        [
            "48.5",
            " 48.5",
            "1e5",
            "+.5",
            "1_0",
            "-0",
            "90",
            "90.000",
            "90.0001",
            "-90.5",
            "abc",
            "",
            "٣",
            "4,5",
            "1.",
            ".5",
        ]
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
)
DATATYPES = st.sampled_from(["decimal", "double", "integer", "string", "float"])
DATE_TEXT = st.one_of(
    st.sampled_from(
        [
            "2020",
            "2020-05",
            "2020-02-30",
            "2020-02-29",
            "0000-01-01",
            "2020-01-01T10:00:00Z",
            "20-1-1",
            "2020-01-01Z",
            "",
        ]
    ),
    st.dates().map(str),
)
DATE_TYPES = st.sampled_from(["date", "gYear", "gYearMonth", "dateTime", "string"])
EMAIL = st.builds(
    lambda user, domain, end: f"{user}@{domain}{end}",
    st.sampled_from(["contact", "Contact", "jean.dupont", "accueil", "info-rennes", "équipe", "team.x"]),
    st.sampled_from(["lieu.fr", "café.fr", "x.y", "LIEU.FR", "tiers-lieu.example.org"]),
    st.sampled_from(["", "\n", " ", "."]),
)
NAME = st.tuples(
    st.text(min_size=0, max_size=4) | st.sampled_from(["Le lieu", "X", "A" * 301]),
    st.sampled_from([None, "fr", "en", "FR", "fr-CA"]),
)
URL = st.sampled_from(
    ["https://a.example.org/", "ftp://a.example.org/", "https://exemple.org/é", "http://x", "https://a.org/ b"]
)


def literal(text: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(text, language=language)
    return ox.Literal(text, datatype=ox.NamedNode(XSD + (datatype or "string")))


RECORD = st.fixed_dictionaries(
    {
        "names": st.lists(NAME, max_size=3),
        "siren": st.lists(IDENTIFIER, max_size=2),
        "siret": st.lists(IDENTIFIER, max_size=2),
        "postal": st.lists(st.text(alphabet="0123456789AB \n", max_size=6), max_size=2),
        "country": st.lists(st.sampled_from(["FR", "fr", "BE", "FRA", "F R"]), max_size=2),
        "latitude": st.lists(st.tuples(NUMBER_TEXT, DATATYPES), max_size=2),
        "founded": st.lists(st.tuples(DATE_TEXT, DATE_TYPES), max_size=2),
        "email": st.lists(EMAIL, max_size=2),
        "url": st.lists(st.tuples(URL, st.booleans()), max_size=2),
    }
)


def actor_quads(number: int, record: dict) -> list[ox.Quad]:
    actor = HUB.node("actor", "generated", str(number))
    address = ox.NamedNode(actor.value + "#address")
    cf = HUB.term

    def add(subject: ox.NamedNode, predicate: str | ox.NamedNode, value: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(subject, predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(predicate), value)

    quads = [
        add(actor, RDF + "type", cf("Actor")),
        add(actor, SCHEMA + "address", address),
        add(address, RDF + "type", ox.NamedNode(SCHEMA + "PostalAddress")),
    ]
    quads += [add(actor, SCHEMA + "name", literal(text, language=language)) for text, language in record["names"]]
    quads += [add(actor, cf("siren"), literal(text)) for text in record["siren"]]
    quads += [add(actor, cf("siret"), literal(text)) for text in record["siret"]]
    quads += [add(actor, SCHEMA + "email", literal(text)) for text in record["email"]]
    quads += [add(actor, SCHEMA + "foundingDate", literal(text, datatype)) for text, datatype in record["founded"]]
    for url, as_iri in record["url"]:
        value = ox.NamedNode(url) if as_iri and " " not in url else literal(url)
        quads.append(add(actor, SCHEMA + "url", value))
    quads += [add(address, SCHEMA + "postalCode", literal(text)) for text in record["postal"]]
    quads += [add(address, SCHEMA + "addressCountry", literal(text)) for text in record["country"]]
    quads += [add(address, GEO + "lat", literal(text, datatype)) for text, datatype in record["latitude"]]
    return quads


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(RECORD, min_size=1, max_size=6))
def test_generated_actors(records: list[dict], fast: Validator, reference: Validator) -> None:
    quads = [quad for number, record in enumerate(records) for quad in actor_quads(number, record)]
    validate_both(fast, reference, quads)
