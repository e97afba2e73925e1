"""What a harvest tells its operators and partners: files, a table, a readable summary.

Each partner's harvest leaves a folder ``var/harvest/{partner}/{time}/`` with
``report.json`` (for programs), ``report.txt`` (for people: partner, record, field,
rule, message) and ``records.nq`` (what was published), and ``latest`` points to it.
Reports are read by partners and may be shared: personal data found in a feed is
reported by its field and the rule that found it, and every text a report quotes
(messages, origins, values) goes through the privacy filter first.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

from carrefour.artifacts.dumps import write_nquads
from carrefour.hardlinks import link_or_copy
from carrefour.memory import collection_paused
from carrefour.vocab import Hub
from loader.harvest import PartnerHarvest, ReportItem
from loader.privacy import redact
from loader.record_spans import RecordSpans, copy_records, save_spans, scan_spans, spans_of
from loader.validation import Report

COLUMNS = ("read", "loaded", "unchanged", "updated", "removed", "rejected", "warnings")
KEEP_REPORTS = 10


def _public(text: str) -> str:
    return redact(text).text


def _problem(item: ReportItem) -> dict[str, object]:
    problem: dict[str, object] = {
        "origin": _public(item.origin),
        "kind": item.kind,
        "message": _public(item.message),
        "record": item.record,
    }
    if item.kind == "privacy":
        problem.update(field=item.field, rule=item.rule)
    if item.kind == "damaged-text":
        problem.update(field=item.field)
    return problem


def report_document(result: PartnerHarvest) -> dict[str, object]:
    return {
        "partner": result.spec.id,
        "name": result.spec.name,
        "started": result.started.isoformat(),
        "ended": result.ended.isoformat() if result.ended else None,
        "error": _public(result.error) if result.error else None,
        "counts": result.counts(),
        "rejected_records": sorted(result.rejected),
        "findings": result.report.to_json(),
        "problems": [_problem(i) for i in result.items],
    }


def report_text(result: PartnerHarvest, language: str = "en") -> str:
    counts = result.counts()
    lines = [f"Partner {result.spec.id} — {result.spec.name}", f"Harvest {result.started.isoformat()}"]
    if result.error:
        lines += [f"FAILED: {_public(result.error)}", "The previously published data of this partner is unchanged."]
        return "\n".join(lines) + "\n"
    lines.append(", ".join(f"{name} {counts[name]}" for name in COLUMNS))
    problems = [i for i in result.items if i.kind in ("read-error", "refused", "excluded", "dangling-link")]
    if problems:
        lines.append("")
        lines.append("Records not published (read errors, failed checks, personal data):")
        lines += [f"  [{i.kind}] {_public(i.origin)}: {_public(i.message)}" for i in problems]
    if result.report.findings:
        lines.append("")
        lines.append("Validation (SHACL): rejected records have violations; warnings are published.")
        lines += rule_summary(result.report, language)
        lines.append("")
        for finding in result.report.sorted():
            origin = _public(result.origins.get(finding.record, ""))
            message = finding.message_fr if language == "fr" else finding.message_en
            where = f" {finding.path}" if finding.path else ""
            value = f" = {finding.value[:80]!r}" if finding.value is not None else ""
            rule = finding.shape.rsplit("#", 1)[-1]
            lines.append(f"  [{finding.severity}] {origin} {finding.focus}{where}{value} — {rule}: {message}")
    skipped = [i for i in result.items if i.kind == "skipped"]
    if skipped:
        lines.append("")
        lines.append("Left out on purpose or gone (robots.txt, other hosts, pages gone):")
        lines += [f"  {_public(i.origin)}: {_public(i.message)}" for i in skipped]
    notes = [i for i in result.items if i.kind == "note"]
    if notes:
        lines.append("")
        lines.append(f"Values left out while mapping ({len(notes)}):")
        lines += [f"  {_public(i.origin)}: {_public(i.message)}" for i in notes]
    damaged = [i for i in result.items if i.kind == "damaged-text"]
    if damaged:
        lines.append("")
        lines.append(f"Text damaged before it reached the hub (field; values are never shown) ({len(damaged)}):")
        lines += [f"  {_public(i.origin)}: {i.message}" for i in damaged]
    personal = [i for i in result.items if i.kind == "privacy"]
    if personal:
        lines.append("")
        lines.append(f"Personal data kept out (field, rule; values are never shown) ({len(personal)}):")
        lines += [f"  {_public(i.origin)}: {i.message}" for i in personal]
    return "\n".join(lines) + "\n"


def rule_summary(report: Report, language: str = "en") -> list[str]:
    """One line per rule that fired, most frequent first: what to fix, before the list of where."""
    counts = Counter((f.severity, f.shape) for f in report.findings)
    messages = {(f.severity, f.shape): f.message_fr if language == "fr" else f.message_en for f in report.findings}
    return [
        f"  {count:>6} × [{severity}] {shape.rsplit('#', 1)[-1]}: {messages[(severity, shape)]}"
        for (severity, shape), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def curated_report_text(report: Report, published: datetime) -> str:
    """The curated data's report for people: the rules that fired, then each finding."""
    lines = ["Curated data (data/curated/) — published with `carrefour init`", f"Validated {published.isoformat()}"]
    lines.append(f"violations {len(report.violations)}, warnings {len(report.warnings)}")
    if report.findings:
        lines += ["", "Rules that fired (warnings are published; a violation stops the publication):"]
        lines += rule_summary(report)
        lines += ["", *report.to_text().splitlines()[1:]]
    return "\n".join(lines) + "\n"


def write_curated_report(report: Report, published: datetime, harvest_dir: Path) -> Path:
    """Write the curated data's report where `carrefour report curated` reads it."""
    document = {
        "partner": "curated",
        "name": "curated data",
        "started": published.isoformat(),
        "ended": published.isoformat(),
        "error": None,
        "counts": {"violations": len(report.violations), "warnings": len(report.warnings)},
        "rejected_records": [],
        "findings": report.to_json(),
        "problems": [],
    }
    files = {"report.json": json.dumps(document, ensure_ascii=False, indent=1)}
    files["report.txt"] = curated_report_text(report, published)
    return _write_folder(harvest_dir / "curated", published, files)


def write_report_files(result: PartnerHarvest, harvest_dir: Path, hub: Hub) -> Path:
    """Write the partner's report folder and point ``latest`` at it."""
    files = {
        "report.json": json.dumps(report_document(result), ensure_ascii=False, indent=1),
        "report.txt": report_text(result),
    }
    folder = _write_folder(harvest_dir / result.spec.id, result.started, files)
    if result.ok:
        write_records(result, hub, folder / "records.nq")
    return folder


def write_records(result: PartnerHarvest, hub: Hub, path: Path) -> None:
    """What the harvest published, as N-Quads: the records it mapped, and those it left as published
    (loader.record_memo) copied from the previous harvest's file.

    Written aside and renamed into place: a file is never written again once there (a harvest that mapped nothing
    links the previous one, where copying 240 MiB took 0.5 to 2 s of an unchanged re-harvest at 40,000 records).
    """
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with collection_paused():  # the spans of 40,000 records: 0.6 s of scans by the cyclic collector, else
            spans = _write_records(result, hub, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    save_spans(path, spans)


def _write_records(result: PartnerHarvest, hub: Hub, path: Path) -> RecordSpans:
    """The file, and the spans of its records (``loader.record_spans``)."""
    graph = hub.graph("partner", result.spec.id)
    if result.previous_records is None:
        write_nquads(result.content, graph, path)
        with open(path, "rb") as written:
            return scan_spans(written)
    previous = result.previous_records
    left = {iri for iri in result.diff.unchanged if iri not in result.records}
    # every record of the previous file is left as it was (none updated, removed or mapped again): copied whole
    whole = len(left) == len(result.diff.unchanged) and not (result.diff.updated or result.diff.removed)
    spans = spans_of(previous)
    if whole and not result.content:
        link_or_copy(str(previous), str(path))
        return spans
    mapped = path.with_name(f"{path.name}.mapped")
    try:
        write_nquads(result.content, graph, mapped)
        if whole:  # copied by the kernel, not read and written again by this process
            shutil.copyfile(previous, path)
        with open(path, "ab" if whole else "wb") as output:
            if not whole:
                spans = copy_records(previous, spans, left, output)
            with open(mapped, "rb") as fresh:
                spans.update(scan_spans(fresh, output.tell()))
                fresh.seek(0)
                shutil.copyfileobj(fresh, output)
    finally:
        mapped.unlink(missing_ok=True)
    return spans


def _write_folder(partner_dir: Path, started: datetime, files: dict[str, str]) -> Path:
    """A new report folder holding ``files``, ``latest`` pointing at it, the oldest folders gone."""
    folder = partner_dir / started.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    latest = partner_dir / "latest"
    temporary = partner_dir / ".latest"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(folder.name)
    os.replace(temporary, latest)
    reports = sorted(p for p in partner_dir.iterdir() if p.is_dir() and not p.is_symlink() and p.name != "cache")
    for old in reports[:-KEEP_REPORTS]:
        for child in old.iterdir():
            child.unlink()
        old.rmdir()
    return folder
