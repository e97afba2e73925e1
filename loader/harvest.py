"""``carrefour harvest``: read, map, validate and publish partners' feeds.

All partners of one run are published together, in one write session, so readers
see the previous version or the new one, never half of each.  Within the run, each
partner stands alone: a feed that cannot be read (unreachable, malformed, too big)
fails that partner only and leaves its published graphs untouched; a record that
breaks the shapes is rejected alone and reported; the rest loads.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts, read_ahead_of
from carrefour.config import Config
from carrefour.errors import CarrefourError, HarvestError
from carrefour.history.append import append_versions, known_sources
from carrefour.memory import collection_paused, release_free_memory
from carrefour.store.base import Snapshot, Store, Writer
from carrefour.store.helper import Helper
from carrefour.vocab import Graphs, Hub
from loader.feeds import FeedSpec, FetchSettings, Problem, read_feed
from loader.geo import TERRITORY_LINKS, commune_triples, pointed_communes
from loader.history import diff_changes
from loader.linking import find_links, key_predicates, link_triples
from loader.mapping.engine import RecordMapper
from loader.mapping.minting import KIND_PATHS, Minter
from loader.mapping.spec import PartnerSpec
from loader.partners import describe_partner, taxonomy_triples
from loader.privacy import privacy_salt, pseudonym
from loader.provenance import (
    GENERATED_BY,
    HarvestCounts,
    activity_iri,
    activity_triples,
    earlier_activities,
    previous_record_times,
    record_provenance,
    removal_triples,
    stale_provenance,
)
from loader.published_index import NOTHING, PublishedIndex, published_keys, read_index, save_index, session_index
from loader.record_memo import (
    Categories,
    RecordMemo,
    load_categories,
    published_records,
    save_categories,
)
from loader.records import RecordDiff, diff_records, drop_records, group_by_record, record_hash
from loader.reference import reference_sources
from loader.report_graph import partner_report_triples
from loader.validation import Report, Validator
from loader.validation.dataset import ValidationDataset

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]  # (partner id, records read so far)
DATASET_CHUNK = 50_000  # mapped triples handed to the validation dataset at a time


@dataclass
class ReportItem:
    """Something the report must say that is not a SHACL finding."""

    origin: str
    kind: str  # read-error, skipped, refused, excluded, note, privacy, damaged-text, dangling-link
    message: str
    record: str | None = None
    field: str | None = None  # privacy, damaged-text: the partner's field that held personal data or lost letters…
    rule: str | None = None  # … and the rule that found it (the value is never reported)
    lost_record: bool = False  # a read-error that is one record (a malformed row), not a page or a sitemap


@dataclass
class PartnerHarvest:
    """What one partner's harvest produced, published or not."""

    spec: PartnerSpec
    started: datetime
    ended: datetime | None = None
    error: str | None = None
    read: int = 0
    diff: RecordDiff = field(default_factory=RecordDiff)
    rejected: set[str] = field(default_factory=set)
    report: Report = field(default_factory=Report)
    items: list[ReportItem] = field(default_factory=list)
    content: list[ox.Triple] = field(default_factory=list)
    taxonomy: list[ox.Triple] = field(default_factory=list)
    provenance: list[ox.Triple] = field(default_factory=list)
    removals: list[ox.Triple] = field(default_factory=list)
    records: dict[str, list[ox.Triple]] = field(default_factory=dict)  # record IRI -> its published triples
    # with records left as published (loader.record_memo), ``content`` and ``records`` hold the records mapped
    # again only: ``stale`` is what goes from the published graph, the rest stays, and the report copies the
    # published records from ``previous_records`` (None: ``content`` is the whole graph)
    stale: list[ox.Triple] = field(default_factory=list)
    provenance_stale: list[ox.Quad] | None = None  # likewise for ``provenance`` (None: it is the whole graph)
    previous_records: Path | None = None
    memo: dict[str, Categories] = field(default_factory=dict)  # what loader.record_memo keeps for the next harvest
    published: PublishedIndex | None = None  # the partner's records as the previous version published them
    origins: dict[str, str] = field(default_factory=dict)  # record IRI -> where it came from
    kept: set[str] = field(default_factory=set)  # records not read faithfully whose published version stays
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per phase (read+map, validate, …)

    @property
    def ok(self) -> bool:
        return self.error is None

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "loaded": len(self.diff.loaded),
            "unchanged": len(self.diff.unchanged),
            "updated": len(self.diff.updated),
            "removed": len(self.diff.removed),
            "rejected": len(self.rejected) + sum(1 for i in self.items if i.kind == "refused" or i.lost_record),
            "warnings": len(self.report.warnings) + sum(1 for i in self.items if i.kind == "damaged-text"),
        }


class NothingPublished(CarrefourError):
    """Every partner of the run failed: the published version is left as it was."""


def _registry(
    previous: Snapshot | None, hub: Hub, partner_id: str, keys: Iterable[tuple[str, str]] | None = None
) -> dict[tuple[str, str], str]:
    """(kind, record key) -> IRI of what the partner published, including removed records.

    :param keys: (record IRI, its key) of the records published (``PublishedIndex.keys``), else read here.
    """
    if previous is None:
        return {}
    if keys is None:  # a pattern, not a query: no SPARQL evaluation for the partner's every record
        keys = published_keys(previous, hub, partner_id)
    removed_query = (
        "SELECT ?s ?key ?g ?p WHERE { GRAPH ?g { ?r ?removedResource ?s ; ?recordKey ?key ; ?partner ?p } }".replace(
            "?removedResource", str(hub.term("removedResource"))
        )
        .replace("?recordKey", str(hub.term("recordKey")))
        .replace("?partner ", str(hub.term("partner")) + " ")
    )
    removed = previous.select(removed_query, {"g": hub.graph("changes"), "p": hub.partner(partner_id)})
    registry: dict[tuple[str, str], str] = {}
    kinds = set(KIND_PATHS.values())
    for iri, key in [*sorted(keys), *((row["s"].value, row["key"].value) for row in removed)]:
        kind = iri[len(hub.base) :].split("/", 1)[0]
        if kind in kinds:
            registry.setdefault((kind, key), iri)
    return registry


def _record_keys(triples: list[ox.Triple], hub: Hub) -> dict[str, str]:
    key_property = hub.term("recordKey")
    return {t.subject.value: t.object.value for t in triples if t.predicate == key_property}


def map_feed(
    spec: PartnerSpec,
    mapper: RecordMapper,
    settings: FetchSettings,
    cache_dir: Path,
    result: PartnerHarvest,
    progress: Progress | None = None,
    dataset: ValidationDataset | None = None,
    memo: RecordMemo | None = None,
) -> list[ox.Triple]:
    """Read the partner's feed and map each record; what is not mapped goes to ``result.items``.

    :param dataset: receives the mapped triples as they come (``Validator.start``), to be validated.
    :param memo: the content hashes of the published records: a feed record it holds is not mapped again.
    :raises HarvestError: the feed cannot be read at all.
    """
    triples: list[ox.Triple] = []
    handed = 0  # triples already in ``dataset``
    for item in read_feed(FeedSpec.from_table(spec.feed), settings, cache_dir):
        if dataset is not None and len(triples) - handed >= DATASET_CHUNK:
            dataset.add(triples[handed:])
            handed = len(triples)
        if isinstance(item, Problem):
            # a page or a sitemap that failed is no record: only a record that could not be read counts as read
            if item.record:
                result.read += 1
            kind = "skipped" if item.skipped else "read-error"
            result.items.append(ReportItem(item.origin, kind, item.message, lost_record=item.record))
            continue
        result.read += 1
        if progress is not None and result.read % 500 == 0:
            progress(spec.id, result.read)
        digest = memo.digest(item) if memo is not None else ""
        if memo is not None and (categories := memo.skip(digest)) is not None:
            mapper.replay_categories(categories)
            result.origins.setdefault(memo.previous[digest], item.origin)
            continue
        try:
            mapped = mapper.map(item)
        except Exception as exc:  # a record the engine cannot map is that record's problem only
            log.exception("%s %s: record cannot be mapped", spec.id, item.origin)
            message = f"the record cannot be mapped ({type(exc).__name__}: {str(exc)[:200]})"
            result.items.append(ReportItem(item.origin, "read-error", message, lost_record=True))
            continue
        if mapped.refused is not None:
            kind = "excluded" if mapped.personal_data else "refused"
            result.items.append(ReportItem(item.origin, kind, mapped.refused))
            continue
        if memo is not None:
            memo.note(digest, mapped)
        primary = mapped.primary
        record = primary.iri if primary else None
        for note in mapped.notes:
            result.items.append(ReportItem(item.origin, "note", note, record))
        for privacy, times in Counter(mapped.privacy).items():
            message = f"personal data in {privacy.field} ({privacy.rule}): {privacy.action}"
            message += f" ({times} times)" if times > 1 else ""
            result.items.append(ReportItem(item.origin, "privacy", message, record, privacy.field, privacy.rule))
        for where, times in Counter(mapped.damaged).items():
            message = f"letters lost upstream (U+FFFD) in {where}: published as written"
            message += f" ({times} times)" if times > 1 else ""
            result.items.append(ReportItem(item.origin, "damaged-text", message, record, where))
        for entity in mapped.entities:
            result.origins.setdefault(entity.iri, item.origin)
            triples += entity.triples
    if progress is not None:
        progress(spec.id, result.read)
    if dataset is not None:
        dataset.add(triples[handed:])
    return triples


def harvest_partner(
    spec: PartnerSpec,
    previous: Snapshot | None,
    hub: Hub,
    validator: Validator,
    settings: FetchSettings,
    cache_dir: Path,
    salt: str,
    progress: Progress | None = None,
) -> PartnerHarvest:
    """Read, map and validate one partner's feed; nothing is written to the store here.

    Feed records whose content hash the published provenance holds are not mapped again
    (loader.record_memo); when that cannot be done exactly, the whole feed is.

    :param salt: of the hashes replacing personal record keys (``privacy_salt``).
    """
    partner_dir = cache_dir.parent
    previous_records = _previous_records(previous, hub, spec.id, partner_dir)
    index = read_index(previous, hub, spec.id, partner_dir) if previous is not None else None
    published = index.hash_records() if index is not None and previous_records is not None else {}
    memo = RecordMemo.start(spec, hub, salt, published, load_categories(partner_dir) if published else {})
    result = _harvest_partner(spec, previous, hub, validator, settings, cache_dir, salt, progress, memo, index)
    if memo.irregular is not None:
        log.info("%s: %s; the whole feed is mapped again", spec.id, memo.irregular)
        memo = RecordMemo.start(spec, hub, salt, {}, {})
        result = _harvest_partner(spec, previous, hub, validator, settings, cache_dir, salt, progress, memo, index)
    result.previous_records = previous_records if memo.skipped else None
    result.published = index
    return result


def _previous_records(previous: Snapshot | None, hub: Hub, partner_id: str, partner_dir: Path) -> Path | None:
    """The ``records.nq`` of the harvest the published provenance comes from, when the history follows the
    partner: what records left as published are copied from into the new report (None: map the whole feed)."""
    if previous is None or partner_id not in known_sources(previous, hub):
        return None
    graph = hub.graph("partner", partner_id)
    activity = next(iter(previous.quads(graph, GENERATED_BY, None, hub.graph("provenance", partner_id))), None)
    if activity is None:
        return None
    records = partner_dir / activity.object.value.rsplit("/", 1)[-1] / "records.nq"
    return records if records.is_file() else None


def _harvest_partner(
    spec: PartnerSpec,
    previous: Snapshot | None,
    hub: Hub,
    validator: Validator,
    settings: FetchSettings,
    cache_dir: Path,
    salt: str,
    progress: Progress | None,
    memo: RecordMemo,
    index: PublishedIndex | None,
) -> PartnerHarvest:
    result = PartnerHarvest(spec, started=datetime.now(UTC).replace(microsecond=0))
    clock = time.perf_counter()
    feed = FeedSpec.from_table(spec.feed)
    keys = index.keys if index is not None else None
    mapper = RecordMapper(spec, hub, Minter(hub, spec.id, _registry(previous, hub, spec.id, keys)), salt)
    dataset = validator.start()
    try:
        triples = map_feed(spec, mapper, settings, cache_dir, result, progress, dataset, memo)
    except HarvestError as exc:
        dataset.close()
        result.error = str(exc)
        result.ended = datetime.now(UTC).replace(microsecond=0)
        return result
    if memo.skipped and any(item.kind == "read-error" for item in result.items):
        memo.irregular = "parts of the feed could not be read"
    if memo.irregular is not None:
        dataset.close()
        return result
    result.seconds["read+map"] = time.perf_counter() - clock

    clock = time.perf_counter()
    taxonomy = taxonomy_triples(spec, hub, mapper.categories_seen, mapper.concept_languages)
    dataset.add(taxonomy)  # the partner's concepts are published too: judged like its records
    result.report = validator.validate([*triples, *taxonomy], dataset=dataset)
    result.seconds["validate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    result.rejected = result.report.rejected_records()
    graph = hub.graph("partner", spec.id)
    if memo.skipped:  # the records left as published are neither read nor compared
        assert previous is not None and index is not None
        published = published_records(previous, graph, index.described() - set(memo.skipped))
    else:
        published = group_by_record(previous.quads(graph=graph)) if previous is not None else {}
    result.kept = _kept_as_published(result, published, group_by_record(triples))
    result.taxonomy, _ = drop_records(taxonomy, result.rejected, result.kept)
    accepted, dangling = drop_records(triples, result.rejected, result.kept)
    if dangling:
        result.items.append(
            ReportItem(spec.id, "dangling-link", f"{dangling} link(s) to rejected records were left out")
        )
    for iri in sorted(result.kept):
        accepted += published[iri]
    result.content = accepted

    result.records = group_by_record(accepted)
    current = {iri: record_hash(group) for iri, group in result.records.items()}
    result.diff = diff_records({iri: record_hash(group) for iri, group in published.items()}, current)
    result.diff.unchanged |= set(memo.skipped)
    if memo.skipped:
        changed = result.diff.updated | result.diff.removed
        result.stale = [t for iri in changed for t in published[iri]]
    result.ended = datetime.now(UTC).replace(microsecond=0)
    listed = {**dict.fromkeys(current, ""), **dict.fromkeys(memo.skipped, "")}
    counts = HarvestCounts(result.read, len(listed), result.counts()["rejected"])  # what the report says
    source = feed.source or None
    activity = activity_iri(hub, spec.id, result.started)
    result.provenance = activity_triples(hub, spec.id, result.started, result.ended, source, counts)
    hashes = memo.hashes(listed, {finding.record for finding in result.report.findings})
    fresh = result.diff.loaded | result.diff.updated
    if memo.skipped:  # the records left as published keep their provenance statements where they are
        assert previous is not None
        times = previous_record_times(previous, hub, spec.id, current)
        result.provenance += record_provenance(hub, activity, result.ended, current, fresh, times, hashes)
        rewritten = set(current) | result.diff.removed
        result.provenance_stale = stale_provenance(previous, hub, spec.id, rewritten, memo.skipped.keys())
    else:
        times = previous_record_times(previous, hub, spec.id)
        result.provenance += record_provenance(hub, activity, result.ended, listed, fresh, times, hashes)
        result.provenance += earlier_activities(previous, hub, spec.id, result.provenance, activity)
    result.memo = memo.categories(hashes)
    previous_keys = _record_keys([t for group in published.values() for t in group], hub)
    # a key published before personal keys were hashed is not published again with its removal
    removed_keys = {iri: pseudonym(previous_keys.get(iri, ""), salt) for iri in result.diff.removed}
    result.removals = removal_triples(hub, spec.id, result.ended, removed_keys)
    result.seconds["diff+provenance"] = time.perf_counter() - clock
    return result


def _kept_as_published(
    result: PartnerHarvest, published: dict[str, list[ox.Triple]], harvested: dict[str, list[ox.Triple]]
) -> set[str]:
    """Published records whose new version is missing or invalid: their published version stays.

    A record rejected by the shapes keeps its last valid version (the report says why
    the new one was refused).  When parts of the feed could not be read (malformed rows,
    pages that failed), the records the feed did not list may be in those parts: they are
    kept, and nothing is removed, until a harvest reads the whole feed.
    """
    kept = {iri for iri in result.rejected if iri in published}
    if kept:
        result.items.append(
            ReportItem(
                result.spec.id,
                "note",
                f"{len(kept)} rejected record(s) keep their previously published version",
            )
        )
    read_errors = sum(1 for item in result.items if item.kind == "read-error")
    missing = set(published) - set(harvested) - result.rejected
    if read_errors and missing:
        kept |= missing
        result.items.append(
            ReportItem(
                result.spec.id,
                "note",
                f"the feed was not read completely ({read_errors} part(s) could not be read): the "
                f"{len(missing)} published record(s) it did not list are kept, none is removed",
            )
        )
    return kept


def publish_harvest(
    writer: Writer, hub: Hub, results: list[PartnerHarvest], all_specs: list[PartnerSpec], helper: Helper
) -> dict[str, float]:
    """Write the successful partners' graphs and refresh what is derived from all of them.

    The identity links are found by the helper process while this one describes the territories.

    :returns: seconds spent per phase (load, territories, links: the checkpoint, waiting for them, writing them).
    """
    graphs = Graphs(hub)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    previous_changes = list(writer.quads(graph=graphs.changes))
    new_removals: list[ox.Triple] = []
    for result in results:
        if not result.ok:
            continue
        partner_id = result.spec.id
        if result.previous_records is not None:
            fresh = [t for iri in result.diff.loaded | result.diff.updated for t in result.records[iri]]
            writer.amend_graph(graphs.partner_data(partner_id), fresh, result.stale)
        else:
            writer.replace_graph(graphs.partner_data(partner_id), result.content)
        if result.provenance_stale is not None:
            writer.amend_graph(graphs.partner_provenance(partner_id), result.provenance, result.provenance_stale)
        else:
            writer.replace_graph(graphs.partner_provenance(partner_id), result.provenance)
        writer.replace_graph(graphs.partner_taxonomy(partner_id), result.taxonomy)
        activity = activity_iri(hub, partner_id, result.started)
        writer.replace_graph(graphs.partner_report(partner_id), partner_report_triples(result, hub, activity))
        new_removals += result.removals
    if new_removals:
        writer.replace_graph(graphs.changes, [*previous_changes, *new_removals])
    followed = known_sources(writer, hub)
    changes = {r.spec.id: diff_changes(r.diff, r.records, r.spec.id in followed) for r in results if r.ok}
    append_versions(writer, hub, changes)
    writer.replace_graph(graphs.partners, [t for spec in all_specs for t in describe_partner(spec, hub)])
    release_free_memory()  # the sets that compared each graph with the store are gone
    seconds["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    effective = effective_statements(writer)
    links = helper.submit(find_links, hub) if links_stale(writer, hub, effective) else None
    seconds["links"] = time.perf_counter() - clock  # the checkpoint the helper reads
    clock = time.perf_counter()
    if territories_stale(writer, hub, effective):
        refresh_territories(writer, hub)
    seconds["territories"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if links is not None:
        writer.replace_graph(graphs.links, link_triples(links.result(), hub))
    seconds["links"] += time.perf_counter() - clock
    return seconds


def effective_statements(writer: Writer) -> set[ox.Quad] | None:
    """The statements the session really added or removed, when it kept their list (``Writer.delta``)."""
    delta = writer.delta
    return delta.effective(writer.previous, writer) if delta is not None and writer.previous is not None else None


def territories_stale(writer: Writer, hub: Hub, effective: set[ox.Quad] | None) -> bool:
    """The communes described follow what resources are located in or serve: only a statement saying where
    something is located or acts, added or removed, can change them (``carrefour init`` refreshes them from
    the reference files); without the session's list of statements, any changed graph that says so."""
    graphs = Graphs(hub)
    if graphs.territories not in writer.graphs():
        return True
    links = {hub.term(name) for name in TERRITORY_LINKS}
    if effective is not None:
        return any(quad.predicate in links for quad in effective)
    views = [view for view in (writer, writer.previous) if view is not None]
    return any(
        next(iter(view.quads(predicate=link, graph=graph)), None) is not None
        for link in links
        for graph in writer.changed
        for view in views
    )


def links_stale(writer: Writer, hub: Hub, effective: set[ox.Quad] | None) -> bool:
    """Identity links are drawn from the keys of the partners' data graphs alone (``key_predicates``): while
    no statement of one changes, the published links stand; without the session's list of statements, while
    no partner graph changes."""
    prefix = hub.iri("graph", "partner") + "/"
    if effective is not None:
        keys = key_predicates(hub)
        graphs = {q.graph_name for q in effective if q.predicate in keys}
        return any(isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix) for graph in graphs)
    return any(graph.value.startswith(prefix) for graph in writer.changed)


def refresh_territories(writer: Writer, hub: Hub) -> None:
    """Regions and départements, plus every commune some published resource is located in or serves."""
    graphs = Graphs(hub)
    source = next(s for s in reference_sources(graphs) if s.graph == graphs.territories)
    reference = source.parse(hub)
    codes = pointed_communes(writer, hub)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in reference] + commune_triples(hub, codes)
    writer.replace_graph(graphs.territories, triples)


def harvest(
    store: Store,
    hub: Hub,
    config: Config,
    specs: list[PartnerSpec],
    all_specs: list[PartnerSpec],
    validator: Validator,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[list[PartnerHarvest], str | None]:
    """Harvest ``specs`` and publish them as one new version.

    :param timings: filled with the seconds spent by each publication phase (load,
        territories, links, each artifact, commit); each partner's own phases are in
        its ``PartnerHarvest.seconds``.
    :returns: each partner's outcome, and the new version (None when every partner failed).
    """
    timings = timings if timings is not None else {}
    settings = FetchSettings.from_config(config)
    salt = privacy_salt(config)
    results: list[PartnerHarvest] = []
    try:
        # what a harvest builds (records, triples, indexes by the hundred thousand) is acyclic and lives long: the
        # cyclic collector's scans of it found nothing to free (184 objects left after the first harvest of 40,000
        # records, peak memory unchanged) and took 1.3 to 2 s of a 1 % change (diff+provenance 1.2 -> 0.8 s)
        with store.writer() as writer, Helper(writer) as helper, collection_paused():
            ahead = read_ahead_of(writer, hub, helper)
            for spec in specs:
                cache_dir = config.store_path / "harvest" / spec.id / "cache"
                cache_dir.mkdir(parents=True, exist_ok=True)
                try:
                    outcome = harvest_partner(
                        spec, writer.previous, hub, validator, settings, cache_dir, salt, progress
                    )
                except Exception as exc:  # one partner's crash must not stop the others' harvest
                    log.exception("harvest of %s failed", spec.id)
                    outcome = PartnerHarvest(spec, started=datetime.now(UTC).replace(microsecond=0))
                    outcome.error = f"unexpected error ({type(exc).__name__}: {str(exc)[:200]}); see the log"
                results.append(outcome)
                release_free_memory()  # what the partner's diff grouped (a million published triples) is gone
            if not any(r.ok for r in results):
                raise NothingPublished("no partner could be harvested: the published version is unchanged")
            timings.update(publish_harvest(writer, hub, results, all_specs, helper))
            timings.update(build_artifacts(writer, hub, helper, ahead))
            clock = time.perf_counter()
            indexes = {r.spec.id: session_index(writer, hub, r.spec.id, r.published or NOTHING)
                       for r in results if r.ok}  # fmt: skip
            timings["index"] = time.perf_counter() - clock
            version = writer.info.version
            clock = time.perf_counter()
            # the last reference to the session goes with the block: the store is closed before it is
            # published, so no reader ever opens a generation still being written
            del writer
        timings["commit"] = time.perf_counter() - clock
    except NothingPublished:
        return results, None
    for result in results:
        if result.ok:
            save_categories(config.store_path / "harvest" / result.spec.id, result.memo)
            save_index(config.store_path / "harvest" / result.spec.id, version, indexes[result.spec.id])
    return results, version
