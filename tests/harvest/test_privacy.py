"""Personal data in a partner's feed, in every form and place partners put it: none of it is published.

The partner below writes e-mails and phone numbers in names, identifiers, descriptions, a
link and a column meant for something else (a legal status), plain and disguised.  After
two harvests into a real store, nothing of them is anywhere: not in a quad (IRIs and
literals, every graph), not in the report files, `carrefour report`, or the report page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from carrefour.store.base import Store
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import slugify
from loader.harvest_report import write_report_files
from loader.privacy import is_functional_email
from server import create_app
from tests.harvest.conftest import HarvestHub, carrefour, partner

pytestmark = pytest.mark.timeout(900)

PARTNER = """
id = "confidences"
name = "Un partenaire trop bavard"
homepage = "https://confidences.example.org/"
licence = "CC0-1.0"
[feed]
format = "json"
source = "{source}"
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = {{ from = "nom", transform = ["trim"] }}
address = {{ postal_code = "cp", city = "ville" }}
categories = [{{ from = "statut", taxonomy = "statut" }}]
fields = [
  {{ property = "schema:description", from = "description" }},
  {{ property = "schema:url", from = "site", transform = ["url"] }},
  {{ property = "schema:email", from = "courriel" }},
]
[taxonomy.statut.concepts]
Associatif = {{ label = "Associatif", broad = ["legal-form/association"] }}
Public = {{ label = "Public" }}
"""
RECORDS = [
    {"id": "1", "nom": "Atelier partagé (yannig.kervella@gmail.com)", "cp": "29200", "ville": "Brest",
     "description": "Écrire à soazig [at] quemener [dot] bzh ou au 06 47 81 29 53.", "statut": "Associatif",
     "site": "https://atelier.example.org/", "courriel": "contact@atelier-partage.fr"},
    {"id": "tanguy.lagadec@orange.fr", "nom": "Café du port 06/71/82/93/04", "cp": "29900", "ville": "Concarneau",
     "description": "Réservations : (02) 98 76 54 32, ou erwan (at) pennec.fr",
     "statut": "Gwenola.Kerleau@agglo-test.fr", "site": "https://example.org/contact?to=nolwenn.kerhoas@gmail.com"},
    {"id": "+33 7 58 62 91 04", "nom": "maiwenn arobase guivarch point org", "cp": "56000", "ville": "Vannes",
     "statut": "02/97/31/64/85", "description": "Une maison des jeunes."},
    {"id": "4", "nom": "Tiers-lieu du canal", "cp": "35000", "ville": "Rennes", "courriel": "loeiz.kermarrec@gmail.com",
     "description": "Accueil au +33 (0)6 44 55 66 77 ; ou par courriel."},
    {"id": "5", "nom": "Fab lab de Quimper", "cp": "29000", "ville": "Quimper", "statut": "Public",
     "courriel": "contact@fablab-quimper.fr",
     "description": "Ouvert 9h-12h et 14h-18h depuis le 06/12/2019, 47.99 / -4.10. SIRET 12345678901234."},
]  # fmt: skip
# What must appear nowhere: the people's names of the addresses, and the last eight digits of the numbers.
NAMES = ("yannig", "kervella", "soazig", "quemener", "tanguy", "lagadec", "erwan", "pennec", "gwenola", "kerleau",
         "nolwenn", "kerhoas", "maiwenn", "guivarch", "loeiz", "kermarrec")  # fmt: skip
DIGITS = ("47812953", "71829304", "98765432", "58629104", "97316485", "44556677")
_SEPARATORS = re.compile(r"[\s.\-/()+\u00a0]")


def leaks(texts: list[str], names: tuple[str, ...] = NAMES, digits: tuple[str, ...] = DIGITS) -> list[str]:
    """The texts in which a name or a number of ``names``/``digits`` appears, however it is written."""
    found = []
    for text in texts:
        folded = text.lower()
        packed = _SEPARATORS.sub("", folded)
        if any(name in folded for name in names) or any(number in packed for number in digits):
            found.append(text)
    return found


def every_term(store: Store) -> list[str]:
    """Every IRI and literal of every quad of the store, graph names included."""
    quads = store.snapshot().quads()
    return [getattr(t, "value", "") for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)]


@pytest.fixture
def harvested(fresh_hub: HarvestHub, tmp_path: Path) -> tuple[HarvestHub, list]:
    """The partner harvested twice (the second finds everything unchanged), its reports written."""
    (tmp_path / "feed.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    spec = partner(PARTNER.format(source=tmp_path / "feed.json"))
    results = []
    for _ in range(2):
        (result,), version = fresh_hub.harvest(spec)
        assert version is not None and result.ok, result.error
        write_report_files(result, fresh_hub.config.store_path / "harvest", fresh_hub.hub)
        results.append(result)
    return fresh_hub, results


def test_no_personal_data_anywhere_in_the_store(harvested: tuple[HarvestHub, list]) -> None:
    hub, (first, second) = harvested
    terms = every_term(hub.store)
    assert leaks(terms) == []
    published = {t.object.value for t in hub.graph("partner", "confidences")}
    assert {"contact@atelier-partage.fr", "contact@fablab-quimper.fr"} <= published
    assert RECORDS[4]["description"] in published  # hours, dates, coordinates and identifiers are no phone numbers
    assert len(first.diff.loaded) >= 3
    # personal keys are hashed with the store's salt: the same IRIs come back
    assert not second.diff.loaded and not second.diff.updated and not second.diff.removed


def test_iris_are_minted_from_redacted_names(harvested: tuple[HarvestHub, list]) -> None:
    hub, _ = harvested
    records = {t.subject.value for t in hub.graph("partner", "confidences")}
    prefix = hub.hub.iri("initiative", "confidences") + "/"
    slugs = {iri.removeprefix(prefix).split("#")[0] for iri in records if iri.startswith(prefix)}
    assert {"atelier-partage", "cafe-du-port", "fab-lab-de-quimper"} <= slugs
    assert not [slug for slug in slugs if re.search(r"\d{2}-\d{2}-\d{2}|gmail|orange|arobase", slug)]
    keys = {t.object.value for t in hub.graph("partner", "confidences") if t.predicate == hub.hub.term("recordKey")}
    assert {"1", "5"} <= keys and [k for k in keys if k.startswith("hash:")]
    assert not [k for k in keys if k not in ("1", "5") and not k.startswith("hash:")]


def test_the_legal_status_holding_an_address_is_left_out_and_reported(harvested: tuple[HarvestHub, list]) -> None:
    hub, (first, _) = harvested
    concepts = {t.subject.value.rsplit("/", 1)[-1] for t in hub.graph("taxonomy", "confidences")}
    assert concepts >= {"associatif", "public"} and not [c for c in concepts if "agglo" in c or c[:2].isdigit()]
    privacy = {(i.field, i.rule, i.message.rsplit(": ", 1)[-1]) for i in first.items if i.kind == "privacy"}
    assert {
        ("statut", "email", "value left out"),
        ("statut", "phone", "value left out"),
        ("nom", "obfuscated-email", "value left out"),
        ("nom", "email", "removed from the text"),
        ("nom", "phone", "removed from the text"),
        ("description", "obfuscated-email", "removed from the text"),
        ("description", "phone", "removed from the text"),
        ("site", "email", "address left out"),
        ("id", "email", "key replaced by a hash"),
        ("id", "phone", "key replaced by a hash"),
    } <= privacy


def test_reports_name_the_field_and_the_rule_never_the_value(harvested: tuple[HarvestHub, list]) -> None:
    hub, (first, _) = harvested
    latest = hub.config.store_path / "harvest" / "confidences" / "latest"
    document = json.loads((latest / "report.json").read_text(encoding="utf-8"))
    text = (latest / "report.txt").read_text(encoding="utf-8")
    assert any(p["kind"] == "privacy" and (p["field"], p["rule"]) == ("statut", "email") for p in document["problems"])
    assert "personal data in statut (email): value left out" in text
    # the record whose contact address is a person's is rejected by the shapes: its finding shows no value
    assert first.rejected and any(f["shape"].endswith("ContactEmail-functional") for f in document["findings"])
    command = ["--store", str(hub.config.store_path), "--base-url", hub.hub.base, "report"]
    shown = [carrefour(*command, "confidences"), carrefour(*command, "confidences", "--json"), carrefour(*command)]
    assert all(r.returncode == 0 for r in shown), [r.stderr for r in shown]
    client = create_app({"STORE": str(hub.config.store_path), "BASE_URL": hub.hub.base}, store=hub.store).test_client()
    pages = [client.get("/report/confidences", headers={"Accept": accept}) for accept in ("text/html", "text/turtle")]
    assert all(page.status_code == 200 for page in pages) and b"ContactEmail-functional" in pages[0].data
    texts = [text, json.dumps(document, ensure_ascii=False), *(r.stdout for r in shown)]
    texts += [page.get_data(as_text=True) for page in pages]
    texts += [p.read_text(encoding="utf-8") for p in latest.iterdir()]  # records.nq too
    assert leaks(texts) == []


@pytest.mark.shared
@pytest.mark.slow
def test_no_personal_email_of_hub_lo_full_feed_is_published(shared_feeds: Path, tmp_path: Path) -> None:
    """The full HUB-LO export: a person's e-mail sits in its legal-status column, among other places."""
    source = shared_feeds / "hub-lo-centre-val-de-loire-json" / "hub-lo.json"
    addresses = set()
    for record in json.loads(source.read_text(encoding="utf-8")):
        for value in record.values():
            for address in re.findall(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", str(value)):
                if not is_functional_email(address):
                    addresses.add(address.lower())
    assert len(addresses) > 10
    store = tmp_path / "var"
    assert carrefour("--store", str(store), "init").returncode == 0
    harvest = carrefour("--store", str(store), "harvest", "hub-lo", "--feeds", str(shared_feeds))
    assert harvest.returncode == 0, harvest.stdout + harvest.stderr
    opened = EmbeddedStore(store / "store", "http://127.0.0.1:8080/")
    try:
        terms = [t.lower() for t in every_term(opened)]
    finally:
        opened.close()
    slugs = {slugify(a) for a in addresses}  # the legal status was once minted into a concept's IRI
    assert [t for t in terms if any(a in t for a in addresses) or any(s in t for s in slugs)] == []
    report = (store / "harvest" / "hub-lo" / "latest" / "report.json").read_text(encoding="utf-8")
    problems = json.loads(report)["problems"]
    assert any(p.get("field") == "c_statut_juridique" and p.get("rule") == "email" for p in problems)
    assert [a for a in addresses if a in report.lower()] == []
