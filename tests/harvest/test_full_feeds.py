"""Every full partner feed of ../shared harvested, the fifteen partners together (skipped, saying so, when the
feeds are absent): records read, published and rejected with their reasons, communes placed, identity links,
no personal e-mail or phone published."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import GEO, OWL, RDF, XSD, Hub
from loader.harvest_report import COLUMNS
from loader.partners import load_partners, partners_dir
from loader.privacy import is_functional_email
from tests.harvest.conftest import carrefour, validate_published
from tests.harvest.test_bundled import EMAIL, PHONE, rows

# the reference (pyshacl) validation of ~8,000 records takes a quarter of an hour on two cores
pytestmark = [pytest.mark.shared, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def more_feeds(shared_feeds: Path) -> Path:
    """The seven later partners' full feeds, beside the first eight's."""
    folder = shared_feeds.parent / "partners-more"
    if not folder.is_dir():
        pytest.skip(f"the later partners' full feeds are not at {folder} (only the bundled samples are tested)")
    return folder


@pytest.fixture(scope="module")
def full_harvest(shared_feeds: Path, more_feeds: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`carrefour init`, then `carrefour harvest` of every full feed: the store folder and what the harvest printed."""
    store = tmp_path_factory.mktemp("full") / "var"
    assert carrefour("--store", str(store), "init").returncode == 0
    result = carrefour("--store", str(store), "harvest", "--feeds", str(shared_feeds), "--feeds", str(more_feeds))
    assert result.returncode == 0, result.stdout + result.stderr
    return store, result.stdout


@pytest.fixture(scope="module")
def full_store(full_harvest: tuple[Path, str], hub: Hub) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(full_harvest[0] / "store", hub.base)
    yield opened
    opened.close()


def counts_of(printed: str, partner_id: str) -> dict[str, int]:
    """The harvest table's row of the partner: read, loaded, unchanged, updated, removed, rejected, warnings."""
    line = next(line for line in printed.splitlines() if re.search(rf"[│|] {re.escape(partner_id)} +[│|]", line))
    cells = [cell.strip() for cell in re.split(r"[│|]", line)[2:9]]
    return dict(zip(COLUMNS, map(int, cells), strict=True))


# Records each full feed holds, as its SOURCE.md counts them: every one is read.
READ = {"regionsud": 1245, "hub-du-sud": 646, "hub-lo": 426, "ess-numerique": 3667, "dsi4eu": 1219, "maplabbzh": 121,
        "coopcycle": 40, "ess-numerique-tierslieux": 47, "essglobal-legal-form": 5,
        "essglobal-organisational-structure": 25, "conseillers-numeriques": 1450, "centres-sociaux": 2261,
        "engagement-citoyen": 230, "ultranum": 155, "maine-et-loire": 243, "corse": 161,
        "repaircafes-amsterdam": 43}  # fmt: skip


def test_the_fifteen_full_feeds_are_read_and_published(full_harvest: tuple[Path, str]) -> None:
    _, printed = full_harvest
    assert sorted(spec.id for spec in load_partners(partners_dir())) == sorted(READ)
    published = 0
    for partner_id, read in READ.items():
        counts = counts_of(printed, partner_id)
        assert counts["read"] == read and counts["loaded"] > 0, (partner_id, counts)
        published += counts["loaded"]
    assert published > 12_000


# Why records are rejected, per partner: the report's lines name the rule or the shape.
REJECTED = {
    "conseillers-numeriques": (7, "placeholder record: no name, no SIRET, a fallback geocode (raison_sociale = '0')"),
    "engagement-citoyen": (1, "spreadsheet error instead of a territory code (codgeo = '#Invalid Ref"),
    "maine-et-loire": (3, "Initiative-name: An initiative must have a name"),
    "centres-sociaux": (0, ""),
    "corse": (0, ""),
    "ultranum": (0, ""),
    "repaircafes-amsterdam": (0, ""),
}


@pytest.mark.parametrize("partner_id", sorted(REJECTED))
def test_records_are_rejected_with_their_reason(full_harvest: tuple[Path, str], partner_id: str) -> None:
    store, printed = full_harvest
    rejected, reason = REJECTED[partner_id]
    assert counts_of(printed, partner_id)["rejected"] == rejected
    report = carrefour("--store", str(store), "report", partner_id).stdout
    assert report.count(reason) >= rejected, report[:2000]  # each record's line, and the rule's count


def test_what_the_full_feeds_publish_conforms_to_the_shapes(
    full_harvest: tuple[Path, str], hub: Hub, tmp_path: Path
) -> None:
    """The fifteen full feeds' graphs with the curated data and references, validated together (reports aside)."""
    store, _ = full_harvest
    opened = EmbeddedStore(store / "store", hub.base)
    try:
        validated = validate_published(opened, hub, tmp_path)
    finally:
        opened.close()
    assert validated.returncode == 0, validated.stdout.split("[Warning]")[0]
    assert " 0 violation(s)" in validated.stdout.splitlines()[0]


PLACED = """
SELECT ?g (COUNT(DISTINCT ?s) AS ?records) (COUNT(DISTINCT ?placed) AS ?in_a_commune) WHERE {
  GRAPH ?g {
    ?s <http://schema.org/location>|<http://schema.org/address> ?a .
    ?a <http://schema.org/postalCode> ?postal_code .
    FILTER NOT EXISTS { ?a <http://schema.org/addressCountry> ?country FILTER (?country != "FR") }
    OPTIONAL { ?s ?locatedIn ?commune FILTER (STRSTARTS(STR(?commune), ?communes)) BIND (?s AS ?placed) }
  }
} GROUP BY ?g
"""


def test_french_records_with_a_postal_code_are_placed_in_their_commune(full_store: EmbeddedStore, hub: Hub) -> None:
    """Names as partners write them (oe for œ, capitals, St, hyphens lost, arrondissements, towns cut after their
    first word…) find their commune: 95 % of the French records with a postal code, partner by partner but
    DSI4EU, whose "town" is a region's name (93 %)."""
    query = PLACED.replace("?locatedIn", str(hub.term("locatedIn")))
    query = query.replace("?communes", str(ox.Literal(hub.iri("territory", "commune") + "/")))
    placed = {row["g"].value.rsplit("/", 1)[1]: (int(row["records"].value), int(row["in_a_commune"].value))
              for row in full_store.snapshot().select(query)}  # fmt: skip
    print("French records with a postal code, placed in a commune:", placed)
    for partner_id, (records, in_a_commune) in placed.items():
        assert in_a_commune >= (0.93 if partner_id == "dsi4eu" else 0.95) * records, (partner_id, records, in_a_commune)
    assert sum(n for _, n in placed.values()) >= 0.98 * sum(n for n, _ in placed.values())
    assert {"conseillers-numeriques", "centres-sociaux", "ultranum", "maine-et-loire", "corse"} <= set(placed)


TEXT = {XSD + "string", RDF + "langString"}


def test_no_personal_email_or_phone_is_published(full_store: EmbeddedStore, hub: Hub) -> None:
    """No person's address in any IRI or literal; no phone number in any text.  Phones are sought in texts only:
    digits run inside coordinates (``6.0827782828``), record keys are digests, and the history's versions copy
    the records' own triples, checked where they are published."""
    skipped = {hub.term("recordKey"), hub.term("versionContent")}
    leaks = []
    for quad in full_store.snapshot().quads():
        for term in (quad.subject, quad.object):
            leaks += [e for e in EMAIL.findall(term.value) if not is_functional_email(e.removeprefix("mailto:"))]
        text = quad.object
        if isinstance(text, ox.Literal) and text.datatype.value in TEXT and quad.predicate not in skipped:
            leaks += PHONE.findall(text.value)
    assert leaks == []


LINKS = """
SELECT ?a ?b ?key WHERE { GRAPH ?g { ?link ?source ?a ; ?target ?b ; ?on ?key } }
"""


def partner_of(iri: str, hub: Hub) -> str:
    return iri[len(hub.base) :].split("/")[1]


def test_identity_links_join_the_national_programme_to_the_other_partners(full_store: EmbeddedStore, hub: Hub) -> None:
    """SIRENs shared with ESS Numérique (9, as SOURCE.md counts them) and HUB-LO, EPCIs of the citizen-participation
    programmes hosting digital advisers, the same places in the regional files; the evidence is published."""
    found = rows(full_store, LINKS, g=hub.graph("links"), source=hub.term("linkSource"),
                 target=hub.term("linkTarget"), on=hub.term("matchedOn"))  # fmt: skip
    pairs: dict[tuple[str, str, str], int] = {}
    for row in found:
        first, second = sorted((partner_of(row["a"].value, hub), partner_of(row["b"].value, hub)))
        key = (first, second, row["key"].value.rsplit("/", 1)[1])
        pairs[key] = pairs.get(key, 0) + 1
    print("identity links of the later partners:", {k: v for k, v in pairs.items() if "conseillers" in str(k)})
    assert pairs[("conseillers-numeriques", "ess-numerique", "siren")] >= 9
    assert pairs[("conseillers-numeriques", "hub-lo", "siren")] >= 20
    assert pairs[("conseillers-numeriques", "engagement-citoyen", "siren")] >= 10
    regional = ("corse", "ultranum", "hub-du-sud", "regionsud", "hub-lo")
    assert sum(pairs.get(("conseillers-numeriques", p, "name-postcode"), 0) for p in regional) >= 20
    assert pairs[("centres-sociaux", "conseillers-numeriques", "name-postcode")] >= 10


def test_homonym_social_action_centres_are_distinct_places_never_linked(full_store: EmbeddedStore, hub: Hub) -> None:
    snapshot = full_store.snapshot()
    graph = hub.graph("partner", "conseillers-numeriques")
    homonyms = {q.subject.value for q in snapshot.quads(predicate=ox.NamedNode("http://schema.org/name"), graph=graph)
                if q.object.value == "Centre Communal d'Action Sociale"
                and q.subject.value.startswith(hub.iri("initiative"))}  # fmt: skip
    assert len(homonyms) >= 49
    same_as = {(q.subject.value, q.object.value) for q in snapshot.quads(predicate=ox.NamedNode(OWL + "sameAs"))}
    assert not any(a in homonyms and b in homonyms for a, b in same_as)


def test_the_later_partners_special_records(full_store: EmbeddedStore, hub: Hub) -> None:
    """Programmes serve territories; repair cafés keep their schedules and their Dutch; Lambert-93 is reprojected."""
    snapshot = full_store.snapshot()
    served = list(snapshot.quads(predicate=hub.term("areaServed"), graph=hub.graph("partner", "engagement-citoyen")))
    # 230 rows: 73 EPCIs (actors the programmes support), one spreadsheet error, territories in a programme twice
    assert len({q.subject.value for q in served}) == 4 and len(served) >= 140
    cafes = hub.graph("partner", "repaircafes-amsterdam")
    assert len(list(snapshot.quads(predicate=ox.NamedNode("http://schema.org/eventSchedule"), graph=cafes))) >= 45
    languages = {q.object.language for q in snapshot.quads(predicate=ox.NamedNode("http://schema.org/description"),
                                                           graph=cafes)}  # fmt: skip
    assert languages == {"nl", "en"}
    places = hub.graph("partner", "maine-et-loire")
    latitudes = [float(q.object.value) for q in snapshot.quads(predicate=ox.NamedNode(GEO + "lat"), graph=places)]
    assert len(latitudes) == 240 and all(46.9 < lat < 47.9 for lat in latitudes)  # Maine-et-Loire, in degrees
