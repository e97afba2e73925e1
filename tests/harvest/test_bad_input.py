"""Bad input, case by case: a clear error in the report, the other partners harvested, nothing published lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from loader.harvest import PartnerHarvest
from loader.harvest_report import report_text
from tests.harvest.conftest import HarvestHub, partner
from tests.support.partner_site import PartnerSite, serve_site
from tests.support.served import free_port

VICTIM = """
id = "victim"
name = "Un partenaire en difficulté"
homepage = "https://victim.example.org/"
licence = "CC0-1.0"
[feed]
format = "{format}"
source = "{source}"
allow_private_addresses = true  # the partner's server is on 127.0.0.1
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = {{ from = "nom", transform = ["strip_html", "trim"] }}
address = {{ postal_code = {{ from = "cp", transform = ["postal_code"] }}, city = "ville" }}
fields = [
  {{ property = "schema:description", from = "description", transform = ["strip_html", "trim"] }},
  {{ property = "schema:url", from = "site", transform = ["url"] }},
]
"""
BYSTANDER = """
id = "bystander"
name = "Un partenaire sans histoires"
homepage = "https://bystander.example.org/"
licence = "CC0-1.0"
[feed]
format = "json"
source = "{source}"
[[entities]]
id = "place"
type = "Initiative"
key = "{{id}}"
name = "nom"
address = {{ postal_code = "cp", city = "ville" }}
"""
GOOD_CSV = (
    "id,nom,cp,ville,description,site\n"
    "1,Fab lab de Brest,29200,Brest,Un atelier de fabrication.,https://fablab-brest.example.org/\n"
    '2,Tiers-lieu de Morlaix,29600,Morlaix,"Un lieu, des gens",\n'
    "3,Café numérique,35000,Rennes,,\n"
)


@dataclass
class Scene:
    """Two partners published once; the victim's feed then turns bad."""

    hub: HarvestHub
    folder: Path
    before: set

    def harvest_with(self, feed_format: str, source: str) -> tuple[PartnerHarvest, PartnerHarvest]:
        bystander = self.folder / "bystander.json"
        records = json.loads(bystander.read_text(encoding="utf-8"))
        records.append({"id": f"b{len(records) + 1}", "nom": "Nouveau lieu", "cp": "56000", "ville": "Vannes"})
        bystander.write_text(json.dumps(records), encoding="utf-8")
        results, version = self.hub.harvest(
            partner(VICTIM.format(format=feed_format, source=source)),
            partner(BYSTANDER.format(source=bystander)),
        )
        assert version is not None  # the bystander was published
        victim, other = results
        assert other.ok and len(other.diff.loaded) == 1 and len(other.diff.unchanged) == len(records) - 1
        return victim, other

    def victim_graph(self) -> set:
        return self.hub.graph("partner", "victim")


@pytest.fixture
def scene(fresh_hub: HarvestHub, tmp_path: Path) -> Scene:
    (tmp_path / "victim.csv").write_text(GOOD_CSV, encoding="utf-8")
    (tmp_path / "bystander.json").write_text(
        json.dumps([{"id": "b1", "nom": "Lieu tranquille", "cp": "29000", "ville": "Quimper"}]), encoding="utf-8"
    )
    results, version = fresh_hub.harvest(
        partner(VICTIM.format(format="csv", source=tmp_path / "victim.csv")),
        partner(BYSTANDER.format(source=tmp_path / "bystander.json")),
    )
    assert version is not None and all(r.ok for r in results), [r.error for r in results]
    assert len(results[0].diff.loaded) == 3
    return Scene(fresh_hub, tmp_path, fresh_hub.graph("partner", "victim"))


@pytest.fixture(scope="module")
def site() -> PartnerSite:
    with serve_site() as served:
        yield served


def write(folder: Path, name: str, data: bytes) -> str:
    (folder / name).write_bytes(data)
    return str(folder / name)


def sparse(folder: Path, name: str, size: int) -> str:
    with (folder / name).open("wb") as handle:
        handle.truncate(size)  # a 2 GB file that takes no disk
    return str(folder / name)


def entity_expansion(levels: int) -> bytes:
    """RDF/XML whose nested entities expand to 3 × 10^(levels - 1) characters: with 9 levels, under 700 bytes make 3 GB.

    The tests use few levels: without the DOCTYPE check, the file is read, expanded, and the test fails.
    """
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels))
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">'
        f'<s:Place rdf:about="http://victim.example.org/1"><s:name>&l{levels - 1};</s:name></s:Place></rdf:RDF>'
    ).encode()


Case = Callable[[Path, PartnerSite], tuple[str, str]]
FAILING: dict[str, tuple[Case, str]] = {
    "invalid JSON": (lambda f, s: ("json", write(f, "v.json", b'[{"id": "1", "nom": "A",\n')),
                     "invalid JSON at line 2"),
    "undecodable JSON": (lambda f, s: ("json", write(f, "v.json", '[{"id": "1", "nom": "Crèche"}]'.encode("cp1252"))),
                         "are not valid utf-8"),
    "HTML instead of CSV (file)": (lambda f, s: ("csv", write(f, "v.csv", b"<!DOCTYPE html><html><body>Erreur</body>")),
                                   "is an HTML page, not a CSV file"),
    "HTML instead of CSV (served)": (lambda f, s: ("csv", s.url("feeds/login.csv")), "is an HTML page, not a CSV file"),
    "2 GB file": (lambda f, s: ("csv", sparse(f, "v.csv", 2 * 1024**3)), "more than the limit"),
    "2 GB announced": (lambda f, s: ("csv", s.url("feeds/huge.csv")), "announced, more than the limit"),
    "endless body": (lambda f, s: ("csv", s.url("feeds/endless.csv")), "larger than the limit"),
    "gzip bomb": (lambda f, s: ("json", s.url("feeds/bomb.json?mb=64")), "counted after decompression"),
    "unreachable partner": (lambda f, s: ("csv", f"http://127.0.0.1:{free_port()}/lieux.csv"),
                            "cannot reach the partner"),
    "slow partner": (lambda f, s: ("csv", s.url("feeds/slow.csv")), "too slow"),
    "silent partner": (lambda f, s: ("csv", s.url("feeds/silent.csv?seconds=4")), "no answer within 2 s"),
    "missing file": (lambda f, s: ("csv", str(f / "nowhere.csv")), "not found"),
    "entity expansion in RDF/XML": (lambda f, s: ("rdf", write(f, "v.rdf", entity_expansion(4))),
                                    "DOCTYPE and entity declarations are not accepted in RDF/XML"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(FAILING))
def test_a_feed_that_cannot_be_read_fails_its_partner_only(scene: Scene, site: PartnerSite, case: str) -> None:
    make, expected = FAILING[case]
    feed_format, source = make(scene.folder, site)
    victim, _ = scene.harvest_with(feed_format, source)
    assert not victim.ok
    assert expected in (victim.error or ""), victim.error
    assert "previously published data of this partner is unchanged" in report_text(victim)
    assert scene.victim_graph() == scene.before


def test_malformed_rows_are_reported_and_lose_nothing(scene: Scene) -> None:
    damaged = (
        b"id,nom,cp,ville,description,site\n"
        b"1,Fab lab de Brest,29200,Brest,Un atelier de fabrication.,https://fablab-brest.example.org/\n"
        b"2,Tiers-lieu de Morlaix,29600,Morlaix,Un lieu,x,en trop\n"  # a stray delimiter: one field too many
    ) + "3,Café numérique,35000,Rennes,,\n".encode("cp1252")  # bytes that are not UTF-8
    victim, _ = scene.harvest_with("csv", write(scene.folder, "victim.csv", damaged))
    assert victim.ok
    problems = {item.origin: item.message for item in victim.items if item.kind == "read-error"}
    assert "7 fields where the header has 6" in problems["line 3"]
    assert "not valid utf-8" in problems["line 4"] and "b'Caf\\xe9" in problems["line 4"]
    assert victim.diff.removed == set() and len(victim.diff.unchanged) == 3
    assert scene.victim_graph() == scene.before
    assert "none is removed" in report_text(victim)


def test_a_record_gone_from_a_complete_feed_is_removed_and_the_removal_recorded(scene: Scene) -> None:
    victim, _ = scene.harvest_with("csv", write(scene.folder, "victim.csv", GOOD_CSV.rsplit("3,", 1)[0].encode()))
    removed = scene.hub.hub.iri("initiative", "victim", "cafe-numerique")
    assert victim.diff.removed == {removed}
    changes = scene.hub.graph("changes")
    assert any(t.object.value == removed and t.predicate == scene.hub.hub.term("removedResource") for t in changes)
    assert any(t.object.value == "3" and t.predicate == scene.hub.hub.term("recordKey") for t in changes)
    assert not any(t.subject.value.startswith(removed) for t in scene.victim_graph())


def test_hostile_strings_are_escaped_or_rejected_with_a_clear_finding(scene: Scene) -> None:
    hostile = (
        "id,nom,cp,ville,description,site\n"
        '1,"<script>alert(\'x\')</script>Fab lab ""de"" Brest & <b>Cie</b>",29200,Brest,'
        '"<img src=x onerror=alert(1)> Écrire à jean.dupont@gmail.com, 06 12 34 56 78",javascript:alert(1)\n'
        f"2,{'Tiers-lieu ' * 100},29600,Morlaix,{'long ' * 5000},\n"
        "3,Café numérique,35000,Rennes,,\n"
        "4,>,35000,Rennes,,\n"
        "5,Lieu abîmé,13000,Marseille,,http://www.paciBouche-du-Rh\ufffdne.com\n"  # a host destroyed upstream
    )
    victim, _ = scene.harvest_with("csv", write(scene.folder, "victim.csv", hostile.encode()))
    assert victim.ok
    hub = scene.hub.hub
    first = hub.iri("initiative", "victim", "fab-lab-de-brest")
    names = {
        t.object.value for t in scene.victim_graph() if t.subject.value == first and t.predicate.value.endswith("name")
    }
    assert names == {"alert('x')Fab lab \"de\" Brest & Cie"}
    texts = " ".join(t.object.value for t in scene.victim_graph())
    assert "<" not in texts and "jean.dupont@gmail.com" not in texts and "06 12 34 56 78" not in texts
    published = {t.object.value for t in scene.victim_graph() if t.predicate.value == "http://schema.org/url"}
    assert published == set()  # javascript:alert(1) is no web site: left out, never published as an IRI
    # a 1,100-character name and a 25,000-character description break the shapes: that record is
    # rejected (its published version stays), and so is the one-character name (a new record)
    rejected_shapes = {f.shape.rsplit("#", 1)[-1] for f in victim.report.violations}
    assert {"Initiative-nameLength", "Initiative-description"} <= rejected_shapes
    second = hub.iri("initiative", "victim", "tiers-lieu-de-morlaix")
    assert second in victim.rejected and second in victim.kept
    assert {t for t in scene.victim_graph() if t.subject.value == second} == {
        t for t in scene.before if t.subject.value == second
    }
    damaged = hub.iri("initiative", "victim", "lieu-abime")
    assert damaged in victim.diff.loaded  # published, without the address that is no IRI
    assert any("not an http(s) address" in i.message for i in victim.items if i.record == damaged)
    text = report_text(victim)
    assert "[Violation]" in text and "Initiative-nameLength" in text and "line 3" in text
