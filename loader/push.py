"""Records a partner pushes over HTTP, read, mapped and validated as a harvest would, then published.

A push goes through the partner's own mapping (so personal data is filtered exactly as
in a harvest), is validated against the shapes with the records it links to as context,
and is published in one write session as a new version: the pushed records replace
their published versions (the partner's other records stay), each changed record gets
a version in the history and the event streams, a deletion a removal and a tombstone.
The version carries the previous artifacts until a refresh rebuilds them
(carrefour.artifacts.refresh).
``check_records`` does all of it but the publication: the public validator.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.refresh import carry_artifacts
from carrefour.config import Config
from carrefour.errors import CarrefourError
from carrefour.history.append import RecordChange, append_versions, known_sources
from carrefour.store.base import Snapshot, Store, Writer
from carrefour.vocab import Graphs, Hub
from loader.feeds import FeedSpec, FetchSettings
from loader.harvest import PartnerHarvest, ReportItem, _registry, map_feed
from loader.mapping.engine import RecordMapper
from loader.mapping.minting import Minter
from loader.mapping.spec import PartnerSpec
from loader.partners import taxonomy_triples
from loader.privacy import privacy_salt, pseudonym
from loader.provenance import (
    HarvestCounts,
    activity_iri,
    activity_triples,
    previous_record_times,
    record_provenance,
    removal_triples,
)
from loader.records import group_by_record, record_hash
from loader.validation import Report, Validator

# Media types a push or a validation may send, and the feed format each is read as.
MEDIA_FORMATS = {
    "application/json": ("json", None),
    "application/geo+json": ("geojson", None),
    "text/csv": ("csv", None),
    "text/tab-separated-values": ("tsv", None),
    "text/turtle": ("rdf", "ttl"),
    "application/ld+json": ("rdf", "jsonld"),
    "application/n-triples": ("rdf", "nt"),
    "application/rdf+xml": ("rdf", "rdf"),
}


class _Unchanged(Exception):
    """Nothing to publish: the write session ends without a new version."""


class PushRefused(CarrefourError):
    """The body cannot be read as the partner's records (400) or is not of a type the hub reads (415)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Outcome:
    """What became of one pushed record."""

    origin: str
    status: str  # created, updated, unchanged, removed, rejected, excluded, refused, unreadable
    iri: str | None = None
    key: str | None = None
    findings: list[dict[str, str | None]] = field(default_factory=list)


@dataclass
class Checked:
    """Pushed records once read, mapped and validated."""

    records: dict[str, list[ox.Triple]]  # record IRI -> its triples, valid or not
    report: Report
    outcomes: dict[str, Outcome]  # record IRI -> its outcome so far
    others: list[Outcome]  # what was not mapped to a record (unreadable, refused, personal data)
    taxonomy: list[ox.Triple]

    @property
    def accepted(self) -> dict[str, list[ox.Triple]]:
        rejected = self.report.rejected_records()
        return {iri: triples for iri, triples in self.records.items() if iri not in rejected}


def feed_format(media_type: str) -> tuple[str, str | None]:
    """(feed format, RDF syntax) of a request's Content-Type.

    :raises PushRefused: a type the hub does not read (415).
    """
    found = MEDIA_FORMATS.get(media_type.split(";", 1)[0].strip().lower())
    if found is None:
        accepted = ", ".join(MEDIA_FORMATS)
        raise PushRefused(f"cannot read {media_type or 'a body without a type'}: send one of {accepted}", 415)
    return found


def _body_file(folder: Path, body: bytes, single: bool, fmt: str) -> tuple[Path, bool]:
    """The body as a file the feed readers take; one JSON record becomes a list of one."""
    unwrap = False
    if single and fmt in ("json", "geojson"):
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise PushRefused(f"the body is not JSON: {exc}") from exc
        if isinstance(value, dict) and fmt == "json":
            body, unwrap = json.dumps([value]).encode(), True
    path = folder / f"pushed.{ {'json': 'json', 'geojson': 'geojson', 'csv': 'csv', 'tsv': 'tsv'}.get(fmt, 'rdf') }"
    path.write_bytes(body)
    return path, unwrap


def findings_of(report: Report, iri: str) -> list[dict[str, str | None]]:
    return [
        {"severity": f.severity, "focus": f.focus, "path": f.path, "shape": f.shape, "value": f.value,
         "message_fr": f.message_fr, "message_en": f.message_en}
        for f in report.sorted() if f.record == iri
    ]  # fmt: skip


def check_records(
    spec: PartnerSpec, hub: Hub, validator: Validator, previous: Snapshot | None, body: bytes, media_type: str,
    config: Config, single: bool = False,
) -> Checked:  # fmt: skip
    """Read ``body`` through ``spec``'s mapping and validate what it gives; nothing is written.

    :param single: the body is one record (``PUT``): a JSON object stands for itself.
    :raises PushRefused: the body cannot be read at all.
    """
    fmt, syntax = feed_format(media_type)
    with tempfile.TemporaryDirectory(prefix="carrefour-push-") as scratch:
        folder = Path(scratch)
        path, unwrapped = _body_file(folder, body, single, fmt)
        feed = dict(spec.feed, format=fmt, source=str(path))
        if syntax:
            feed["rdf_format"] = syntax
        if unwrapped:
            feed["records"] = ""
        for option in ("pages", "follow", "query", "max_pages", "group_by", "page_size", "hosts"):
            feed.pop(option, None)
        try:
            reading = dataclasses.replace(spec, feed=feed)
            FeedSpec.from_table(feed)
        except CarrefourError as exc:
            raise PushRefused(f"the partner's mapping cannot read this format: {exc}") from exc
        salt = privacy_salt(config)
        mapper = RecordMapper(reading, hub, Minter(hub, spec.id, _registry(previous, hub, spec.id)), salt)
        result = PartnerHarvest(reading, started=datetime.now(UTC))
        try:
            triples = map_feed(reading, mapper, FetchSettings.from_config(config), folder / "cache", result)
        except CarrefourError as exc:
            raise PushRefused(f"the body cannot be read: {exc}") from exc
    records = group_by_record(triples)
    taxonomy = taxonomy_triples(spec, hub, mapper.categories_seen, mapper.concept_languages)
    context = list(taxonomy) + _linked(previous, hub, spec.id, triples, records)
    report = validator.validate(triples, extra_context=context)
    rejected = report.rejected_records()
    key_of = {t.subject.value: t.object.value for t in triples if t.predicate == hub.term("recordKey")}
    outcomes = {
        iri: Outcome(result.origins.get(iri, ""), "rejected" if iri in rejected else "accepted", iri, key_of.get(iri),
                     findings_of(report, iri))
        for iri in records
    }  # fmt: skip
    others = [_item_outcome(item) for item in result.items if item.record is None or item.record not in records]
    return Checked(records, report, outcomes, [o for o in others if o is not None], taxonomy)


def _item_outcome(item: ReportItem) -> Outcome | None:
    status = {"excluded": "excluded", "refused": "refused", "read-error": "unreadable"}.get(item.kind)
    if status is None:
        return None
    return Outcome(item.origin, status, item.record, findings=[{"severity": "Violation", "message_en": item.message,
                                                              "message_fr": item.message}])  # fmt: skip


def _linked(
    previous: Snapshot | None, hub: Hub, partner: str, triples: list[ox.Triple], records: dict[str, list[ox.Triple]]
) -> list[ox.Triple]:
    """The published records the pushed ones link to: validation needs their types."""
    if previous is None:
        return []
    targets = {
        t.object
        for t in triples
        if isinstance(t.object, ox.NamedNode) and t.object.value.split("#", 1)[0] not in records  # not their own parts
    }
    graph = hub.graph("partner", partner)
    found = []
    for target in targets:
        found += [ox.Triple(q.subject, q.predicate, q.object) for q in previous.quads(target, None, None, graph)]
    return found


@dataclass
class Published:
    version: str | None
    outcomes: list[Outcome]


def publish_push(
    store: Store, hub: Hub, spec: PartnerSpec, config: Config, validator: Validator, body: bytes, media_type: str,
    single_key: str | None = None,
) -> Published:  # fmt: skip
    """Check the pushed records, then publish the accepted ones as a new version.

    :param single_key: a ``PUT`` of the record with this key: the body must be that record alone.
    :raises PushRefused: the body cannot be read, or holds another record than the key names.
    :raises StoreBusy: another write session runs (the caller answers 503).
    """
    try:
        return _publish_push(store, hub, spec, config, validator, body, media_type, single_key)
    except _Unchanged as nothing:
        return nothing.args[0]  # type: ignore[no-any-return]


def _publish_push(
    store: Store, hub: Hub, spec: PartnerSpec, config: Config, validator: Validator, body: bytes, media_type: str,
    single_key: str | None,
) -> Published:  # fmt: skip
    with store.writer() as writer:
        checked = check_records(spec, hub, validator, writer.previous, body, media_type, config, single_key is not None)
        if single_key is not None:
            keys = {o.key for o in checked.outcomes.values()} | {None}
            salted = pseudonym(single_key, privacy_salt(config))
            if len(checked.outcomes) != 1 or not keys & {single_key, salted}:
                raise PushRefused(f"the body must be the record with key {single_key!r} alone")
        accepted = checked.accepted
        graph = hub.graph("partner", spec.id)
        published = {iri: list(group) for iri, group in group_by_record(writer.quads(None, None, None, graph)).items()
                     if iri in checked.records}  # fmt: skip
        changes = []
        for iri, triples in accepted.items():
            before = published.get(iri)
            if before is not None and record_hash(before) == record_hash(triples):
                checked.outcomes[iri].status = "unchanged"
                continue
            checked.outcomes[iri].status = "updated" if before is not None else "created"
            changes.append(RecordChange(iri, "Update" if before is not None else "Create", tuple(triples)))
        outcomes = [*checked.outcomes.values(), *checked.others]
        if not changes:
            raise _Unchanged(Published(None, outcomes))
        changed = {change.record for change in changes}
        _write(writer, hub, spec, config, changed, accepted, published, [], checked.taxonomy)
        followed = spec.id in known_sources(writer, hub)
        append_versions(writer, hub, {spec.id: changes if followed else _all_created(writer, graph)})
        carry_artifacts(writer, hub)
        version = writer.info.version
    return Published(version, outcomes)


def delete_pushed(store: Store, hub: Hub, spec: PartnerSpec, config: Config, key: str) -> Published:
    """Remove the partner's record with ``key`` as a new version (a removal, and a tombstone in the streams).

    :raises StoreBusy: another write session runs.
    """
    try:
        return _delete_pushed(store, hub, spec, config, key)
    except _Unchanged as nothing:
        return nothing.args[0]  # type: ignore[no-any-return]


def _delete_pushed(store: Store, hub: Hub, spec: PartnerSpec, config: Config, key: str) -> Published:
    with store.writer() as writer:
        registry = _registry(writer.previous, hub, spec.id)
        keys = {key, pseudonym(key, privacy_salt(config))}
        graph = hub.graph("partner", spec.id)
        published = group_by_record(writer.quads(None, None, None, graph))
        gone = sorted({iri for (_, found), iri in registry.items() if found in keys and iri in published})
        if not gone:
            raise _Unchanged(Published(None, [Outcome(key, "not-found", key=key)]))
        _write(writer, hub, spec, config, set(gone), {}, {iri: published[iri] for iri in gone}, gone, [])
        followed = spec.id in known_sources(writer, hub)
        changes = [RecordChange(iri, "Delete") for iri in gone] if followed else _all_created(writer, graph)
        append_versions(writer, hub, {spec.id: changes})
        carry_artifacts(writer, hub)
        return Published(writer.info.version, [Outcome(key, "removed", iri, key) for iri in gone])


def _all_created(writer: Writer, graph: ox.NamedNode) -> list[RecordChange]:
    """A partner the history does not follow yet: every record it now publishes is created."""
    return [RecordChange(iri, "Create", tuple(t)) for iri, t in group_by_record(writer.quads(graph=graph)).items()]


def _write(
    writer: Writer, hub: Hub, spec: PartnerSpec, config: Config, changed: set[str],
    accepted: dict[str, list[ox.Triple]], published: dict[str, list[ox.Triple]], removed: list[str],
    taxonomy: list[ox.Triple],
) -> None:  # fmt: skip
    """Amend the partner's graphs: its data, each changed record's provenance, removals, new categories."""
    graphs = Graphs(hub)
    now = datetime.now(UTC).replace(microsecond=0)
    old = [t for iri in changed for t in published.get(iri, [])]
    new = [t for iri in changed if iri in accepted for t in accepted[iri]]
    writer.amend_graph(graphs.partner_data(spec.id), new, old)
    provenance = graphs.partner_provenance(spec.id)
    times = previous_record_times(writer.previous, hub, spec.id)
    activity = activity_iri(hub, spec.id, now)
    stale = [q for iri in changed for q in writer.quads(ox.NamedNode(iri), None, None, provenance)]
    counts = HarvestCounts(len(changed), len(set(changed) - set(removed)), 0)
    fresh = activity_triples(hub, spec.id, now, now, None, counts)
    fresh = [t for t in fresh if t.subject == activity]  # the partner graph's own generation stays the harvest's
    fresh += record_provenance(hub, activity, now, {iri: "" for iri in changed if iri not in removed}, changed, times)
    writer.amend_graph(provenance, fresh, stale)
    if removed:
        keys = {iri: next((t.object.value for t in published[iri] if t.predicate == hub.term("recordKey")), "")
                for iri in removed}  # fmt: skip
        writer.amend_graph(graphs.changes, removal_triples(hub, spec.id, now, keys))
    categories = graphs.partner_taxonomy(spec.id)
    known = {ox.Triple(q.subject, q.predicate, q.object) for q in writer.quads(None, None, None, categories)}
    extra = [t for t in taxonomy if t not in known]
    if extra:
        writer.amend_graph(categories, extra)


def outcomes_json(outcomes: Iterable[Outcome]) -> list[dict[str, object]]:
    return [dataclasses.asdict(outcome) for outcome in outcomes]
