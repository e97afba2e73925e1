"""Re-harvests map only what changed (loader.record_memo), and publish what a harvest from scratch would."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.feeds import change, generate
from bench.harvest import write_partner
from carrefour.artifacts import build as artifacts
from carrefour.artifacts import dumps
from carrefour.artifacts.stats import compute_stats, read_stats
from carrefour.history.read import versions_of
from carrefour.history.terms import Names, history_graph
from carrefour.store.embedded import EmbeddedStore, OxigraphView
from carrefour.store.helper import cores
from carrefour.vocab import DCT, PROV, RDF, Hub
from loader.check import check_dumps
from loader.harvest import PartnerHarvest, harvest
from loader.harvest_report import write_report_files
from loader.initialise import initialise
from loader.mapping.engine import RecordMapper
from loader.partners import load_partner
from loader.provenance import activity_iri
from loader.published_index import FORMAT as INDEX_FORMAT
from loader.published_index import INDEX_FILE, PublishedIndex, read_index
from loader.record_spans import read_spans, scan_spans
from loader.validation import Validator
from tests.conftest import DEFAULT_BASE
from tests.harvest.conftest import fast_config
from tests.support.sqlite_tables import tables

RECORDS = 120
GENERATED_BY = PROV + "wasGeneratedBy"
RDF_TYPE = RDF + "type"


class Hubs:
    """A store on disk, harvested like ``carrefour harvest`` does (report files written)."""

    def __init__(self, folder: Path, feed: Path, validator: Validator) -> None:
        self.folder, self.feed, self.validator = folder, feed, validator
        self.hub = Hub(DEFAULT_BASE)
        self.config = fast_config(folder / "var")
        self.store = EmbeddedStore(folder / "var" / "store", DEFAULT_BASE)
        initialise(self.store, self.hub, validator)
        self.spec = load_partner(write_partner(folder / "partners", feed))

    def harvest(self) -> PartnerHarvest:
        (result,), version = harvest(self.store, self.hub, self.config, [self.spec], [self.spec], self.validator)
        assert result.ok and version is not None
        write_report_files(result, self.config.store_path / "harvest", self.hub)
        self.check_index(version)
        with open(self.records_path(), "rb") as written:  # the spans kept beside the records file describe it
            assert read_spans(self.records_path()) == scan_spans(written) != {}
        return result

    def check_index(self, version: str) -> None:
        """The index the harvest kept for the next one is what the store publishes, and stamped with its version."""
        snapshot = self.store.snapshot()
        folder = self.config.store_path / "harvest" / self.spec.id
        assert snapshot.info.version == version
        assert json.loads((folder / INDEX_FILE).read_text())["version"] == version
        kept = read_index(snapshot, self.hub, self.spec.id, folder)
        assert kept == read_index(snapshot, self.hub, self.spec.id, folder / "nowhere")  # read from the store
        assert kept.keys and kept.created and kept.hashes

    def graph(self, kind: str) -> set[ox.Quad]:
        return set(self.store.snapshot().quads(graph=self.hub.graph(kind, self.spec.id)))

    def generators(self) -> dict[str, str]:
        """record IRI -> the activity its provenance says wrote it."""
        return {q.subject.value: q.object.value for q in self.graph("provenance") if q.predicate.value == GENERATED_BY}

    def activity(self, result: PartnerHarvest) -> str:
        return activity_iri(self.hub, self.spec.id, result.started).value

    def records_file(self) -> set[ox.Quad]:
        return set(ox.parse(path=self.records_path(), format=ox.RdfFormat.N_QUADS))

    def records_path(self) -> Path:
        return self.config.store_path / "harvest" / self.spec.id / "latest" / "records.nq"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(Hub(DEFAULT_BASE))


def write_feed(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def count_mapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The origins of the feed records mapped from now on."""
    mapped: list[str] = []
    original = RecordMapper.map

    def counting(self: RecordMapper, record: object) -> object:
        mapped.append(record.origin)  # type: ignore[attr-defined]
        return original(self, record)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordMapper, "map", counting)
    return mapped


def test_an_unchanged_feed_is_neither_mapped_nor_written_again(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, broken = generate(RECORDS, seed=7)
    hubs = Hubs(tmp_path, write_feed(tmp_path / "feed.json", records), validator)
    first = hubs.harvest()
    data, taxonomy, published = hubs.graph("partner"), hubs.graph("taxonomy"), hubs.records_file()
    written = hubs.records_path().stat().st_ino
    hashes = {q.subject.value: q.object.value for q in hubs.graph("provenance")
              if q.predicate == hubs.hub.term("contentHash")}  # fmt: skip
    assert hashes.keys() == set(first.diff.loaded)  # every record published, none with a finding, has its hash
    assert all(re.fullmatch("[a-z2-7]{52}", value) for value in hashes.values())  # in base 32, never in digits

    mapped = count_mapped(monkeypatch)
    second = hubs.harvest()
    assert len(mapped) == len(broken)  # the rejected records only: they have no hash
    assert second.counts() == {**first.counts(), "loaded": 0, "unchanged": len(first.diff.loaded)}
    assert second.report.findings == first.report.findings
    assert (hubs.graph("partner"), hubs.graph("taxonomy"), hubs.records_file()) == (data, taxonomy, published)
    assert hubs.records_path().stat().st_ino == written  # the previous file linked, not copied
    record = sorted(first.diff.loaded)[0]
    assert len(versions_of(hubs.store.snapshot(), Names(hubs.hub), record)) == 1  # no new version of anything


def test_a_changed_feed_publishes_what_a_harvest_from_scratch_does(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, _ = generate(RECORDS, seed=8)
    feed = write_feed(tmp_path / "feed.json", records)
    hubs = Hubs(tmp_path / "re", feed, validator)
    first = hubs.harvest()
    changed = change(records, 0.05, seed=8)
    records.pop(3)  # and one record no longer listed, one new
    records.append({**records[10], "id": "mediation-numerique-new-00000001", "nom": "Un tout nouveau lieu"})
    write_feed(feed, records)

    mapped = count_mapped(monkeypatch)
    again = hubs.harvest()
    assert again.previous_records is not None  # the records left unchanged were not mapped again
    assert len(mapped) < changed + 10
    assert changed - 1 <= len(again.diff.updated) <= changed  # the record gone may have been among them
    assert len(again.diff.removed) == 1 and len(again.diff.loaded) == 1
    fresh = Hubs(tmp_path / "fresh", feed, validator)
    scratch = fresh.harvest()
    assert scratch.previous_records is None
    for kind in ("partner", "taxonomy"):
        assert hubs.graph(kind) == fresh.graph(kind)
    assert hubs.records_file() == fresh.records_file()
    assert again.report.findings == scratch.report.findings
    snapshot = hubs.store.snapshot()
    for iri in again.diff.updated:
        kinds = [version.kind for version in versions_of(snapshot, Names(hubs.hub), iri)]
        assert kinds == ["Create", "Update"]
    assert first.diff.loaded - again.diff.unchanged == again.diff.updated | again.diff.removed
    assert read_stats(snapshot) == compute_stats(snapshot, hubs.hub)  # adjusted by the session's statements
    generators = hubs.generators()
    assert {generators[iri] for iri in again.diff.updated | again.diff.loaded} == {hubs.activity(again)}
    assert {generators[iri] for iri in again.diff.unchanged} == {hubs.activity(first)}
    described = {q.subject.value for q in hubs.graph("provenance") if q.predicate.value == RDF_TYPE}
    assert described == {hubs.activity(first), hubs.activity(again)}  # every activity a record names
    said = Counter((q.subject.value, q.predicate.value) for q in hubs.graph("provenance"))
    records = first.diff.loaded - again.diff.removed | again.diff.loaded
    for predicate in (GENERATED_BY, DCT + "created", DCT + "modified"):
        assert {iri for (iri, p), n in said.items() if p == predicate and n == 1 and iri in records} == records
    assert not {iri for iri, _ in said} & again.diff.removed  # a record gone leaves no provenance


def test_an_unchanged_record_keeps_the_provenance_it_had(tmp_path: Path, validator: Validator) -> None:
    """Its dates and the harvest that wrote it stay as they were: an unchanged harvest rewrites no provenance
    statement per record, only its own activity and the graph's generation."""
    records, _ = generate(RECORDS, seed=9)
    hubs = Hubs(tmp_path, write_feed(tmp_path / "feed.json", records), validator)
    first = hubs.harvest()
    before = {q for q in hubs.graph("provenance") if q.subject.value in first.diff.loaded}
    second = hubs.harvest()
    assert hubs.activity(second) != hubs.activity(first)
    assert {q for q in hubs.graph("provenance") if q.subject.value in first.diff.loaded} == before
    graph = hubs.hub.graph("partner", hubs.spec.id)
    generation = {q.object.value for q in hubs.graph("provenance") if q.subject == graph}
    assert hubs.activity(second) in generation  # the partner's graph was written by the latest harvest
    snapshot = hubs.store.snapshot()
    assert read_stats(snapshot) == compute_stats(snapshot, hubs.hub)


def test_artifacts_carried_over_are_those_a_rebuild_makes(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, _ = generate(RECORDS, seed=9)
    hubs = Hubs(tmp_path / "a", write_feed(tmp_path / "feed.json", records), validator)
    hubs.harvest()
    shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True)
    hubs.harvest()
    carried = hubs.store.snapshot().info.artifacts
    monkeypatch.setattr(artifacts, "carried_over", lambda writer, hub: None)
    rebuilt = Hubs.__new__(Hubs)
    rebuilt.__dict__.update(hubs.__dict__, store=EmbeddedStore(tmp_path / "b" / "var" / "store", DEFAULT_BASE))
    rebuilt.config = fast_config(tmp_path / "b" / "var")
    rebuilt.harvest()
    built = rebuilt.store.snapshot().info.artifacts
    assert carried is not None and built is not None
    for name in (artifacts.FACETS_FILE, artifacts.PLACES_FILE):
        assert json.loads((carried / name).read_text()) == json.loads((built / name).read_text())
    for name in (artifacts.SEARCH_FILE, artifacts.CATALOGUE_FILE):
        assert tables(carried / name) == tables(built / name)


def test_a_damaged_dump_is_written_again_not_copied(tmp_path: Path, validator: Validator) -> None:
    records, _ = generate(RECORDS, seed=10)
    hubs = Hubs(tmp_path, write_feed(tmp_path / "feed.json", records), validator)
    hubs.harvest()
    folder = hubs.store.snapshot().info.artifacts
    assert folder is not None
    damaged = folder / "dumps" / f"partner-{hubs.spec.id}.nt.gz"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    hubs.harvest()
    snapshot = hubs.store.snapshot()
    assert check_dumps(snapshot, hubs.hub) == []
    assert snapshot.info.artifacts is not None
    assert dumped(snapshot.info.artifacts, damaged.name, ox.RdfFormat.N_TRIPLES) == {
        (q.subject, q.predicate, q.object) for q in hubs.graph("partner")
    }


def dumped(folder: Path, name: str, format: ox.RdfFormat) -> set[tuple[ox.Term, ...]]:
    """The statements of one dump file, as (subject, predicate, object[, graph])."""
    parsed = ox.parse(gzip.decompress((folder / "dumps" / name).read_bytes()), format=format)
    if format == ox.RdfFormat.N_QUADS:
        return {(q.subject, q.predicate, q.object, q.graph_name) for q in parsed}
    return {(t.subject, t.predicate, t.object) for t in parsed}


def assert_dumps_hold_the_store(hubs: Hubs) -> None:
    """The partner's N-Triples and Turtle, and the hub's N-Quads, hold what the store holds; the check agrees."""
    snapshot = hubs.store.snapshot()
    folder = snapshot.info.artifacts
    assert folder is not None
    partner = {(q.subject, q.predicate, q.object) for q in hubs.graph("partner")}
    assert dumped(folder, f"partner-{hubs.spec.id}.nt.gz", ox.RdfFormat.N_TRIPLES) == partner
    assert dumped(folder, f"partner-{hubs.spec.id}.ttl.gz", ox.RdfFormat.TURTLE) == partner
    history = history_graph(hubs.hub)
    held = {(q.subject, q.predicate, q.object, q.graph_name) for q in snapshot.quads() if q.graph_name != history}
    assert dumped(folder, "carrefour.nq.gz", ox.RdfFormat.N_QUADS) == held
    assert check_dumps(snapshot, hubs.hub) == []


def test_the_dumps_after_a_changed_feed_hold_what_the_store_holds(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed feed amends the partner graph (and its provenance): the dumps written then, partly copied
    from the previous version's members, the amended graphs made from the previous version's N-Triples and
    what the session changed, hold exactly what the store holds."""
    records, _ = generate(RECORDS, seed=11)
    feed = write_feed(tmp_path / "feed.json", records)
    hubs = Hubs(tmp_path, feed, validator)
    hubs.harvest()
    change(records, 0.1, seed=11)
    records.pop(5)
    write_feed(feed, records)
    read_back: list[ox.NamedNode] = []  # the graphs read from the store to be dumped
    original = OxigraphView.dump
    monkeypatch.setattr(OxigraphView, "dump", lambda view, output, fmt, graph=None: (
        read_back.append(graph), original(view, output, fmt, graph)))  # fmt: skip
    amended: list[bytes] = []
    made = dumps.amended_triples
    located: list[bool] = []  # whether the blocks were found ahead, by the helper
    monkeypatch.setattr(dumps, "amended_triples", lambda *args: (
        located.append(args[-1] is not None), amended.append(made(*args)), amended[-1])[-1])  # fmt: skip
    turtles: list[int] = []
    turtle = dumps.amended_turtle
    monkeypatch.setattr(dumps, "amended_turtle", lambda previous, now, output, located=None: (
        turtles.append(len(now)), turtle(previous, now, output, located))[1])  # fmt: skip
    again = hubs.harvest()
    assert again.diff.updated and again.diff.removed
    partner_graph = hubs.hub.graph("partner", hubs.spec.id)
    assert partner_graph not in read_back and amended  # the amended graph is not read back from the store
    assert turtles and max(turtles) >= len(again.diff.updated)  # nor parsed again to be written as Turtle
    assert any(located) or cores() == 1, "the partner's blocks were found ahead by the helper"
    assert_dumps_hold_the_store(hubs)


def test_an_amendment_given_up_half_written_leaves_dumps_read_from_the_store(
    tmp_path: Path, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The members of an amended graph are compressed as they are written: one given up after writing part of its
    Turtle (blocks found wrong) is made again from the store, and no byte of the attempt is left in the files."""
    records, _ = generate(RECORDS, seed=14)
    feed = write_feed(tmp_path / "feed.json", records)
    hubs = Hubs(tmp_path, feed, validator)
    hubs.harvest()
    change(records, 0.1, seed=14)
    write_feed(feed, records)
    read_back: list[ox.NamedNode] = []
    original = OxigraphView.dump
    monkeypatch.setattr(OxigraphView, "dump", lambda view, output, fmt, graph=None: (
        read_back.append(graph), original(view, output, fmt, graph)))  # fmt: skip
    monkeypatch.setattr(dumps, "amended_turtle", lambda previous, now, output, located=None: (
        output.write(b"<urn:x:half> <urn:x:written> .\n"), False)[1])  # fmt: skip
    hubs.harvest()
    partner_graph = hubs.hub.graph("partner", hubs.spec.id)
    assert partner_graph in read_back
    assert_dumps_hold_the_store(hubs)


def test_the_kept_index_is_read_only_for_the_version_it_was_made_for(tmp_path: Path, validator: Validator) -> None:
    records, _ = generate(RECORDS, seed=12)
    hubs = Hubs(tmp_path, write_feed(tmp_path / "feed.json", records), validator)
    hubs.harvest()
    snapshot = hubs.store.snapshot()
    folder = hubs.config.store_path / "harvest" / hubs.spec.id
    path = folder / INDEX_FILE
    planted = {"format": INDEX_FORMAT, "version": snapshot.info.version, "keys": [["http://x.test/r", "k"]],
               "hashes": [], "created": []}  # fmt: skip
    path.write_text(json.dumps(planted))
    assert read_index(snapshot, hubs.hub, hubs.spec.id, folder) == PublishedIndex(
        frozenset({("http://x.test/r", "k")}), frozenset(), frozenset()
    )
    path.write_text(json.dumps({key: value for key, value in planted.items() if key != "format"}))
    assert ("http://x.test/r", "k") not in read_index(snapshot, hubs.hub, hubs.spec.id, folder).keys  # hashes in
    # base 32, as written before the index kept them in hexadecimal: the store is read
    path.write_text(json.dumps({**planted, "version": "another"}))
    assert ("http://x.test/r", "k") not in read_index(snapshot, hubs.hub, hubs.spec.id, folder).keys
    path.write_text("{not json")
    assert read_index(snapshot, hubs.hub, hubs.spec.id, folder).keys  # a damaged file: the store is read
