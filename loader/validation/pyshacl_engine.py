"""The reference engine: pySHACL over an rdflib graph.

It implements all of SHACL and is the yardstick the fast engine is compared with
on every fixture; it is too slow for whole harvests (see bench/).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.collection import Collection

from carrefour.vocab import SH
from loader.validation.report import Finding, record_of

_SH = rdflib.Namespace(SH)


def to_rdflib(quads: Iterable[ox.Quad | ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, losslessly)."""
    graph = graph if graph is not None else rdflib.Graph()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
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


def _message(graph: rdflib.Graph, result: rdflib.term.Node, language: str) -> str:
    for message in graph.objects(result, _SH.resultMessage):
        if isinstance(message, rdflib.Literal) and message.language == language:
            return str(message)
    return ""


def validate_with_pyshacl(
    data: Iterable[ox.Quad | ox.Triple],
    shapes: Iterable[ox.Quad | ox.Triple],
    context: Iterable[ox.Quad | ox.Triple] = (),
) -> list[Finding]:
    """Validate ``data`` (with ``context`` for class and concept lookups) against ``shapes``.

    Only findings whose focus node is a subject of ``data`` are returned: the context
    (vocabulary, concept schemes) is there to be looked up, not to be judged.
    """
    data = list(data)
    subjects = {q.subject.value for q in data if isinstance(q.subject, ox.NamedNode)}
    data_graph = to_rdflib(context, to_rdflib(data))
    shapes_graph = to_rdflib(shapes)
    _, report, _ = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        focus_nodes=sorted(subjects),  # judge the data only, not its context
    )
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
                message_fr=_message(report, result, "fr"),
                message_en=_message(report, result, "en"),
            )
        )
    return sorted(findings)
