"""The W3C SPARQL 1.0 and 1.1 test suites' queries, read from their manifests (data/w3c-sparql-tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

SUITE = Path(__file__).parent / "data" / "w3c-sparql-tests"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass(frozen=True)
class SuiteQuery:
    kind: str  # the manifest's test type: PositiveSyntaxTest11, QueryEvaluationTest…
    path: Path

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SUITE))

    @property
    def negative(self) -> bool:
        return self.kind.startswith("Negative")

    @property
    def update(self) -> bool:
        return "Update" in self.kind or self.path.suffix == ".ru"

    @property
    def base(self) -> str:
        return self.path.as_uri()

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def suite_queries() -> list[SuiteQuery]:
    """Every query and update file the manifests name, with what the suite says it is."""
    found: set[SuiteQuery] = set()
    for manifest in SUITE.rglob("manifest*.ttl"):
        graph = rdflib.Graph()
        graph.parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
        for test, kind in graph.subject_objects(RDF.type):
            action = graph.value(test, MF.action)
            if action is None:
                continue
            target = action if isinstance(action, rdflib.URIRef) else graph.value(action, QT.query)
            target = target or graph.value(action, UT.request)
            if target is None or not str(target).startswith("file:"):
                continue
            path = Path(str(target).removeprefix("file://"))
            if path.suffix in (".rq", ".ru") and path.exists():
                found.add(SuiteQuery(str(kind).rsplit("#", 1)[1], path))
    return sorted(found, key=lambda q: (q.name, q.kind))
