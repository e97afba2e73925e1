"""The reference engine: pySHACL over an rdflib graph.

It implements all of SHACL and is the yardstick the fast engine is compared with
on every fixture; it is too slow for whole harvests (see bench/validation.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery

from carrefour.vocab import SH
from loader.validation.dataset import ValidationDataset
from loader.validation.report import Finding, record_of
from loader.validation.terms import TermCache

_SH = rdflib.Namespace(SH)


class ParsedOnce(rdflib.Graph):
    """A graph that parses each SPARQL text once.

    pySHACL sends a SPARQL constraint's text for every focus node, only ``$this``
    changing (as a binding); rdflib would parse it every time (0.17 s for the SIRET
    check, hours for a large harvest).  The parsed query is the same each time, and is
    evaluated with the same bindings and namespaces, so the results are unchanged.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if isinstance(query_object, str) and kwargs.get("initNs") is None:
            parsed = self._parsed.get(query_object)
            if parsed is None:
                parsed = self._parsed[query_object] = prepareQuery(query_object, initNs=dict(self.namespaces()))
            query_object = parsed
        return super().query(query_object, *args, **kwargs)


def to_rdflib(quads: Iterable[ox.Quad | ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Copy triples into an rdflib graph, graph names dropped, lexical forms kept."""
    graph = graph if graph is not None else rdflib.Graph()
    convert = TermCache()
    graph.addN((convert(q.subject), convert(q.predicate), convert(q.object), graph) for q in quads)
    return graph


def path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """A SHACL path as text: an IRI, ``(a b)`` for a sequence, ``^p`` for an inverse."""
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inverse = graph.value(path, _SH.inversePath)
    if inverse is not None:
        return f"^{path_text(graph, inverse)}"
    if graph.value(path, rdflib.RDF.first) is not None:
        return "(" + " ".join(path_text(graph, p) or "" for p in Collection(graph, path)) + ")"
    return str(path)


def _message(report: rdflib.Graph, shapes: rdflib.Graph, result: rdflib.term.Node, language: str) -> str:
    """The result's message in ``language``.

    pySHACL drops the language of the messages it fills in (SHACL-SPARQL results), so
    a message without language is matched back to a template in that language: the
    shape's message, or else one of its SPARQL constraints' messages.
    """
    messages = [m for m in report.objects(result, _SH.resultMessage) if isinstance(m, rdflib.Literal)]
    tagged = sorted(str(m) for m in messages if m.language == language)
    if tagged:
        return tagged[0]
    plain = sorted(str(m) for m in messages if m.language is None)
    shape = report.value(result, _SH.sourceShape)
    constraints = list(shapes.objects(shape, _SH.sparql))
    for sources in ([shape], constraints):
        templates = sorted(
            str(m)
            for source in sources
            for m in shapes.objects(source, _SH.message)
            if isinstance(m, rdflib.Literal) and m.language == language
        )
        if templates:
            for template in templates:
                pattern = ".*".join(re.escape(part) for part in re.split(r"\{[?$]\w+\}", template))
                found = next((text for text in plain if re.fullmatch(pattern, text, re.DOTALL)), None)
                if found is not None:
                    return found
            return ""
    return ""


def validate_with_pyshacl(dataset: ValidationDataset, shapes: Iterable[ox.Quad | ox.Triple]) -> list[Finding]:
    """Validate the dataset's records (its context is there to be looked up, not judged).

    The whole graph is validated and only the records' findings kept.  pySHACL's own
    ``focus_nodes`` option would be quicker but is wrong: it also filters the value
    nodes that ``sh:or`` members are checked on, so every ``sh:or`` silently passes.
    """
    subjects = {node.value for node in dataset.record_subjects()}
    data_graph = to_rdflib(dataset.store, ParsedOnce())
    shapes_graph = to_rdflib(shapes)
    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, allow_warnings=True, allow_infos=True)
    return findings_from_report(report, shapes_graph, subjects)


def findings_from_report(report: rdflib.Graph, shapes_graph: rdflib.Graph, subjects: set[str]) -> list[Finding]:
    """The results of a pySHACL report about the given focus nodes, as findings."""
    findings = []
    for result in report.subjects(rdflib.RDF.type, _SH.ValidationResult):
        focus = report.value(result, _SH.focusNode)
        if not isinstance(focus, rdflib.URIRef) or str(focus) not in subjects:
            continue
        value = report.value(result, _SH.value)
        shape = report.value(result, _SH.sourceShape)
        component = str(report.value(result, _SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        findings.append(
            Finding(
                record=record_of(str(focus)),
                focus=str(focus),
                path=path_text(report, report.value(result, _SH.resultPath)),
                severity=str(report.value(result, _SH.resultSeverity)).rsplit("#", 1)[-1],
                shape=str(shape),
                component=component,
                value=None if value is None else str(value),
                message_fr=_message(report, shapes_graph, result, "fr"),
                message_en=_message(report, shapes_graph, result, "en"),
            )
        )
    return sorted(findings, key=Finding.order)
