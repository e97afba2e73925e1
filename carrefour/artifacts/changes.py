"""What a write session changed, so that an index of the whole store can be updated, not made again.

A harvest that found 1 % of a partner's 40,000 records changed rewrites 1 % of the
statements; making the catalogue again costs 25 s, 13 of them reading every record back
from the store.  The session knows the statements it added and removed (``Writer.delta``):
the previous version's index is right for every resource but the subjects of those
statements (a record's fragment, such as ``…#address``, counts as its record) and the
resources naming them: an initiative is filed under its carrier's actor type, a record's
search text holds the labels of its themes and the names of its places, a programme's
card names its carriers and funders.  Those are read again; the rest is kept.

What a harvest says of itself (its activity, which harvest produced each record, the
records' content hashes), the records' versions and event streams (the history graph)
and the removals (the changes graph) are about nodes of their own, which none of the
indexes reads: they are left out.  A session that does not keep its list of statements
(a graph came whole), whose list is long beside the store (a partner's first harvest),
that changed a blank node, or changed what many thousands of resources name (a partner's
description: its every record) has the indexes made whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from carrefour.artifacts.stale import current_previous
from carrefour.artifacts.stats import short_beside, stats_in
from carrefour.history.terms import history_graph
from carrefour.store.base import DatasetInfo, Snapshot, Writer
from carrefour.store.embedded import OxigraphView, touch
from carrefour.vocab import PROV, RDF, RDFS, Graphs, Hub

# Past this many resources to read again, the indexes are made whole: a resource read by subject with its
# fragments and carriers costs 0.33 to 0.36 ms (400 and 4,000 initiatives of the 40,000-record benchmark store),
# and four indexes read them, where reading every record by property costs the catalogue 13 s.
MOST = 10_000


@dataclass(frozen=True)
class RecordChanges:
    """What an index of the previous version needs to become this version's."""

    previous: Path  # the previous version's own artifacts folder
    resources: frozenset[str]  # whose entries may differ: the subjects changed, and the resources naming them
    info: DatasetInfo  # the previous version's
    earlier: bytes  # N-Quads: what the previous version said of them (:func:`memory_view`), for counts to take back

    def before(self) -> OxigraphView:
        """What the previous version said of the resources, as :func:`memory_view` of it shows."""
        memory = ox.Store()
        memory.load(self.earlier, format=ox.RdfFormat.N_QUADS)
        return OxigraphView(memory, self.info)


def account_touches(hub: Hub) -> frozenset[str]:
    """What a harvest says of itself (``EmbeddedWriter.touched``): its activity, which harvest produced each
    record, the records' content hashes; none of the helped builders reads it (they read records, by class and
    by property, and name partners by their graphs)."""
    prov = ("startedAtTime", "endedAtTime", "generatedAtTime", "wasGeneratedBy", "wasAssociatedWith", "used")
    own = ("partner", "recordsRead", "recordsLoaded", "recordsRejected", "contentHash")
    return frozenset(
        [f"{RDF}type {hub.term('HarvestActivity').value}", *(PROV + name for name in prov),
         *(hub.term(name).value for name in own)]
    )  # fmt: skip


def record_changes(writer: Writer, hub: Hub) -> RecordChanges | None:
    """The resources whose index entries this session may have changed; None when the indexes must be made whole."""
    previous, before, delta = current_previous(writer), writer.previous, writer.delta
    if previous is None or before is None or delta is None or not short_beside(delta, stats_in(previous) or {}):
        return None
    account, elsewhere = account_touches(hub), {history_graph(hub), Graphs(hub).changes}
    changed: set[str] = set()
    for quad in delta.effective(before, writer):
        if quad.graph_name in elsewhere or touch(quad) in account:
            continue
        if not isinstance(quad.subject, ox.NamedNode):
            return None
        changed.add(quad.subject.value.split("#", 1)[0])
    naming = {
        quad.subject.value.split("#", 1)[0]
        for iri in changed
        for view in (before, writer)
        for quad in view.quads(None, None, ox.NamedNode(iri))
        if isinstance(quad.subject, ox.NamedNode) and quad.graph_name not in elsewhere
    }
    resources = frozenset(changed | naming)
    if len(resources) > MOST:
        return None
    earlier = _memory_store(before, resources, hub).dump(format=ox.RdfFormat.N_QUADS)
    return RecordChanges(previous, resources, before.info, earlier)


def memory_view(view: Snapshot | Writer, resources: frozenset[str], hub: Hub) -> OxigraphView:
    """What ``view`` says of ``resources``, their fragments and their carriers, in an in-memory store, with the
    ontology's subclasses (a record's kind counts them): the indexes read it as they read the whole store.

    The indexes of a process read it in turn, and none writes to it: the last one made is kept for the next (by
    the version ``view`` is and its base: a version is written once, and its indexes run once it is), where each
    read it again from the store (0.4 s for 400 records at 40,000).
    """
    key = (view.info.version, hub.base, resources)
    if not view.info.version:
        return OxigraphView(_memory_store(view, resources, hub), view.info)
    if key not in _last_memory:
        _last_memory.clear()
        _last_memory[key] = _memory_store(view, resources, hub)
    return OxigraphView(_last_memory[key], view.info)


_last_memory: dict[tuple[str, str, frozenset[str]], ox.Store] = {}  # the last one made, by version, base, resources


def _memory_store(view: Snapshot | Writer, resources: frozenset[str], hub: Hub) -> ox.Store:
    carried_by, subclass = hub.term("carriedBy"), ox.NamedNode(RDFS + "subClassOf")
    memory = ox.Store()
    memory.extend(view.quads(None, subclass, None))
    wanted, seen = [ox.NamedNode(iri) for iri in sorted(resources)], set()
    while wanted:
        node = wanted.pop()
        if node in seen:
            continue
        seen.add(node)
        quads = list(view.quads(node, None, None))
        memory.extend(quads)
        record = node.value.split("#", 1)[0] + "#"
        for quad in quads:
            target = quad.object
            if isinstance(target, ox.NamedNode) and (target.value.startswith(record) or quad.predicate == carried_by):
                wanted.append(target)
    return memory
