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
from pathlib import Path

from carrefour.artifacts.dumps import write_nquads
from carrefour.vocab import Hub
from loader.harvest import PartnerHarvest, ReportItem
from loader.privacy import redact

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
    personal = [i for i in result.items if i.kind == "privacy"]
    if personal:
        lines.append("")
        lines.append(f"Personal data kept out (field, rule; values are never shown) ({len(personal)}):")
        lines += [f"  {_public(i.origin)}: {i.message}" for i in personal]
    return "\n".join(lines) + "\n"


def write_report_files(result: PartnerHarvest, harvest_dir: Path, hub: Hub) -> Path:
    """Write the partner's report folder and point ``latest`` at it."""
    partner_dir = harvest_dir / result.spec.id
    folder = partner_dir / result.started.strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report_document(result), ensure_ascii=False, indent=1), "utf-8")
    (folder / "report.txt").write_text(report_text(result), encoding="utf-8")
    if result.ok:
        write_nquads(result.content, hub.graph("partner", result.spec.id), folder / "records.nq")
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
