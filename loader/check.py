"""``carrefour check``: what the store publishes that it should not, and ``--repair``.

A store can hold what no command would write today: a copy of the hub minted under
another base URL (a command once run with the wrong BASE_URL), the graphs of a partner
whose configuration is gone, dumps that do not match the version they are published
with, folders of a write session that was killed.  The check finds them:

- IRIs under another base: a base is recognised by graph names (``{base}graph/…``) or by
  a copy of the hub's vocabulary minted under it (``{base}ontology#…``, as stores written
  before the vocabulary had its persistent namespace hold it);
  every subject, predicate, object and graph name under such a base is counted.
  Other IRIs outside the base are the open web the hub links to, and are left alone;
- graphs that no partner configuration, reference or curated file claims;
- dumps out of step with the published version: the manifest's version, each file's
  size and SHA-256, the files the version should have;
- what dead write sessions left (unpublished generations, their checkpoints).

``repair`` removes what no partner or curated file claims — the unclaimed graphs, the
statements that hold an IRI under another base — in one new version, whose dumps,
search index and statistics are rebuilt like any publication's; leftovers are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from carrefour.artifacts.build import build_artifacts
from carrefour.artifacts.dumps import MANIFEST, dumps_folder, file_sha256, manifest_files, plan_dumps, read_manifest
from carrefour.history.terms import history_graph
from carrefour.store.base import Snapshot, Store
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Graphs, Hub
from loader.initialise import CURATED
from loader.mapping.spec import PartnerSpec
from loader.reference import curated_source, reference_sources

_VOCABULARY = re.compile(r"^(https?://.+?/)ontology#")
_GRAPH_NAME = re.compile(r"^(https?://.+?/)graph/")
_TYPES = "SELECT DISTINCT ?class WHERE { GRAPH ?g { ?s a ?class } }"
_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Finding:
    kind: str  # foreign-iris, unclaimed-graph, dumps, leftover
    where: str  # a graph, a file or a folder
    message: str

    def __str__(self) -> str:
        return f"{self.kind:<16} {self.where}: {self.message}"


@dataclass
class CheckReport:
    """What the check found, and what a repair removes."""

    version: str
    base: str
    findings: list[Finding] = field(default_factory=list)
    unclaimed: list[ox.NamedNode] = field(default_factory=list)  # graphs to drop
    foreign: dict[ox.NamedNode, int] = field(default_factory=dict)  # claimed graph -> statements to drop
    foreign_bases: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def claimed_graphs(hub: Hub, specs: list[PartnerSpec]) -> set[ox.NamedNode]:
    """The graphs some file of the project or partner configuration gives their content."""
    graphs = Graphs(hub)
    claimed = {source.graph for source in reference_sources(graphs)} | {curated_source(graphs).graph}
    claimed |= {graphs.partners, graphs.links, graphs.changes, graphs.meta, history_graph(hub)}
    claimed.add(graphs.partner_report(CURATED))
    for spec in specs:
        claimed |= {
            graphs.partner_data(spec.id),
            graphs.partner_provenance(spec.id),
            graphs.partner_report(spec.id),
            graphs.partner_taxonomy(spec.id),
        }
    return claimed


def _vocabulary_names(hub: Hub) -> set[str]:
    """The local names of the hub's vocabulary (``Initiative``, ``recordKey``…), from its file."""
    source = next(source for source in reference_sources(Graphs(hub)) if source.graph == Graphs(hub).ontology)
    iris = {term.value for quad in source.parse(hub) for term in (quad.subject, quad.object)}
    return {iri[len(hub.ns) :] for iri in iris if iri.startswith(hub.ns)}


def foreign_bases(view: Snapshot, hub: Hub) -> list[str]:
    """Other base URLs that graph names, or the hub's own vocabulary, are found under.

    A vocabulary term counts when its local name is one of the hub's: another project's
    ``…/ontology#`` namespace the data links to is not a copy of the hub.
    """
    found = {match.group(1) for g in view.graphs() if (match := _GRAPH_NAME.match(g.value))}
    terms = [row["p"].value for row in view.select(_PREDICATES)]
    terms += [row["class"].value for row in view.select(_TYPES)]
    names = _vocabulary_names(hub)
    found |= {match.group(1) for term in terms if (match := _VOCABULARY.match(term)) and term[match.end() :] in names}
    return sorted(found - {hub.base, hub.vocabulary})  # the vocabulary's namespace is every instance's


class Bases:
    """The hub's base and the other bases found in the store: which one an IRI is under."""

    def __init__(self, hub: Hub, others: list[str]) -> None:
        self.base = hub.base
        self._longest = sorted([hub.base, *others], key=len, reverse=True)

    def owner(self, iri: str) -> str | None:
        """The longest base ``iri`` starts with (None: the open web)."""
        return next((base for base in self._longest if iri.startswith(base)), None)

    def foreign(self, quad: ox.Quad) -> bool:
        """Whether an IRI of the statement is under another base than the hub's."""
        return any(
            isinstance(term, ox.NamedNode) and self.owner(term.value) not in (None, self.base)
            for term in (quad.subject, quad.predicate, quad.object)
        )


def check_graphs(view: Snapshot, hub: Hub, specs: list[PartnerSpec], report: CheckReport) -> None:
    """Graphs nobody claims, and statements under another base in those claimed."""
    claimed = claimed_graphs(hub, specs)
    report.foreign_bases = foreign_bases(view, hub)
    bases = Bases(hub, report.foreign_bases)
    for graph in view.graphs():
        owner = bases.owner(graph.value)
        if graph not in claimed:
            report.unclaimed.append(graph)
            why = f"under {owner}, not {hub.base}" if owner not in (None, hub.base) else "no partner or file claims it"
            report.findings.append(Finding("unclaimed-graph", graph.value, f"{view.count(graph)} statements, {why}"))
        elif report.foreign_bases:
            count = sum(1 for quad in view.quads(graph=graph) if bases.foreign(quad))
            if count:
                report.foreign[graph] = count
                message = f"{count} statements with IRIs under {', '.join(report.foreign_bases)}"
                report.findings.append(Finding("foreign-iris", graph.value, message))


def check_dumps(view: Snapshot, hub: Hub) -> list[Finding]:
    """The published version's dumps against its manifest, and the manifest against the version.

    A machine without the version's artifacts (a remote store's web machine) has nothing to check.
    """
    if view.info.artifacts is None:
        return []
    folder, manifest = dumps_folder(view), read_manifest(view)
    if folder is None or manifest is None:
        return [Finding("dumps", str(view.info.artifacts), f"no {MANIFEST}: the version was published without dumps")]
    findings = []
    if manifest.get("version") != view.info.version:
        message = f"the manifest describes version {manifest.get('version')}, not {view.info.version}"
        findings.append(Finding("dumps", str(folder / MANIFEST), message))
    listed = {entry.file: entry for entry in manifest_files(manifest)}
    for plan in plan_dumps(view, hub):
        entry = listed.get(plan.file)
        if entry is None or entry.graph != plan.graph:
            message = f"the manifest has no dump of {plan.graph or 'the whole hub'} under this name"
            findings.append(Finding("dumps", str(folder / plan.file), message))
    for name, entry in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            findings.append(Finding("dumps", str(path), "listed in the manifest, missing"))
        elif path.stat().st_size != entry.size:
            findings.append(Finding("dumps", str(path), f"{path.stat().st_size} bytes, the manifest says {entry.size}"))
        elif file_sha256(path) != entry.sha256:
            findings.append(Finding("dumps", str(path), "its SHA-256 is not the manifest's"))
    return findings


def local_store(store: Store) -> EmbeddedStore | None:
    """The embedded store on this machine: the store itself, or a remote store's mirror."""
    if isinstance(store, EmbeddedStore):
        return store
    mirror = getattr(store, "mirror", None)
    return mirror if isinstance(mirror, EmbeddedStore) else None


def check(store: Store, hub: Hub, specs: list[PartnerSpec]) -> CheckReport:
    """Everything ``carrefour check`` reports, on the published version."""
    view = store.snapshot()
    report = CheckReport(view.info.version, hub.base)
    check_graphs(view, hub, specs, report)
    report.findings += check_dumps(view, hub)
    local = local_store(store)
    for path in local.leftovers() if local is not None else []:
        report.findings.append(Finding("leftover", str(path), "left by a write session that died"))
    return report


def repair(store: Store, hub: Hub, report: CheckReport) -> str | None:
    """Remove what ``report`` found in one new version (None when only leftovers needed removing).

    The session rebuilds the dumps, search index and statistics, as every publication does.
    """
    local = local_store(store)
    if local is not None:
        local.clean()
    if all(finding.kind == "leftover" for finding in report.findings):
        return None
    bases = Bases(hub, report.foreign_bases)
    with store.writer() as writer:
        for graph in report.unclaimed:
            writer.drop_graph(graph)
        for graph in report.foreign:
            writer.replace_graph(graph, [quad for quad in writer.quads(graph=graph) if not bases.foreign(quad)])
        build_artifacts(writer, hub)
        return writer.info.version
