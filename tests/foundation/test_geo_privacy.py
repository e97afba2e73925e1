"""Places as partners write them, and personal data as they leak it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carrefour.config import load_config
from carrefour.errors import ConfigError
from carrefour.vocab import slugify
from loader.geo import Territories, normalise_postal_code
from loader.privacy import (
    EMAIL_REMOVED,
    PHONE_REMOVED,
    is_functional_email,
    personal_value,
    privacy_salt,
    pseudonym,
    redact,
    scrub,
)
from loader.validation.report import Finding, Report


@pytest.fixture(scope="module")
def territories() -> Territories:
    return Territories.load()


@pytest.mark.parametrize(
    ("postal_code", "city", "insee", "expected"),
    [
        ("04000", "Digne-les-Bains", None, "04070"),
        (normalise_postal_code("4000"), "DIGNE-LES-BAINS", None, "04070"),  # leading zero lost upstream
        ("13001", "MARSEILLE 1ER ARRONDISSEMENT", None, "13201"),
        ("13001", "Marseille", None, "13055"),
        (None, "ST YRIEIX LA PERCHE", None, "87187"),
        ("42000", "Saint-\ufffdtienne", None, "42218"),  # an accent destroyed into U+FFFD
        ("44000", "Nantes - Naofood", None, "44109"),  # city polluted with a co-op name
        (None, None, "4070", "04070"),
        ("29900", "Concarneau", None, "29039"),
    ],
)
def test_communes_are_resolved(territories: Territories, postal_code, city, insee, expected) -> None:
    commune = territories.resolve(postal_code, city, insee)
    assert commune is not None and commune.code == expected


@pytest.mark.parametrize(
    ("postal_code", "city", "expected"),
    [
        ("33370", "Salleboeuf", "33496"),  # oe for œ
        ("33370", "SALLEBOEUF", "33496"),
        (None, "OEUF EN TERNOIS", "62633"),  # no postal code: the name alone, in capitals, no hyphens
        ("33220", "STE FOY LA GRANDE", "33402"),  # Ste, capitals, no hyphens
        ("02100", "ST QUENTIN", "02691"),
        ("13330", "Labarben", "13009"),  # words run together: La Barben
        ("83120", "Plan-de-la-Tour", "83094"),  # the article left out: Le Plan-de-la-Tour
        ("13013", "MARSEILLE 13", "13213"),  # arrondissements written every way
        ("13007", "7e Arrondissement", "13207"),
        ("69001", "Lyon 1er", "69381"),
        ("04600", "SAINT AUBAN", "04049"),  # part of Château-Arnoux-Saint-Auban
        ("28700", "Auneau", "28015"),  # now Auneau-Bleury-Saint-Symphorien, not Aunay-sous-Auneau
        ("06140", "Tourettes-sur-Loup", "06148"),  # misspelt: Tourrettes-sur-Loup
        ("06048", "Contes", "06048"),  # the INSEE code in the postal-code column (Contes is also in 62)
        ("06075", "Plan-du-Var-Levens", "06075"),  # ... with a locality before the town
        ("83957", "La Garde", "83062"),  # a CEDEX: the postal code's département tells four La Garde apart
        ("84025", "Avignon", "84007"),  # a CEDEX that is also an INSEE code (Cabrières-d'Avignon)
        ("06390", "Sospel", "06136"),  # a neighbouring postal code
        ("06032", "Cap-D\ufffdail", "06032"),  # an apostrophe destroyed into U+FFFD
        ("05300", "La Ragne-Mont\ufffdglin", "05070"),  # ... words apart and an accent lost
        (None, "Nantes - Les Coursiers Nantais", "44109"),  # a co-op's name after the town's
    ],
)
def test_communes_written_another_way_are_the_official_commune(
    territories: Territories, postal_code, city, expected
) -> None:
    commune = territories.resolve(postal_code, city)
    assert commune is not None and commune.code == expected


@pytest.mark.parametrize(
    ("postal_code", "city"),
    [
        ("41700", "Contres"),  # merged into Le Controis-en-Sologne; another Contres is in the Cher
        ("04220", "Corbi\ufffdres"),  # Corbières-en-Provence? Only Corbières (Aude) matches: not placed there
        (None, "Saint-Denis"),  # a dozen communes
    ],
)
def test_names_that_do_not_tell_the_commune_place_nothing(territories: Territories, postal_code, city) -> None:
    assert territories.resolve(postal_code, city) is None


def test_an_ambiguous_postal_code_alone_resolves_to_no_commune_but_to_its_departement(territories: Territories) -> None:
    assert territories.resolve("04000") is None
    assert territories.departement_of_postal_code("04000") == "04"


@pytest.mark.parametrize(
    ("raw", "expected"), [("4000", "04000"), ("29600.0", "29600"), (18000, "18000"), ("75 011", "75011"), ("abc", None)]
)
def test_postal_codes_are_repaired(raw, expected) -> None:
    assert normalise_postal_code(raw) == expected


# Personal data as partners write it: every string must come out without a digit of the number or a letter
# of the address (the rule that fires is what reports show instead).
MUST_REDACT = {
    "(06) 12 34 56 78": "phone",
    "06/12/34/56/78": "phone",
    "06 12 34 56 78": "phone",
    "06.12.34.56.78": "phone",
    "06-12-34-56-78": "phone",
    "0612345678": "phone",
    "Tél.0612345678": "phone",
    "Appeler le 06  12  34  56  78": "phone",
    "02\u00a038\u00a011\u00a022\u00a033": "phone",
    "+33 6 12 34 56 78": "phone",
    "+33 (0)6 12 34 56 78": "phone",
    "+33 (0) 6 12 34 56 78": "phone",
    "+33(0)612345678": "phone",
    "(+33) 6 12 34 56 78": "phone",
    "0033 6 12 34 56 78": "phone",
    "tel:+33612345678": "phone",
    "+32 2 123 45 67": "international-phone",
    "+44 20 7946 0958": "international-phone",
    "0041 22 123 45 67": "international-phone",
    "jean.dupont@gmail.com": "email",
    "Cecile.BLONDEL@agglopolys.fr": "email",
    "mailto:jean@example.org": "email",
    "prenom.nom@mairie-x.fr": "email",
    "contact@gmail.com": "email",
    "jean [at] example [dot] org": "obfuscated-email",
    "JEAN [AT] EXAMPLE [DOT] ORG": "obfuscated-email",
    "jean[at]example[dot]org": "obfuscated-email",
    "jean (at) example.org": "obfuscated-email",
    "jean {at} example {dot} org": "obfuscated-email",
    "jean<at>example<dot>org": "obfuscated-email",
    "jean (arobase) exemple.fr": "obfuscated-email",
    "jean arobase example point org": "obfuscated-email",
    "écrire à marie arobas free point fr": "obfuscated-email",
    "marie arobase gmail.com": "obfuscated-email",
    "jean.dupont (at) orange (point) fr": "obfuscated-email",
    "jean [dot] dupont [at] gmail [dot] com": "obfuscated-email",
    "jean @ example.org": "obfuscated-email",
}
MUST_KEEP = [
    "06/12/2024", "06/12/2024 10:30", "le 12/06/2024 à 10h", "12.06.2024", "2024-06-12", "03 février 2020",
    "SIRET 12345678901234", "SIRET 00123456789012", "SIRET 123 456 789 00012", "SIREN 430402446", "SIREN 430 402 446",
    "29200 Brest", "06000 Nice", "75011", "2019-2021", "10 000 habitants en 2020", "1 200,00 €", "12,50 €",
    "+ 12 000 personnes", "9h-12h", "9h-12h / 14h-18h", "09:00-12:00 14:00-18:00", "Ouvert 7j/7, 24h/24",
    "47.390123, 0.689012", "47.0612345678", "-1.0612345678", "lat 48.1173 long -1.6778",
    "https://www.google.com/maps/@47.3941,0.6848,17z", "https://example.org/p?id=100064512345678",
    "https://mastodon.social/@asso", "Code NAF 62.01Z", "EAN 3012345678901", "ISBN 978-2-07-036822-8",
    "contact@asso.fr", "contact [at] asso [dot] fr", "accueil@mairie.fr",
    "Rendez-vous at the point of sale", "meet at example dot org", "Café (at) La Cantine", "Le point de rencontre",
]  # fmt: skip


@pytest.mark.parametrize(("text", "rule"), sorted(MUST_REDACT.items()))
def test_personal_data_is_redacted_and_the_rule_named(text: str, rule: str) -> None:
    redacted = redact(text)
    assert rule in redacted.rules
    remains = redacted.text
    for marker in (EMAIL_REMOVED, PHONE_REMOVED):
        remains = remains.replace(marker, "")
    assert not re.search(r"\d|@|\[at\]|\(at\)|arobas|example|gmail|free|orange|jean|marie", remains, re.IGNORECASE)


@pytest.mark.parametrize("text", MUST_KEEP)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == (text, ())


@pytest.mark.parametrize(
    ("text", "expected", "rules"),
    [
        (
            "Contactez Marie au 06 12 34 56 78 ou marie.dupont@gmail.com",
            f"Contactez Marie au {PHONE_REMOVED} ou {EMAIL_REMOVED}",
            ("email", "phone"),
        ),
        ("Tél : +33 4 92 31 43 87", f"Tél : {PHONE_REMOVED}", ("phone",)),
        ("SIREN 430402446, ouvert 9h-12h, 2019-2021", "SIREN 430402446, ouvert 9h-12h, 2019-2021", ()),
        ("04.92.58.66.36", PHONE_REMOVED, ("phone",)),
    ],
)
def test_redaction_in_text(text: str, expected: str, rules: tuple[str, ...]) -> None:
    assert redact(text) == (expected, rules)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Cecile.BLONDEL@agglopolys.fr", "email"),
        (" Tél. : 06 12 34 56 78 ", "phone"),
        ("06 12 34 56 78 / 02 38 11 22 33", "phone"),
        ("jean (at) example.org", "obfuscated-email"),
        ("Associatif", None),
        ("Marie Dupont, 06 12 34 56 78", None),  # partly personal: redacted in place, not dropped
        ("contact@asso.fr", None),
    ],
)
def test_a_value_that_is_only_personal_data_is_recognised(text: str, rule: str | None) -> None:
    assert personal_value(text) == rule


def test_slugs_are_made_of_scrubbed_text() -> None:
    assert slugify(scrub("Atelier de Marie (marie [at] example [dot] org, 06 12 34 56 78)")) == "atelier-de-marie"


def test_a_personal_key_becomes_a_salted_hash_and_others_stay() -> None:
    key = "jean.dupont@gmail.com"
    hashed = pseudonym(key, "salt-a")
    assert hashed.startswith("hash:") and hashed == pseudonym(key, "salt-a") != pseudonym(key, "salt-b")
    assert "jean" not in hashed and pseudonym("siren:430402446", "salt-a") == "siren:430402446"


def test_the_salt_is_the_secret_or_the_store_own(tmp_path: Path) -> None:
    secret = load_config(overrides={"STORE": str(tmp_path / "a")}, environ={"CARREFOUR_PRIVACY_SALT": "s3cret"})
    assert privacy_salt(secret) == "s3cret"
    with pytest.raises(ConfigError, match="secret"):
        (tmp_path / "settings.toml").write_text('privacy_salt = "committed"\n', encoding="utf-8")
        load_config(tmp_path / "settings.toml", environ={})
    store = load_config(overrides={"STORE": str(tmp_path / "b")}, environ={})
    first = privacy_salt(store)
    assert len(first) == 64 and privacy_salt(store) == first  # kept: re-harvests mint the same IRIs
    assert (tmp_path / "b" / "privacy-salt").stat().st_mode & 0o077 == 0
    assert privacy_salt(load_config(overrides={"STORE": str(tmp_path / "c")}, environ={})) != first


@pytest.mark.parametrize(
    ("address", "functional"),
    [
        ("contact@makerspace56.org", True),
        ("accueil@mairie.fr", True),
        ("contact@gmail.com", False),
        ("prenom.nom@bge-cher.com", False),
        ("emeline.campo@bge-cher.com", False),
    ],
)
def test_functional_addresses(address: str, functional: bool) -> None:
    assert is_functional_email(address) is functional


def test_a_validation_finding_never_quotes_personal_data() -> None:
    """A rejected record is not published, but its findings are: in the report files and the report graph."""
    finding = Finding(
        record="http://h/initiative/p/x",
        focus="http://h/initiative/p/x",
        path="http://schema.org/email",
        severity="Violation",
        shape="http://h/shapes#ContactEmail-functional",
        component="PatternConstraintComponent",
        value="jean.dupont@gmail.com",
        message_fr="« jean.dupont@gmail.com » ne convient pas",
        message_en="Value 06 12 34 56 78 does not match",
    )
    report = Report([finding])
    shown = [report.to_text(), report.dumps(), *(str(t) for t in report.to_rdf("http://h/report/p"))]
    assert not [text for text in shown if re.search(r"jean|dupont|\d{2} \d{2} \d{2}", text)]
    assert finding.value == EMAIL_REMOVED
