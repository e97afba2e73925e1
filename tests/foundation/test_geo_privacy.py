"""Places as partners write them, and personal data as they leak it."""

from __future__ import annotations

import pytest

from loader.geo import Territories, normalise_postal_code
from loader.privacy import EMAIL_REMOVED, PHONE_REMOVED, is_functional_email, redact


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


def test_an_ambiguous_postal_code_alone_resolves_to_no_commune_but_to_its_departement(territories: Territories) -> None:
    assert territories.resolve("04000") is None
    assert territories.departement_of_postal_code("04000") == "04"


@pytest.mark.parametrize(
    ("raw", "expected"), [("4000", "04000"), ("29600.0", "29600"), (18000, "18000"), ("75 011", "75011"), ("abc", None)]
)
def test_postal_codes_are_repaired(raw, expected) -> None:
    assert normalise_postal_code(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        (
            "Contactez Marie au 06 12 34 56 78 ou marie.dupont@gmail.com",
            f"Contactez Marie au {PHONE_REMOVED} ou {EMAIL_REMOVED}",
            2,
        ),
        ("Tél : +33 4 92 31 43 87", f"Tél : {PHONE_REMOVED}", 1),
        ("écrire à contact@asso.fr", "écrire à contact@asso.fr", 0),
        ("SIREN 430402446, ouvert 9h-12h, 2019-2021", "SIREN 430402446, ouvert 9h-12h, 2019-2021", 0),
        ("04.92.58.66.36", PHONE_REMOVED, 1),
    ],
)
def test_redaction(text: str, expected: str, removed: int) -> None:
    assert redact(text) == (expected, removed)


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
