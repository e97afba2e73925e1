"""Resources of an RDF graph as records: predicate IRIs → values, ``@id`` the subject.

Used for RDF files, for the structured data of web pages and for SPARQL CONSTRUCT
results, so that the mapping reads all linked data the same way: literals with a
language are JSON-LD value objects (``{"@value": …, "@language": "fr"}``), IRIs
are ``{"@id": …}``, and the nodes a resource points to (its blank-node address,
its ``#address`` fragment node) are nested records, reached by dotted paths
(``http://schema.org/address.http://schema.org/postalCode``, or
``schema:address.schema:postalCode`` with ``prefixes``).  Several values make a
list, in a stable order, so the same graph always gives the same records.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from carrefour.vocab import RDF_TYPE
from loader.feeds.items import Record

MAX_DEPTH = 4

Node = ox.NamedNode | ox.BlankNode


class ResourceIndex:
    """The statements of a graph, by subject."""

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple], prefixes: Mapping[str, str] | None = None) -> None:
        self.statements: dict[Node, list[tuple[ox.NamedNode, Any]]] = defaultdict(list)
        self.types: dict[Node, set[str]] = defaultdict(set)
        self.objects: set[Node] = set()
        # longest namespace first, so that nested namespaces compact to the most specific prefix
        self.prefixes = sorted((prefixes or {}).items(), key=lambda item: -len(item[1]))
        for quad in quads:
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            if quad.predicate == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
                self.types[subject].add(quad.object.value)
            else:
                self.statements[subject].append((quad.predicate, quad.object))
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                self.objects.add(quad.object)

    def compact(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def subjects(self, record_types: Iterable[str] = ()) -> list[Node]:
        """Resources of ``record_types``; without types, the typed resources nothing points to."""
        wanted = set(record_types)
        if wanted:
            found = [s for s, types in self.types.items() if types & wanted]
        else:
            found = [s for s in self.types if s not in self.objects]
        return sorted(found, key=lambda s: (isinstance(s, ox.BlankNode), s.value))

    def fields(self, subject: Node, depth: int = 0, visiting: frozenset[Node] = frozenset()) -> dict[str, Any]:
        values: dict[str, list[Any]] = defaultdict(list)
        for predicate, obj in self.statements.get(subject, ()):
            value = self.value(obj, depth, visiting | {subject})
            if value is not None:
                values[self.compact(predicate.value)].append(value)
        fields: dict[str, Any] = {}
        if isinstance(subject, ox.NamedNode):
            fields["@id"] = subject.value
        types = sorted(self.compact(t) for t in self.types.get(subject, ()))
        if types:
            fields["@type"] = types[0] if len(types) == 1 else types
        for key, found in sorted(values.items()):
            ordered = sorted(found, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
            fields[key] = ordered[0] if len(ordered) == 1 else ordered
        return fields

    @staticmethod
    def owned(obj: Node, visiting: frozenset[Node]) -> bool:
        """Blank nodes and fragment nodes (``…/x#address`` of ``…/x``) are part of the resource; others are links."""
        if isinstance(obj, ox.BlankNode):
            return True
        stem = obj.value.split("#", 1)[0]
        return "#" in obj.value and any(
            isinstance(v, ox.NamedNode) and v.value.split("#", 1)[0] == stem for v in visiting
        )

    def value(self, obj: Any, depth: int, visiting: frozenset[Node]) -> Any:
        if isinstance(obj, ox.Literal):
            if obj.language:
                return {"@value": obj.value, "@language": obj.language}
            return obj.value
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            described = obj in self.statements or obj in self.types
            if described and obj not in visiting and depth < MAX_DEPTH and self.owned(obj, visiting):
                return self.fields(obj, depth + 1, visiting)
            if isinstance(obj, ox.NamedNode):
                return {"@id": obj.value}
        return None  # an undescribed blank node, or a cycle: nothing to say


def resource_records(
    quads: Iterable[ox.Quad | ox.Triple],
    record_types: Iterable[str] = (),
    prefixes: Mapping[str, str] | None = None,
    origin: str = "",
    url: str | None = None,
) -> Iterator[Record]:
    """One record per resource of ``record_types`` (see ``ResourceIndex.subjects``)."""
    index = ResourceIndex(quads, prefixes)
    for number, subject in enumerate(index.subjects(record_types), start=1):
        if isinstance(subject, ox.NamedNode):
            where = f"{origin} <{subject.value}>" if origin else f"<{subject.value}>"
        else:
            where = f"{origin} resource {number}".strip()
        yield Record(index.fields(subject), where, url)
