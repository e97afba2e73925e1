"""A validation report as its reader needs it: the verdict, the rules that fired, one page of results.

A report can hold thousands of results (the curated data's warnings, a partner's
whole feed missing a field): the rules that fired come first, counted, so the reader
sees what to fix before where.  A result's focus is linked only when the hub
publishes it: a rejected record was never published, and a record the harvest could
not read has no IRI at all (its focus is its place in the feed, ``line 28``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from carrefour.vocab import SH
from server.describe import TYPE, record_of
from server.i18n import translate
from server.vocabulary import pick

if TYPE_CHECKING:
    from server.page_model import PageBuilder, Value

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY = ox.NamedNode(SH + "resultSeverity")
_SHAPE = ox.NamedNode(SH + "sourceShape")
_MESSAGE = ox.NamedNode(SH + "resultMessage")
_CONFORMS = ox.NamedNode(SH + "conforms")


@dataclass
class ResultRow:
    severity: str
    focus: Value
    path: str
    value: str
    message: str
    rule: Value


@dataclass
class RuleCount:
    severity: str
    rule: Value  # empty text: the harvest's own checks (reading the feed, the partner's record rules)
    count: int
    message: str


@dataclass
class ReportView:
    conforms: bool | None
    severities: dict[str, int] = field(default_factory=dict)
    rules: list[RuleCount] = field(default_factory=list)
    rows: list[ResultRow] = field(default_factory=list)


def _severity(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return term.value.removeprefix(SH) if term is not None else "Violation"


def report_view(builder: PageBuilder) -> ReportView:
    """The report of ``builder``'s description: verdict, counts by severity and by rule, this page's rows."""
    main = builder.description.iri
    conforms = [q.object for q in builder.description.own if q.subject == main and q.predicate == _CONFORMS]
    view = ReportView(conforms[0].value == "true" if conforms else None)
    graphs = {q.graph_name for q in builder.description.own if q.subject == main}
    for graph in graphs:
        if isinstance(graph, ox.NamedNode):
            _count(builder, graph, view)
    view.rows = _rows(builder)
    return view


def _count(builder: PageBuilder, graph: ox.NamedNode, view: ReportView) -> None:
    """Counts by severity and by rule over every result of the report (three scans of its graph)."""
    snapshot = builder.snapshot
    severities = {q.subject: _severity(q.object) for q in snapshot.quads(None, _SEVERITY, None, graph)}
    shapes = {q.subject: q.object.value for q in snapshot.quads(None, _SHAPE, None, graph)}
    messages: dict[tuple[str, str], dict[str, str]] = {}
    rules: Counter[tuple[str, str]] = Counter()
    for result, severity in severities.items():
        rules[(severity, shapes.get(result, ""))] += 1
    wanted = set(rules)
    for quad in snapshot.quads(None, _MESSAGE, None, graph):
        key = (severities.get(quad.subject, "Violation"), shapes.get(quad.subject, ""))
        if key in wanted and isinstance(quad.object, ox.Literal):
            messages.setdefault(key, {}).setdefault(quad.object.language or "", quad.object.value)
    view.severities = dict(Counter(severities.values()))
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    for (severity, shape), count in sorted(rules.items(), key=lambda i: (order.get(i[0][0], 3), -i[1], i[0][1])):
        rule = builder.rule(shape) if shape else _own_checks(builder)
        view.rules.append(
            RuleCount(severity, rule, count, pick(messages.get((severity, shape), {}), builder.lang) or "")
        )


def _own_checks(builder: PageBuilder) -> Value:
    return builder.value(ox.Literal(translate(builder.lang, "report_harvest_checks")))


def _rows(builder: PageBuilder) -> list[ResultRow]:
    """This page's results, their focus linked when the hub publishes it."""
    collection = builder.description.collection
    if collection is None:
        return []
    fields_of = {m.record.value: _fields(builder, m.record.value) for m in collection.members}
    focus_nodes = [f[0] for f in (fields.get("focusNode", []) for fields in fields_of.values()) if f]
    records = list({record_of(node) for node in focus_nodes if isinstance(node, ox.NamedNode)})
    published = {quad.subject for quad in builder.snapshot.lookup(records, [TYPE])}
    rows = []
    for fields in fields_of.values():
        messages = {t.language or "": t.value for t in fields.get("resultMessage", []) if isinstance(t, ox.Literal)}
        focus = fields.get("focusNode", [])
        path = fields.get("resultPath", [])
        shape = fields.get("sourceShape", [])
        rows.append(
            ResultRow(
                severity=_severity((fields.get("resultSeverity") or [None])[0]),
                focus=_focus(builder, focus[0], published) if focus else builder.value(ox.Literal("")),
                path=builder.value(path[0]).text if path else "",
                value=" ".join(t.value for t in fields.get("value", [])),
                message=pick(messages, builder.lang) or "",
                rule=builder.rule(shape[0].value) if shape else _own_checks(builder),
            )
        )
    return rows


def _fields(builder: PageBuilder, result: str) -> dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]:
    fields: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for quad in builder.quads_of(result):
        fields.setdefault(quad.predicate.value.removeprefix(SH), []).append(quad.object)
    return fields


def _focus(builder: PageBuilder, node: ox.NamedNode | ox.BlankNode | ox.Literal, published: set[ox.NamedNode]) -> Value:
    """A published resource as a link; anything else as text, said not to be published."""
    if isinstance(node, ox.NamedNode) and record_of(node) in published:
        return builder.value(node)
    shown = builder.value(node)
    shown.href = None
    shown.note = translate(builder.lang, "not_published")
    return shown
