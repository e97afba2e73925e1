"""Validation findings, whatever engine produced them, and their three renderings.

A finding names the record (the resource a partner published, without fragment),
the focus node, the path, the offending value, the rule (the shape's IRI) and its
messages in French and English.  Reports are written as JSON (for programs), as a
readable text table (for people) and as a W3C SHACL validation report graph (for
linked-data clients), from the same list.  A finding never quotes personal data: its
value and messages go through the privacy filter when it is made (a rejected record is
not published, but its report is).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, astuple, dataclass, field

import pyoxigraph as ox

from carrefour.vocab import RDF, SH
from loader.privacy import redact

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def record_of(iri: str) -> str:
    """The record a node belongs to: ``…/x#address`` belongs to ``…/x``."""
    return iri.split("#", 1)[0]


@dataclass(frozen=True, order=True)
class Finding:
    record: str
    focus: str
    path: str | None
    severity: str  # Violation, Warning or Info
    shape: str  # IRI of the property or node shape that failed
    component: str  # local name of the constraint component, e.g. MinCountConstraintComponent
    value: str | None = None
    message_fr: str = ""
    message_en: str = ""

    def __post_init__(self) -> None:
        for name in ("value", "message_fr", "message_en"):
            text = getattr(self, name)
            if text:
                object.__setattr__(self, name, redact(text).text)  # frozen: set once, as it is made

    def key(self) -> tuple[str, str | None, str, str]:
        """What two engines must agree on for the same data."""
        return (self.focus, self.path, self.severity, self.shape)

    def order(self) -> tuple[object, ...]:
        """A total order, ``None`` first (the dataclass order cannot compare a missing value with a present one)."""
        return tuple((value is not None, value or "") for value in astuple(self))


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def rejected_records(self) -> set[str]:
        """Records with at least one violation: these are not published."""
        return {f.record for f in self.violations}

    def sorted(self) -> list[Finding]:
        return sorted(
            self.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.record, f.shape, f.value or "")
        )

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.severity for f in self.findings))

    def to_json(self) -> list[dict[str, object]]:
        return [asdict(f) for f in self.sorted()]

    def to_text(self, language: str = "en", limit: int | None = None) -> str:
        """A human summary: one line per finding, grouped by severity."""
        counts = self.counts()
        verdict = "Conforme / Conforms" if self.conforms else "Non conforme / Does not conform"
        lines = [
            f"{verdict}: {counts.get('Violation', 0)} violation(s), "
            f"{counts.get('Warning', 0)} warning(s), {counts.get('Info', 0)} info"
        ]
        findings = self.sorted()
        for finding in findings[:limit] if limit else findings:
            message = finding.message_fr if language == "fr" else finding.message_en
            rule = finding.shape.rsplit("#", 1)[-1]
            where = f" {_short(finding.path)}" if finding.path else ""
            value = f" = {finding.value[:80]!r}" if finding.value is not None else ""
            lines.append(f"[{finding.severity}] {finding.focus}{where}{value} — {rule}: {message}")
        if limit and len(findings) > limit:
            lines.append(f"… and {len(findings) - limit} more")
        return "\n".join(lines)

    def to_rdf(self, report_iri: str, first: int = 1) -> list[ox.Triple]:
        """The findings as a W3C SHACL validation report (``sh:ValidationReport``).

        :param first: number of the first result (``{report_iri}#result-{n}``), results being listed in that order.
        """
        report = ox.NamedNode(report_iri)
        triples = [
            ox.Triple(report, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationReport")),
            ox.Triple(report, ox.NamedNode(SH + "conforms"), ox.Literal(self.conforms)),
        ]
        for number, finding in enumerate(self.sorted(), start=first):
            result = ox.NamedNode(f"{report_iri}#result-{number}")
            triples += [
                ox.Triple(report, ox.NamedNode(SH + "result"), result),
                ox.Triple(result, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationResult")),
                ox.Triple(result, ox.NamedNode(SH + "focusNode"), ox.NamedNode(finding.focus)),
                ox.Triple(result, ox.NamedNode(SH + "resultSeverity"), ox.NamedNode(SH + finding.severity)),
                ox.Triple(result, ox.NamedNode(SH + "sourceShape"), ox.NamedNode(finding.shape)),
                ox.Triple(result, ox.NamedNode(SH + "sourceConstraintComponent"), ox.NamedNode(SH + finding.component)),
            ]
            if finding.path and not finding.path.startswith("("):
                triples.append(ox.Triple(result, ox.NamedNode(SH + "resultPath"), ox.NamedNode(finding.path)))
            if finding.value is not None:
                triples.append(ox.Triple(result, ox.NamedNode(SH + "value"), ox.Literal(finding.value)))
            for text, language in ((finding.message_fr, "fr"), (finding.message_en, "en")):
                if text:
                    triples.append(
                        ox.Triple(result, ox.NamedNode(SH + "resultMessage"), ox.Literal(text, language=language))
                    )
        return triples

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1)


def _short(path: str) -> str:
    for prefix, namespace in (("schema:", "http://schema.org/"), ("geo:", "http://www.w3.org/2003/01/geo/wgs84_pos#")):
        path = path.replace(namespace, prefix)
    return path.rsplit("#", 1)[-1] if path.startswith("http") else path
