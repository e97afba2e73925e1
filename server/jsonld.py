"""Compact JSON-LD with the hub's published ``@context``, written straight from triples.

The context (``/context.jsonld``) declares the prefixes of the vocabularies the hub
uses and a short term for each class and property of its vocabulary (``theme``,
``carriedBy``, ``name``…); properties whose values are resources take plain IRI
strings.  pyoxigraph only writes expanded JSON-LD, and rdflib's compacting serializer
costs about a millisecond per description (``bench/resources.py`` measures both), so
documents are compacted here by a fixed procedure: one node object per subject,
the described resource first, nodes referenced once embedded where they are used,
keys and types as terms or compact IRIs, resource IRIs absolute.

Every document must expand to exactly the triples it was made from (the tests parse
them back with rdflib and the published context).  An absolute IRI whose scheme is
also a name of the context (a ``geo:`` URI, say) would be read as a compact IRI:
such a description is written as pyoxigraph's expanded JSON-LD instead, which needs
no context.  No remote context is ever fetched: the context is built here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import pyoxigraph as ox

from carrefour.vocab import RDF, XSD, Hub
from server.vocabulary import Vocabulary, vocabulary_prefixes

_TERM = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,14})\Z")  # well inside JSON's exact range
_TYPE = RDF + "type"
_STRING = XSD + "string"
_INTEGER_TYPE = XSD + "integer"
_BOOLEAN = XSD + "boolean"


class Ambiguous(Exception):
    """An IRI the context would misread."""


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


@dataclass(frozen=True)
class Context:
    url: str
    prefixes: dict[str, str]  # name -> namespace
    terms: dict[str, tuple[str, bool]]  # name -> (IRI, values are resources)

    def document(self) -> dict[str, Any]:
        """The published context document."""
        definitions: dict[str, Any] = dict(self.prefixes)
        for name, (iri, links) in self.terms.items():
            definitions[name] = {"@id": iri, "@type": "@id"} if links else iri
        return {"@context": definitions}


def build_context(hub: Hub, vocabulary: Vocabulary) -> Context:
    """Prefixes, then one term per class and property (the first of two equal local names wins)."""
    prefixes = vocabulary_prefixes(hub)
    terms: dict[str, tuple[str, bool]] = {}
    for iri in (*vocabulary.classes, *vocabulary.properties):
        name = local_name(iri)
        if _TERM.match(name) and name not in prefixes and name not in terms:
            terms[name] = (iri, iri in vocabulary.links)
    return Context(hub.iri("context.jsonld"), prefixes, terms)


class Compactor:
    """Writes triples as a compact JSON-LD document under one context."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._terms = {iri: (name, links) for name, (iri, links) in context.terms.items()}
        self._namespaces = {namespace: name for name, namespace in context.prefixes.items()}
        self._names = set(context.prefixes) | set(context.terms)
        self._link_keys = {name for name, (_, links) in context.terms.items() if links}
        # the same IRIs (types, properties, concepts, territories) come back in every document
        self._iri_of = lru_cache(maxsize=65536)(self._iri)
        self._vocab_of = lru_cache(maxsize=4096)(self._vocab)
        self._key_of = lru_cache(maxsize=4096)(self._key)

    def serialize(self, triples: list[ox.Triple], main: ox.NamedNode | None) -> bytes:
        try:
            document = self.compact(triples, main)
        except Ambiguous:
            return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
        return orjson.dumps(document, option=orjson.OPT_INDENT_2)

    def compact(self, triples: list[ox.Triple], main: ox.NamedNode | None) -> dict[str, Any]:
        """The document: ``{"@context": url, "@graph": [nodes]}``, ``main`` first (if any: a query's answer has none).

        :raises Ambiguous: an IRI cannot be written unambiguously with the context.
        """
        nodes: dict[ox.NamedNode | ox.BlankNode, dict[str, Any]] = {}
        references: dict[ox.NamedNode | ox.BlankNode, int] = {}
        node: dict[str, Any] = {}
        last = None
        for triple in triples:
            subject, predicate, value = triple.subject, triple.predicate.value, triple.object
            if subject != last:  # a description comes grouped by subject
                last = subject
                node = nodes.get(subject)  # type: ignore[arg-type,assignment]
                if node is None:
                    node = nodes[subject] = {"@id": self._identifier(subject)}  # type: ignore[index]
            if predicate == _TYPE and type(value) is ox.NamedNode:
                node.setdefault("@type", []).append(self._vocab_of(value.value))
                continue
            key, links = self._key_of(predicate)
            node.setdefault(key, []).append(self._value(value, links))
            if type(value) is not ox.Literal:
                references[value] = references.get(value, 0) + 1  # type: ignore[index]
        embeddable = {
            nodes[term]["@id"]: term
            for term, count in references.items()
            if count == 1 and term in nodes and term != main
        }
        roots = [term for term in sorted(nodes, key=lambda term: term != main) if nodes[term]["@id"] not in embeddable]
        placed: set[ox.NamedNode | ox.BlankNode] = set()
        graph = [self._embed(term, nodes, embeddable, placed) for term in roots]
        for term in nodes:  # nodes only referenced from a cycle of embeddable nodes
            if term not in placed:
                graph.append(self._embed(term, nodes, embeddable, placed))
        return {"@context": self.context.url, "@graph": [_finish(node) for node in graph]}

    def _embed(
        self,
        term: ox.NamedNode | ox.BlankNode,
        nodes: dict[ox.NamedNode | ox.BlankNode, dict[str, Any]],
        embeddable: dict[str, ox.NamedNode | ox.BlankNode],
        placed: set[ox.NamedNode | ox.BlankNode],
    ) -> dict[str, Any]:
        """The node of ``term`` with the nodes it alone references written inside it."""
        placed.add(term)
        node = nodes[term]
        for key, values in node.items():
            if key.startswith("@"):
                continue
            links = key in self._link_keys
            for index, value in enumerate(values):
                identifier = value if links and isinstance(value, str) else None
                if isinstance(value, dict) and len(value) == 1:
                    identifier = value.get("@id")
                target = embeddable.get(identifier) if identifier is not None else None
                if target is not None and target not in placed:
                    child = self._embed(target, nodes, embeddable, placed)
                    if isinstance(target, ox.BlankNode):
                        child.pop("@id")
                    values[index] = child
        return node

    # -- terms -------------------------------------------------------------------------

    def _compact_iri(self, iri: str) -> str | None:
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        name = self._namespaces.get(iri[:cut])
        if name is not None and cut < len(iri) and not iri[cut:].startswith("//"):
            return f"{name}:{iri[cut:]}"
        return None

    def _absolute(self, iri: str) -> str:
        if iri.split(":", 1)[0] in self._names:
            raise Ambiguous(iri)
        return iri

    def _vocab(self, iri: str) -> str:
        """A class or property: its term, else a compact IRI, else the IRI."""
        term = self._terms.get(iri)
        if term is not None:
            return term[0]
        return self._compact_iri(iri) or self._absolute(iri)

    def _key(self, iri: str) -> tuple[str, bool]:
        term = self._terms.get(iri)
        if term is not None:
            return term
        return self._compact_iri(iri) or self._absolute(iri), False

    def _identifier(self, term: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return self._iri_of(term.value)

    def _iri(self, iri: str) -> str:
        return self._compact_iri(iri) or self._absolute(iri)

    def _value(self, value: ox.NamedNode | ox.BlankNode | ox.Literal, links: bool) -> Any:
        if type(value) is not ox.Literal:
            identifier = self._identifier(value)
            return identifier if links else {"@id": identifier}
        text, language = value.value, value.language  # each read of a term's part crosses into pyoxigraph
        if language:
            return {"@value": text, "@language": language}
        datatype = value.datatype.value
        if datatype == _STRING:
            return {"@value": text} if links else text
        if not links:
            if datatype == _INTEGER_TYPE and _INTEGER.match(text):
                return int(text)
            if datatype == _BOOLEAN and text in ("true", "false"):
                return text == "true"
        return {"@value": text, "@type": self._vocab_of(datatype)}


def compact_answer(body: bytes, compactor: Compactor) -> bytes:
    """A store's JSON-LD answer to a CONSTRUCT or DESCRIBE (expanded) compacted like every description.

    Read back and written again: at most the result cap of triples, once per answer
    (the answer cache keeps the compacted one).
    """
    triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.JSON_LD)]
    return compactor.serialize(triples, None)


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    """Single values without the list around them, keys in reading order, embedded nodes too.

    Values and references (``{"@id": …}``) are kept as they are: only embedded nodes are rebuilt.
    """
    finished = {"@id": node["@id"]} if "@id" in node else {}
    types = node.get("@type")
    if types is not None:
        finished["@type"] = types[0] if len(types) == 1 else types
    for key in sorted(node):
        if key[0] == "@":
            continue
        values = [_finish(v) if type(v) is dict and _is_node(v) else v for v in node[key]]
        finished[key] = values[0] if len(values) == 1 else values
    return finished


def _is_node(value: dict[str, Any]) -> bool:
    """An embedded node object, not a value object nor a bare reference."""
    return "@value" not in value and not (len(value) == 1 and "@id" in value)
