"""What the hub says about one resource, as data every representation is made from.

A description holds:

- the resource's own statements, from every graph that says them, with those of its
  fragment nodes (``…#address``, ``…#funding-1``);
- the labels of the hub's resources it links to, and the name and licence of the
  partners that said it;
- ``prov:wasAttributedTo`` each partner whose graph says it (partner data and taxonomy
  graphs; the record's times and harvest are in its own statements, from the
  partner's provenance graph);
- one page of the resources that point to it (an actor's initiatives, a theme's or a
  region's, a partner's records), as a Hydra collection with a partial view
  (first, previous, next, last); for a validation report, one page of its results.
  A record's versions are not among them: its TimeMap lists them (``Link``, RFC 7089),
  and a list that grew by one version a harvest would push the record's referrers
  away and cost every page of it.

A named graph is described by its size, partner, licence and dumps
(:mod:`server.graph_description`); a record its partner removed, by its removals
(:mod:`server.removals`, answered 410 Gone).

Two documents are described whole: ``ontology`` (whose terms are ``ontology#Term``)
and ``shapes``.  Everything is read through the store seam by pattern lookups, the
fastest path on the embedded store; what a page needs is asked at once
(``Snapshot.neighbourhood``), which a remote store answers in one request.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from carrefour.errors import NotFound
from carrefour.history.terms import history_graph
from carrefour.store.base import Neighbourhood, Snapshot
from carrefour.vocab import DCT, PROV, RDF, RDFS, SCHEMA, SH, SKOS, VOID, XSD, Graphs, Hub
from server.graph_description import NamedGraphs
from server.memo import LruMemo
from server.removals import removal_quads

HYDRA = "http://www.w3.org/ns/hydra/core#"
LABELS = tuple(ox.NamedNode(iri) for iri in (SCHEMA + "name", SKOS + "prefLabel", RDFS + "label"))
TYPE = ox.NamedNode(RDF + "type")
ATTRIBUTED_TO = ox.NamedNode(PROV + "wasAttributedTo")
LICENSE = ox.NamedNode(DCT + "license")
NAMING = (*LABELS, LICENSE)  # what a page shows of the nodes it links to (a partner's licence too)
RESULT = ox.NamedNode(SH + "result")
VALIDATION_REPORT = ox.NamedNode(SH + "ValidationReport")
_RESULT_NUMBER = re.compile(r"(\d+)$")
DATASET_TITLE = "Carrefour des innovations sociales"


@cache  # the same few terms in every paged list
def hydra(local: str) -> ox.NamedNode:
    return ox.NamedNode(HYDRA + local)


def record_of(node: ox.NamedNode) -> ox.NamedNode:
    """The resource a node belongs to: ``…/x#address`` belongs to ``…/x``."""
    value = node.value
    return ox.NamedNode(value.split("#", 1)[0]) if "#" in value else node


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.last else None

    def slice(self, items: list[Member]) -> list[Member]:
        start = (self.number - 1) * self.size
        return items[start : start + self.size]


@dataclass(frozen=True)
class Member:
    """One resource of a paged list, and the statements that put it there."""

    record: ox.NamedNode  # the resource listed
    links: tuple[tuple[ox.NamedNode, ox.NamedNode], ...]  # (property, node holding it: the record or a fragment)

    @property
    def predicate(self) -> ox.NamedNode:
        """The first property relating it (how a page groups its list); sh:result for a report's result."""
        return self.links[0][0]


@dataclass
class Collection:
    node: ox.NamedNode  # {iri}#referrers, or {iri}#results for a report
    page: Page
    members: list[Member]
    statements: list[ox.Triple]  # what relates this page's members to the resource


@dataclass
class Description:
    iri: ox.NamedNode
    own: list[ox.Quad]
    linked: list[ox.Triple]
    attributions: list[ox.Triple]
    collection: Collection | None
    removed: bool = False  # a record its partner removed: ``own`` holds its removals (410 Gone)

    def view(self, number: int) -> ox.NamedNode:
        return ox.NamedNode(f"{self.iri.value}?page={number}")

    def paging_triples(self) -> list[ox.Triple]:
        """The collection as Hydra: total, this page's members, and the page's view."""
        collection = self.collection
        if collection is None or collection.page.total == 0:
            return []
        page = collection.page
        view = self.view(page.number)
        node = collection.node
        triples = [
            ox.Triple(self.iri, hydra("collection"), node),
            ox.Triple(node, TYPE, hydra("Collection")),
            ox.Triple(node, hydra("totalItems"), ox.Literal(page.total)),
            ox.Triple(node, hydra("view"), view),
            ox.Triple(view, TYPE, hydra("PartialCollectionView")),
            ox.Triple(view, hydra("first"), view if page.number == 1 else self.view(1)),
            ox.Triple(view, hydra("last"), view if page.number == page.last else self.view(page.last)),
        ]
        if page.previous:
            triples.append(ox.Triple(view, hydra("previous"), self.view(page.previous)))
        if page.next:
            triples.append(ox.Triple(view, hydra("next"), self.view(page.next)))
        triples += [ox.Triple(node, hydra("member"), member.record) for member in collection.members]
        return triples

    def triples(self) -> list[ox.Triple]:
        """Every statement of the description once, the resource's own first, grouped by subject."""
        unique = dict.fromkeys([quad.triple for quad in self.own])
        listed = self.collection.statements if self.collection is not None else []
        unique.update(dict.fromkeys([*self.linked, *self.attributions, *listed, *self.paging_triples()]))
        main, fragments = self.iri.value, self.iri.value + "#"

        def order(triple: ox.Triple) -> tuple[int, str, str]:  # stable: values keep the store's order
            subject = triple.subject.value
            rank = 0 if subject == main else 1 if subject.startswith(fragments) else 2
            return rank, subject, triple.predicate.value

        return sorted(unique, key=order)


class Describer:
    """Builds descriptions from a snapshot; one per application, shared by its threads."""

    def __init__(self, hub: Hub, page_size: int) -> None:
        self.hub = hub
        self.graphs = Graphs(hub)
        self.page_size = max(1, page_size)
        self.documents = {hub.vocabulary + "ontology": self.graphs.ontology}
        self.documents[hub.vocabulary + "shapes"] = self.graphs.shapes
        self.dataset = hub.node("dataset")
        self.named_graphs = NamedGraphs(hub)
        self._attributing = (hub.iri("graph", "partner") + "/", hub.iri("graph", "taxonomy") + "/")
        self._partner_prefix = hub.iri("partner") + "/"
        self._history = history_graph(hub)
        self._vocabularies = (hub.vocabulary + "ontology", hub.vocabulary + "shapes")
        self._referrers = LruMemo(64)
        self._labels = LruMemo(8192)
        self._graph_facts = LruMemo(1024)

    def describe(self, snapshot: Snapshot, iri: ox.NamedNode, page: int = 1) -> Description | None:
        """The description of ``iri`` with page ``page`` of its list; None if the hub says nothing of it.

        :raises NotFound: the page is past the last one.
        """
        around = self._around(snapshot, iri)
        own = self._own(snapshot, iri, around)
        if not own:
            return self._removed(snapshot, iri, page)
        if iri.value in self.documents:
            collection = None
        elif any(q.subject == iri and q.predicate == TYPE and q.object == VALIDATION_REPORT for q in own):
            own, collection = self._report_page(iri, own, page)
        else:
            collection = self._referrer_page(snapshot, iri, page, around)
        if collection is None and page != 1:
            raise NotFound(f"<{iri.value}> has a single page")
        attributions = self._attributions(iri, own)
        linked = self._linked(snapshot, iri, own, attributions, collection, around)
        return Description(iri, own, linked, attributions, collection)

    def _removed(self, snapshot: Snapshot, iri: ox.NamedNode, page: int) -> Description | None:
        """A record its partner removed, described by its removals; None if the hub never published it."""
        removals = removal_quads(snapshot, self.hub, iri)
        if not removals:
            return None
        if page != 1:
            raise NotFound(f"<{iri.value}> has a single page")
        return Description(iri, removals, self._linked(snapshot, iri, removals, [], None), [], None, removed=True)

    # -- own statements ----------------------------------------------------------

    def _around(self, snapshot: Snapshot, iri: ox.NamedNode) -> Neighbourhood | None:
        """What the page reads of the store, in one request on a remote store (None: a document, read whole).

        Remembered referrers (a long list) are not read again.
        """
        if iri.value in self.documents:
            return None
        remembered = self._referrers.get((snapshot.info.version, iri.value)) is not None
        return snapshot.neighbourhood(iri, NAMING, referring=not remembered)

    def _own(self, snapshot: Snapshot, iri: ox.NamedNode, around: Neighbourhood | None) -> list[ox.Quad]:
        if around is None:
            return list(snapshot.quads(graph=self.documents[iri.value]))
        own = list(around.own)
        if iri == self.dataset and not own:
            own = self._dataset_facts(snapshot)
        return own + self.named_graphs.statements(snapshot, iri)

    def _dataset_facts(self, snapshot: Snapshot) -> list[ox.Quad]:
        """What the hub always knows of its dataset, when no graph describes it."""
        published = snapshot.info.published.isoformat().replace("+00:00", "Z")
        return [
            ox.Quad(self.dataset, TYPE, ox.NamedNode(VOID + "Dataset")),
            ox.Quad(self.dataset, ox.NamedNode(DCT + "title"), ox.Literal(DATASET_TITLE, language="fr")),
            ox.Quad(self.dataset, self.hub.term("datasetVersion"), ox.Literal(snapshot.info.version)),
            ox.Quad(self.dataset, ox.NamedNode(DCT + "modified"), ox.Literal(published, datatype=_DATETIME)),
            ox.Quad(self.dataset, ox.NamedNode(VOID + "sparqlEndpoint"), self.hub.node("sparql")),
            ox.Quad(self.dataset, ox.NamedNode(RDFS + "seeAlso"), self.hub.node("stream", "hub")),  # its event stream
        ]

    def _attributions(self, iri: ox.NamedNode, own: list[ox.Quad]) -> list[ox.Triple]:
        partners: dict[str, None] = {}
        for quad in own:
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(self._attributing):
                partners[graph.value.rsplit("/", 1)[1]] = None
        return [ox.Triple(iri, ATTRIBUTED_TO, self.hub.partner(partner)) for partner in partners]

    # -- paged lists ---------------------------------------------------------------

    def _page(self, number: int, total: int) -> Page | None:
        page = Page(number, self.page_size, total)
        return page if 1 <= number <= page.last else None

    def _referrer_page(
        self, snapshot: Snapshot, iri: ox.NamedNode, number: int, around: Neighbourhood | None = None
    ) -> Collection | None:
        members = self.referrers(snapshot, iri, around.referring if around is not None else None)
        page = self._page(number, len(members))
        if page is None:
            return None
        shown = page.slice(members)
        statements = [ox.Triple(subject, predicate, iri) for m in shown for predicate, subject in m.links]
        return Collection(ox.NamedNode(iri.value + "#referrers"), page, shown, statements)

    def referrers(self, snapshot: Snapshot, iri: ox.NamedNode, referring: list[ox.Quad] | None = None) -> list[Member]:
        """Every resource pointing to ``iri``, once each, grouped by first property; a partner's records too.

        :param referring: the quads pointing to ``iri``, when already read.
        """
        key = (snapshot.info.version, iri.value)
        cached = self._referrers.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        found: dict[ox.NamedNode, dict[tuple[ox.NamedNode, ox.NamedNode], None]] = {}
        for quad in snapshot.quads(None, None, iri, None) if referring is None else referring:
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode) or quad.predicate == TYPE or quad.graph_name == self._history:
                continue
            record = record_of(subject)
            if record != iri:
                found.setdefault(record, {})[(quad.predicate, subject)] = None
        if iri.value.startswith(self._partner_prefix):
            partner_graph = self.graphs.partner_data(iri.value[len(self._partner_prefix) :])
            for record in self._typed_records(snapshot.quads(None, TYPE, None, partner_graph)):
                found.setdefault(record, {})[(ATTRIBUTED_TO, record)] = None
        members = [
            Member(record, tuple(sorted(links, key=lambda link: (link[0].value, link[1].value))))
            for record, links in found.items()
        ]
        group_sizes = Counter(member.predicate for member in members)  # small groups first: a region's départements
        members.sort(key=lambda member: (group_sizes[member.predicate], member.predicate.value, member.record.value))
        if len(members) > self.page_size:
            self._referrers.put(key, members)
        return members

    @staticmethod
    def _typed_records(quads: Iterator[ox.Quad]) -> Iterable[ox.NamedNode]:
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode) and "#" not in quad.subject.value:
                yield quad.subject

    def _report_page(
        self, iri: ox.NamedNode, own: list[ox.Quad], number: int
    ) -> tuple[list[ox.Quad], Collection | None]:
        """A report's statements with only one page of its results (they can number thousands)."""
        results = sorted({q.object.value for q in own if q.subject == iri and q.predicate == RESULT}, key=_result_order)
        page = self._page(number, len(results))
        if page is None:
            return own, None
        start = (number - 1) * page.size
        shown = set(results[start : start + page.size])
        kept = [
            q
            for q in own
            if not (q.subject == iri and q.predicate == RESULT) and (q.subject == iri or q.subject.value in shown)
        ]
        members = [Member(ox.NamedNode(r), ((RESULT, iri),)) for r in results[start : start + page.size]]
        statements = [ox.Triple(iri, RESULT, m.record) for m in members]
        return kept, Collection(ox.NamedNode(iri.value + "#results"), page, members, statements)

    # -- labels ------------------------------------------------------------------------

    def _linked(
        self,
        snapshot: Snapshot,
        iri: ox.NamedNode,
        own: list[ox.Quad],
        attributions: list[ox.Triple],
        collection: Collection | None,
        around: Neighbourhood | None = None,
    ) -> list[ox.Triple]:
        fragments = iri.value + "#"
        targets: dict[ox.NamedNode, None] = {}
        for quad in own:
            target = quad.object
            if isinstance(target, ox.NamedNode) and self.hub.is_local(target.value):
                targets[target] = None
        for triple in attributions:
            targets[triple.object] = None  # type: ignore[index]
        if collection is not None:
            targets.update(dict.fromkeys(m.record for m in collection.members))
        wanted = [t for t in targets if t != iri and not t.value.startswith(fragments)]
        found = self.labels_of(snapshot, wanted, around)
        return [triple for target in wanted for triple in found[target]]

    def labels(self, snapshot: Snapshot, target: ox.NamedNode) -> list[ox.Triple]:
        """The names of ``target`` and, for a partner, its licence."""
        return self.labels_of(snapshot, [target])[target]

    def _label_predicates(self, target: ox.NamedNode) -> tuple[ox.NamedNode, ...]:
        """A vocabulary term is named by rdfs:label; a resource by schema:name, skos:prefLabel or rdfs:label."""
        if target.value.startswith(self._vocabularies):
            return (LABELS[2],)
        if target.value.startswith(self._partner_prefix):
            return (*LABELS[:2], LICENSE)
        return LABELS

    def labels_of(
        self, snapshot: Snapshot, targets: list[ox.NamedNode], around: Neighbourhood | None = None
    ) -> dict[ox.NamedNode, list[ox.Triple]]:
        """The labels of each target: those not remembered nor read ``around`` the page are looked up together
        (one query on a remote store)."""
        version = snapshot.info.version
        found: dict[ox.NamedNode, list[ox.Triple]] = {}
        missing: dict[tuple[ox.NamedNode, ...], list[ox.NamedNode]] = {}
        for target in targets:
            cached = self._labels.get((version, target.value))
            if cached is not None:
                found[target] = cached  # type: ignore[assignment]
            else:
                missing.setdefault(self._label_predicates(target), []).append(target)
        named, read = (around.named, around.names) if around is not None else (set(), [])
        for predicates, group in missing.items():
            values: dict[tuple[ox.NamedNode, ox.NamedNode], list[ox.Triple]] = {}
            unread = [target for target in group if target not in named]
            for quad in [*read, *(snapshot.lookup(unread, predicates) if unread else [])]:
                values.setdefault((quad.subject, quad.predicate), []).append(quad.triple)  # type: ignore[arg-type]
            for target in group:
                labels = list(dict.fromkeys(t for p in predicates for t in values.get((target, p), [])))
                self._labels.put((version, target.value), labels)
                found[target] = labels
        return found

    def graph_facts(self, snapshot: Snapshot, graph: ox.NamedNode) -> dict[ox.NamedNode, ox.NamedNode | ox.Literal]:
        """What the hub says of a named graph itself (its licence, when its harvest made it), one value each.

        The same few graphs hold every resource's statements: read once per version.
        """
        key = (snapshot.info.version, graph.value)
        cached = self._graph_facts.get(key)
        if cached is None:
            cached = {q.predicate: q.object for q in snapshot.quads(graph, None, None)}
            self._graph_facts.put(key, cached)
        return cached  # type: ignore[no-any-return]


_DATETIME = ox.NamedNode(XSD + "dateTime")


def _result_order(iri: str) -> tuple[int, str]:
    match = _RESULT_NUMBER.search(iri)
    return (int(match.group(1)) if match else 0, iri)
