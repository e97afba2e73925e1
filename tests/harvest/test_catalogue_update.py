"""After a harvest that changed a few records, the catalogue, the places, the search index and the facets are the
previous version's brought up to date for them, and hold exactly what those made from the whole store hold."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import carrefour.store.helper
from bench.feeds import change, generate
from carrefour.artifacts import catalogue, facets, places, search
from carrefour.artifacts.build import CATALOGUE_FILE
from carrefour.artifacts.catalogue import write_catalogue
from carrefour.artifacts.changes import record_changes
from carrefour.artifacts.facets import FACETS_FILE
from carrefour.artifacts.places import FRANCE_MAP_FILE, PLACES_FILE, compute_places
from carrefour.artifacts.search import SEARCH_FILE
from carrefour.catalogue import entries
from carrefour.catalogue.entries import ENTRIES_FILE
from carrefour.map_features import feature_collection
from carrefour.vocab import SCHEMA, SKOS, Hub
from loader.validation import Validator
from tests.conftest import DEFAULT_BASE
from tests.harvest.test_unchanged import Hubs, write_feed
from tests.support.sqlite_tables import tables

RECORDS = 150


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(Hub(DEFAULT_BASE))


def records_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records each reading of the store found for the catalogue and the places, from now on."""
    counts: list[int] = []
    for module, name, count in (
        (entries, "read_records", lambda found: len(found[0])),
        (places, "compute_places", len),
        (search, "entries", len),
        (facets, "tally", lambda found: sum(found["partner"][0].values())),  # the partners' records counted
    ):
        original = getattr(module, name)

        def counting(*args: object, original: Any = original, count: Any = count, **kwargs: object) -> object:
            found = original(*args, **kwargs)
            found = list(found) if isinstance(found, Iterator) else found  # the search's entries come one by one
            counts.append(count(found))
            return found

        monkeypatch.setattr(module, name, counting)
    return counts


@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper"])
def test_a_few_changed_records_update_the_catalogue_as_a_whole_reading_would(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    """In the session's process, the records read are counted; in the helper, what it is given is the same."""
    records, _ = generate(RECORDS, seed=11)
    feed = write_feed(tmp_path / "feed.json", records)
    hubs = Hubs(tmp_path / "hub", feed, validator)
    hubs.harvest()
    change(records, 0.04, seed=11)
    records[5]["nom"] = "Zébulon, tiers-lieu tout neuf"  # renamed: its card moves in the order of names
    records.pop(7)  # one record no longer listed, one new
    records.append({**records[20], "id": "mediation-numerique-new-00000001", "nom": "Aardvark numérique"})
    write_feed(feed, records)

    counts = records_read(monkeypatch)
    if not helper:
        monkeypatch.setattr(carrefour.store.helper, "cores", lambda: 1)
    hubs.harvest()
    if not helper:
        # only the records changed and those naming them: read once each, and counted then and now for the facets
        assert len(counts) == 5 and max(counts) < RECORDS // 4
    snapshot = hubs.store.snapshot()
    folder = snapshot.info.artifacts
    assert folder is not None
    monkeypatch.undo()
    whole = tmp_path / "whole" / CATALOGUE_FILE
    whole.parent.mkdir()
    write_catalogue(snapshot, hubs.hub, whole)
    assert tables(folder / CATALOGUE_FILE) == tables(whole)
    updated = (folder / ENTRIES_FILE).read_text(encoding="utf-8")
    assert updated == (whole.parent / ENTRIES_FILE).read_text(encoding="utf-8")
    with sqlite3.connect(folder / SEARCH_FILE) as index:
        assert sorted(index.execute("SELECT * FROM entries")) == sorted(search.entries(snapshot, hubs.hub))
    counted = json.loads((folder / FACETS_FILE).read_text(encoding="utf-8"))
    assert counted == json.loads(json.dumps(facets.compute_facets(snapshot, hubs.hub)))
    rows = compute_places(snapshot, hubs.hub)
    assert json.loads((folder / PLACES_FILE).read_text(encoding="utf-8")) == rows
    drawn = json.loads(gzip.decompress((folder / FRANCE_MAP_FILE).read_bytes()))
    assert drawn == json.loads(json.dumps(feature_collection(rows, hubs.hub, "fr")))
    names = [json.loads(line)[3] for line in updated.splitlines()[1:]]
    assert "Aardvark numérique" in [text for found in names for text in found]


@pytest.mark.parametrize("in_place", [True, False], ids=["rows-amended", "records-amended"])
def test_records_changed_in_place_amend_the_previous_index(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch, in_place: bool
) -> None:
    """No record came or went and no card moved: the previous index is amended for the records changed (their
    rows, their groups', the postings and positions they touch), or, when that is refused, its records and
    full-text entries are amended and the rest made again; either holds what one made whole holds, word for word.
    """
    records, _ = generate(RECORDS, seed=13)
    towns = [{key: records[number][key] for key in ("commune", "code_postal")} for number in (4, 30)]
    for number, town in ((5, towns[0]), (31, towns[1]), (6, towns[1]), (32, towns[1])):
        records[number].update(town)  # two communes with several records placed in them
    del records[32]["latitude"], records[32]["longitude"]  # placed at its commune's mean, which the change moves
    feed = write_feed(tmp_path / "feed.json", records)
    hubs = Hubs(tmp_path / "hub", feed, validator)
    hubs.harvest()
    change(records, 0.05, seed=13)  # addresses, services (their labels are in the text), dates
    records[3]["description"] = "Un atelier de réparation de vélos, ouvert le samedi."
    records[3]["nom"] += " bis"  # a name typed whole changes; the card keeps its place in the order of names
    records[4].update(towns[1], latitude=records[4]["latitude"] + 0.01)  # moved: both communes' means move
    del records[6]["latitude"], records[6]["longitude"]  # now placed at its commune's mean, approximately
    write_feed(feed, records)
    amended: list[bool] = []
    original = catalogue.amend_catalogue

    def counting(*args: Any) -> bool:
        amended.append(in_place and original(*args))
        return amended[-1]

    monkeypatch.setattr(catalogue, "amend_catalogue", counting)
    monkeypatch.setattr(carrefour.store.helper, "cores", lambda: 1)
    hubs.harvest()
    assert amended == [in_place]
    snapshot = hubs.store.snapshot()
    folder = snapshot.info.artifacts
    assert folder is not None
    whole = tmp_path / "whole" / CATALOGUE_FILE
    whole.parent.mkdir()
    write_catalogue(snapshot, hubs.hub, whole)
    found, expected = tables(folder / CATALOGUE_FILE), tables(whole)
    assert found == expected and any("velo" in row for row in found["text words"])
    assert any(" bis'" in row for row in found["names"])
    assert (folder / ENTRIES_FILE).read_bytes() == (whole.parent / ENTRIES_FILE).read_bytes()


def test_more_than_records_changed_means_a_whole_reading(tmp_path: Path, validator: Validator) -> None:
    records, _ = generate(40, seed=12)
    hubs = Hubs(tmp_path, write_feed(tmp_path / "feed.json", records), validator)
    hubs.harvest()
    snapshot = hubs.store.snapshot()
    record = next(q.subject for q in snapshot.quads(None, ox.NamedNode(SCHEMA + "name"), None, hubs.hub.graph(
        "partner", hubs.spec.id)))  # fmt: skip
    concept = next(q.subject for q in snapshot.quads(None, ox.NamedNode(SKOS + "prefLabel"), None))
    with hubs.store.writer() as writer:
        graph = hubs.hub.graph("partner", hubs.spec.id)
        writer.amend_graph(graph, [ox.Quad(record, ox.NamedNode(SCHEMA + "name"), ox.Literal("Autre nom"), graph)])
        found = record_changes(writer, hubs.hub)
        assert found is not None and record.value in found.resources and len(found.resources) < 5
        label = ox.Quad(concept, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Autre libellé", language="fr"), graph)
        writer.amend_graph(graph, [label])
        found = record_changes(writer, hubs.hub)
        assert found is not None
        filed = {q.subject.value.split("#")[0] for q in writer.quads(None, None, concept)} - {concept.value}
        assert filed and {concept.value, record.value} | filed == found.resources  # its label is in their text
        writer.amend_graph(graph, [ox.Quad(ox.BlankNode(), ox.NamedNode(SCHEMA + "name"), ox.Literal("?"), graph)])
        assert record_changes(writer, hubs.hub) is None
