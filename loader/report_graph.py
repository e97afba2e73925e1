"""The validation report graph a harvest publishes (``graph/report/{partner}``), read on the web.

It says what ``carrefour report PARTNER`` says: the SHACL findings, and before them
the records the harvest left out for another reason (a row that could not be read, a
record rule that refused it, personal data), so the web report and the command list
the same rejected records, and the text published damaged (warnings).  Those have no
IRI of their own in the report: their focus node is their place in the feed (``line
28``), a literal, as SHACL allows.  The report names its partner and the harvest that
made it, so the partner's page and the harvest's page link to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from carrefour.vocab import PROV, RDF, RDFS, SH, XSD, Hub
from loader.privacy import redact
from loader.validation import Report

if TYPE_CHECKING:
    from loader.harvest import PartnerHarvest, ReportItem

NOT_PUBLISHED = ("read-error", "refused", "excluded", "dangling-link")  # as `carrefour report` lists them
FLAGGED = ("damaged-text",)  # published, with a warning
CONFORMS = ox.NamedNode(SH + "conforms")
TITLES = {"fr": "Rapport de validation : {name}", "en": "Validation report: {name}"}


def _severity(item: ReportItem) -> str:
    """A record left out is a violation; a page that failed or damaged text a warning; what was kept out on
    purpose, information."""
    if item.kind == "refused" or item.lost_record:
        return "Violation"
    return "Warning" if item.kind in ("read-error", *FLAGGED) else "Info"


def _problem_results(report: ox.NamedNode, items: Iterable[ReportItem]) -> list[ox.Triple]:
    triples = []
    for number, item in enumerate(items, start=1):
        result = ox.NamedNode(f"{report.value}#result-{number}")
        triples += [
            ox.Triple(report, ox.NamedNode(SH + "result"), result),
            ox.Triple(result, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationResult")),
            ox.Triple(result, ox.NamedNode(SH + "focusNode"), ox.Literal(redact(item.origin).text)),
            ox.Triple(result, ox.NamedNode(SH + "resultSeverity"), ox.NamedNode(SH + _severity(item))),
            ox.Triple(result, ox.NamedNode(SH + "resultMessage"), ox.Literal(redact(item.message).text, language="en")),
        ]
    return triples


def report_triples(
    report_iri: str, report: Report, names: dict[str, str], generated: datetime, items: list[ReportItem] | None = None
) -> list[ox.Triple]:
    """The report on the data of ``names`` (per language): the items left out or flagged first, then the findings.

    It conforms when nothing was left out and no finding is a violation.
    """
    node = ox.NamedNode(report_iri)
    listed = [item for item in items or [] if item.kind in (*NOT_PUBLISHED, *FLAGGED)]
    triples = [t for t in report.to_rdf(report_iri, first=len(listed) + 1) if t.predicate != CONFORMS]
    rejected = any(_severity(item) == "Violation" for item in listed)
    triples.append(ox.Triple(node, CONFORMS, ox.Literal(report.conforms and not rejected)))
    triples += _problem_results(node, listed)
    stamp = generated.isoformat().replace("+00:00", "Z")
    triples.append(ox.Triple(node, ox.NamedNode(PROV + "generatedAtTime"), ox.Literal(stamp, datatype=_DATETIME)))
    triples += [
        ox.Triple(node, ox.NamedNode(RDFS + "label"), ox.Literal(title.format(name=names[lang]), language=lang))
        for lang, title in TITLES.items()
    ]
    return triples


def partner_report_triples(result: PartnerHarvest, hub: Hub, activity: ox.NamedNode) -> list[ox.Triple]:
    """The report graph of one partner's harvest, linked to its partner and to the harvest."""
    report_iri = hub.iri("report", result.spec.id)
    node = ox.NamedNode(report_iri)
    generated = result.ended or result.started
    return [
        *report_triples(report_iri, result.report, dict.fromkeys(TITLES, result.spec.name), generated, result.items),
        ox.Triple(node, hub.term("partner"), hub.partner(result.spec.id)),
        ox.Triple(node, ox.NamedNode(PROV + "wasGeneratedBy"), activity),
    ]


_DATETIME = ox.NamedNode(XSD + "dateTime")
