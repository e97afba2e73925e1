"""``carrefour init``: publish the vocabulary, the reference data and the curated dataset.

Partner graphs already published are kept: the write session starts from the
current version, and only the hub's own graphs are replaced.  The curated data's
validation report is published beside it (``report/curated``), like a partner's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts
from carrefour.errors import CarrefourError
from carrefour.history.terms import history_graph
from carrefour.store.base import Store
from carrefour.vocab import Graphs, Hub
from loader.geo import commune_triples, pointed_communes, referenced_commune_codes
from loader.history import publish_versions
from loader.reference import curated_source, reference_sources
from loader.report_graph import report_triples
from loader.validation import Report, Validator

CURATED = "curated"  # names the curated data's report: report/curated, in graph/report/curated
CURATED_NAMES = {"fr": "données éditées par le hub", "en": "the hub's curated data"}


class CuratedDataInvalid(CarrefourError):
    """The curated dataset breaks the shapes: nothing was published."""

    exit_code = 1

    def __init__(self, report: Report) -> None:
        super().__init__(f"the curated data does not conform: {len(report.violations)} violation(s)")
        self.report = report


@dataclass
class InitResult:
    version: str
    graphs: dict[str, int]
    report: Report
    published: datetime


def initialise(store: Store, hub: Hub, validator: Validator) -> InitResult:
    """Validate the curated data, then publish it with the vocabulary and reference graphs.

    :raises CuratedDataInvalid: the curated data has violations (nothing is published).
    """
    graphs = Graphs(hub)
    curated = curated_source(graphs)
    curated_quads = curated.parse(hub)
    report = validator.validate(curated_quads)
    if not report.conforms:
        raise CuratedDataInvalid(report)
    counts: dict[str, int] = {}
    with store.writer() as writer:
        for source in reference_sources(graphs):
            quads = source.parse(hub)
            if source.graph == graphs.territories:
                codes = referenced_commune_codes(hub, curated_quads) | _published_communes(writer, hub)
                quads += [ox.Quad(t.subject, t.predicate, t.object) for t in commune_triples(hub, codes)]
            writer.replace_graph(source.graph, quads)
            counts[source.graph.value] = len(quads)
        writer.replace_graph(graphs.curated, curated_quads)
        counts[graphs.curated.value] = len(curated_quads)
        publish_versions(writer, hub, [graphs.curated])
        counts[history_graph(hub).value] = writer.count(history_graph(hub))
        published = datetime.now(UTC).replace(microsecond=0)
        report_graph = report_triples(hub.iri("report", CURATED), report, CURATED_NAMES, published)
        writer.replace_graph(graphs.partner_report(CURATED), report_graph)
        counts[graphs.partner_report(CURATED).value] = len(report_graph)
        build_artifacts(writer, hub)
        version = writer.info.version
    return InitResult(version, counts, report, published)


def _published_communes(writer: object, hub: Hub) -> set[str]:
    """Communes the partner graphs already point to, so a re-init keeps describing them."""
    previous = getattr(writer, "previous", None)
    if previous is None:
        return set()
    return pointed_communes(previous, hub)
