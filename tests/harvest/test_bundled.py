"""Every bundled partner harvested by `carrefour harvest` into a real store, and what it published."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from carrefour.store.base import Store
from carrefour.vocab import OWL, PROV, RDF, SKOS, Hub
from loader.partners import load_partners, partners_dir
from loader.privacy import is_functional_email
from tests.harvest.conftest import CliHarvest, carrefour, validate_published

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # the first test pays for two harvests

PARTNERS = [spec.id for spec in load_partners(partners_dir())]
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33[\s.\-]?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?!\d)")


def rows(store: Store, query: str, **terms: ox.NamedNode | ox.Literal) -> list[dict]:
    """Run ``query`` with ``?name`` replaced by the validated term ``terms[name]`` (written with ``str``)."""
    for name, term in sorted(terms.items(), key=lambda item: -len(item[0])):
        query = query.replace(f"?{name}", str(term))
    return store.snapshot().select(query)


def table_row(output: str, partner_id: str) -> list[str]:
    line = next(line for line in output.splitlines() if re.search(rf"[│|] {re.escape(partner_id)} +[│|]", line))
    return [cell.strip() for cell in re.split(r"[│|]", line)[1:-1]]


def test_the_harvest_prints_one_row_per_partner_with_every_count(bundled: CliHarvest) -> None:
    header = next(line for line in bundled.first.stdout.splitlines() if "partner" in line)
    for column in ("read", "loaded", "unchanged", "updated", "removed", "rejected", "warnings"):
        assert column in header
    for partner_id in PARTNERS:
        cells = table_row(bundled.first.stdout, partner_id)
        read, loaded = int(cells[1]), int(cells[2])
        assert read >= 5 and loaded >= 5, cells


def test_the_check_finds_nothing_after_init_and_harvests(bundled: CliHarvest) -> None:
    """On both stores: no graph unclaimed, no IRI under another base, dumps in step (where they are)."""
    checked = carrefour(*bundled.backend.command_line(), "check", env=bundled.backend.writer_settings)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.endswith("nothing found\n")


def test_a_second_harvest_finds_everything_unchanged(bundled: CliHarvest) -> None:
    for partner_id in PARTNERS:
        first = table_row(bundled.first.stdout, partner_id)
        second = table_row(bundled.second.stdout, partner_id)
        assert int(second[2]) == 0 and int(second[4]) == 0 and int(second[5]) == 0, second  # loaded, updated, removed
        assert int(second[3]) == int(first[2]) + int(first[3]), (first, second)  # all of them unchanged


def test_each_partner_has_its_graphs(bundled_store: Store, hub: Hub) -> None:
    graphs = {g.value for g in bundled_store.snapshot().graphs()}
    for partner_id in PARTNERS:
        for kind in ("partner", "provenance", "report"):
            assert hub.graph(kind, partner_id).value in graphs, (kind, partner_id)
        assert bundled_store.snapshot().count(hub.graph("partner", partner_id)) > 20


def test_records_carry_their_provenance(bundled_store: Store, hub: Hub) -> None:
    found = rows(
        bundled_store,
        "SELECT ?record ?activity WHERE { GRAPH ?g { ?record ?generatedBy ?activity ; ?createdAt ?created } }",
        g=hub.graph("provenance", "maplabbzh"),
        generatedBy=ox.NamedNode(PROV + "wasGeneratedBy"),
        createdAt=ox.NamedNode("http://purl.org/dc/terms/created"),
    )
    records = {row["record"].value for row in found if row["record"].value.startswith(hub.base + "initiative/")}
    assert len(records) == 33
    activities = {row["activity"].value for row in found}
    assert all(a.startswith(hub.iri("harvest", "maplabbzh")) for a in activities)
    source = rows(
        bundled_store,
        "SELECT ?s ?derived WHERE { GRAPH ?g { ?s ?derivedFrom ?derived } }",
        g=hub.graph("partner", "maplabbzh"),
        derivedFrom=ox.NamedNode(PROV + "wasDerivedFrom"),
    )
    assert {row["derived"].value for row in source} >= {
        "https://github.com/grouan/bzh_fablab/blob/master/map_bzh_fablab.geojson#117"
    }


def test_taxonomies_are_published_with_their_matches_and_tagged_labels(bundled_store: Store, hub: Hub) -> None:
    graph = hub.graph("taxonomy", "maplabbzh")
    concept = hub.node("taxonomy", "maplabbzh", "structure", "fablab")
    quads = list(bundled_store.snapshot().quads(subject=concept, graph=graph))
    matches = {q.object.value for q in quads if q.predicate.value == SKOS + "exactMatch"}
    assert matches == {hub.concept("actor-type", "fab-lab").value}
    labels = {(q.object.value, q.object.language) for q in quads if q.predicate.value == SKOS + "prefLabel"}
    assert labels == {("Fab lab", "fr"), ("Fab lab", "en")}
    # ESSGlobal's own labels, upper-case tags lowered, empty French labels replaced by the hub's
    essglobal = hub.node("taxonomy", "essglobal-legal-form", "legal-form", "l2")
    labels = {
        (q.object.value, q.object.language)
        for q in bundled_store.snapshot().quads(subject=essglobal, predicate=ox.NamedNode(SKOS + "prefLabel"))
    }
    assert ("Cooperative", "en") in labels and ("Coopérative", "fr") in labels
    assert all(text.strip() for text, _ in labels)


def test_descriptions_keep_their_language(bundled_store: Store, hub: Hub) -> None:
    found = rows(
        bundled_store,
        "SELECT ?d WHERE { GRAPH ?g { ?s <http://schema.org/description> ?d } }",
        g=hub.graph("partner", "coopcycle"),
    )
    languages = {row["d"].language for row in found}
    assert {"fr", "en"} <= languages and None not in languages


def test_iris_are_stable_and_readable(bundled_store: Store, hub: Hub) -> None:
    subjects = {q.subject.value for q in bundled_store.snapshot().quads(graph=hub.graph("partner", "maplabbzh"))}
    assert hub.iri("initiative", "maplabbzh", "konk-ar-lab") in subjects
    # the same name in two towns: two resources, never one
    assert {hub.iri("initiative", "maplabbzh", s) for s in ("rehab-lab", "rehab-lab-2")} <= subjects
    assert {hub.iri("initiative", "maplabbzh", s) for s in ("nurserie-numerique", "nurserie-numerique-2")} <= subjects


def test_no_personal_email_or_phone_in_any_published_literal(bundled_store: Store) -> None:
    leaks = []
    for quad in bundled_store.snapshot().quads():
        for term in (quad.subject, quad.object):
            text = term.value
            leaks += [e for e in EMAIL.findall(text) if not is_functional_email(e.removeprefix("mailto:"))]
            leaks += PHONE.findall(text) if isinstance(term, ox.Literal) else []
    assert leaks == []


def test_the_person_named_as_a_place_is_not_published(bundled_store: Store) -> None:
    names = [q for q in bundled_store.snapshot().quads() if "Camille Exemple" in q.object.value]
    assert names == []


def test_identity_links_publish_their_evidence(bundled_store: Store, hub: Hub) -> None:
    links = rows(
        bundled_store,
        "SELECT ?a ?b ?key ?value WHERE { GRAPH ?g { ?l ?source ?a ; ?target ?b ; ?on ?key ; ?matched ?value } }",
        g=hub.graph("links"),
        source=hub.term("linkSource"),
        target=hub.term("linkTarget"),
        on=hub.term("matchedOn"),
        matched=hub.term("matchedValue"),
    )
    evidence = {(r["a"].value, r["b"].value): (r["key"].value.rsplit("/", 1)[-1], r["value"].value) for r in links}
    labomedia = (hub.iri("actor", "ess-numerique", "la-labomedia"), hub.iri("actor", "hub-lo", "la-labomedia"))
    assert evidence[labomedia] == ("siren", "430402446")
    konk = (
        hub.iri("initiative", "ess-numerique-tierslieux", "konk-ar-lab"),
        hub.iri("initiative", "maplabbzh", "konk-ar-lab"),
    )
    assert evidence[konk] == ("name-postcode", "konk ar lab 29900")
    # the host structures of the digital-advisers programme, by the SIREN of their SIRET
    solidarnum = (hub.iri("actor", "conseillers-numeriques", "solidarnum"),
                  hub.iri("actor", "ess-numerique", "run-fablab"))  # fmt: skip
    assert evidence[solidarnum] == ("siren", "797904018")
    bge = (hub.iri("actor", "conseillers-numeriques", "bge-indre"), hub.iri("actor", "hub-lo", "bge-indre"))
    assert evidence[bge] == ("siren", "502067234")
    same_as = {(q.subject.value, q.object.value) for q in bundled_store.snapshot().quads(
        predicate=ox.NamedNode(OWL + "sameAs"), graph=hub.graph("links"))}  # fmt: skip
    assert labomedia in same_as and konk in same_as
    # every statement stays in its partner's graph: the links graph only links
    assert all(q.predicate.value in (OWL + "sameAs", RDF + "type") or q.subject.value.startswith(hub.iri("link"))
               for q in bundled_store.snapshot().quads(graph=hub.graph("links")))  # fmt: skip


def test_the_traps_link_nothing(bundled_store: Store, hub: Hub) -> None:
    snapshot = bundled_store.snapshot()
    same_as = {(q.subject.value, q.object.value) for q in snapshot.quads(predicate=ox.NamedNode(OWL + "sameAs"))}
    linked = {iri for pair in same_as for iri in pair}
    # the same name in different towns: Dedale (Brest fab lab) is not Dedale (Paris association)
    dedales = {q.subject.value for q in snapshot.quads(predicate=ox.NamedNode("http://schema.org/name"))
               if q.object.value == "Dedale"}  # fmt: skip
    assert len(dedales) == 2 and not any({a, b} <= dedales for a, b in same_as)
    # placeholder identifiers never become keys, values or links
    placeholders = [q for q in snapshot.quads() if q.object.value in ("00000000000000", "000000000")]
    assert placeholders == []
    assert not any("siren-000000000" in iri or "00000000000000" in iri for iri in linked)
    # one SIREN (432887982) for two places: the places stay two resources, never linked to each other,
    # and the legal unit is one actor, whichever place names it
    sorgues = hub.iri("initiative", "ess-numerique-tierslieux", "le-tiers-lieu-de-sorgues")
    monteux = hub.iri("initiative", "ess-numerique-tierslieux", "scic-provence-numerique")
    graph = hub.graph("partner", "ess-numerique-tierslieux")
    subjects = {q.subject.value for q in snapshot.quads(graph=graph)}
    assert {sorgues, monteux} <= subjects
    assert (sorgues, monteux) not in same_as and (monteux, sorgues) not in same_as
    actors = {q.subject.value for q in snapshot.quads(predicate=hub.term("siren"), graph=graph)
              if q.object.value == "432887982"}  # fmt: skip
    assert len(actors) == 1


def test_re_harvests_publish_the_same_iris(bundled: CliHarvest) -> None:
    for partner_id in PARTNERS:
        folders = sorted(p for p in (bundled.store_dir / "harvest" / partner_id).iterdir() if p.name[:1].isdigit())
        first, second = (
            {q.subject.value for q in ox.parse(path=folder / "records.nq", format=ox.RdfFormat.N_QUADS)}
            for folder in folders[-2:]
        )
        assert first == second and first, partner_id


def test_an_unchanged_re_harvest_keeps_the_links_and_territories_the_first_harvest_drew(
    bundled: CliHarvest, hub: Hub
) -> None:
    """The second harvest changed no partner's data: it keeps both derived graphs as they were, complete."""
    if bundled.backend.server is not None:
        pytest.skip("a remote store keeps no earlier version to compare with (the embedded store keeps generations)")
    generations = sorted(p for p in (bundled.store_dir / "store" / "generations").iterdir() if p.name.isdigit())
    first, second = (ox.Store.read_only(str(folder / "store")) for folder in generations[-2:])
    for graph in (hub.graph("links"), hub.graph("territories")):
        published = set(second.quads_for_pattern(None, None, None, graph))
        assert published and published == set(first.quads_for_pattern(None, None, None, graph)), graph


def test_what_the_hub_publishes_conforms_to_the_shapes(bundled_store: Store, hub: Hub, tmp_path: Path) -> None:
    """Curated data, references and every bundled partner's graphs (taxonomies included), validated together."""
    validated = validate_published(bundled_store, hub, tmp_path)
    assert validated.returncode == 0, validated.stdout.split("[Warning]")[0]
    assert " 0 violation(s)" in validated.stdout.splitlines()[0]
