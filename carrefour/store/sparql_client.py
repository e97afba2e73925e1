"""Talking to a remote SPARQL 1.1 store: queries, updates and the Graph Store protocol.

Queries go through SPARQLWrapper, always as form POSTs (Virtuoso 7 hangs on a POST of
``application/sparql-query``), and ask for SPARQL XML results, read as a stream: a
public query stops reading at the hub's cap, and XML is where Virtuoso follows the
standard (its JSON has the old ``typed-literal`` term type and writes booleans as
``"1"``).  Answers a store cut without an error are caught: Virtuoso marks rows cut at
``ResultSetMaxRows`` with ``X-SPARQL-MaxRows``, and an answer as long as the store's
row limit counts as cut.  The hub never asks Virtuoso for an "anytime" answer (its
``timeout`` parameter): cut at that time, a list of rows comes back incomplete without
a word (only aggregates carry ``X-SQL-State: S1TAT``, refused here should an operator
enable it).  Time limits are the hub's (the socket timeout) and the store's own
(``MaxQueryExecutionTime``, an error).

Every failure becomes one of the hub's errors: an unreachable or slow store is
``StoreUnavailable`` (503 on the web side), a query the store rejects ``QueryError``,
a query over its time limit ``QueryTimeout``.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import re
import time
import urllib.error
import xml.etree.ElementTree as ET  # noqa: S405 - only for the ParseError type; parsing goes through defusedxml
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPResponse
from itertools import islice
from typing import IO

import pyoxigraph as ox
import requests
from defusedxml.ElementTree import iterparse
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from carrefour import formats
from carrefour.errors import CarrefourError, QueryError, QueryTimeout, StoreError, StoreUnavailable
from carrefour.sparql_text import split_prologue
from carrefour.store.availability import Breaker, time_left
from carrefour.store.base import Solution

# Virtuoso echoes every graph of a query's dataset as a response header (X-SPARQL-default-graph,
# X-SPARQL-named-graph), and the hub names each graph of its version twice: past some fifty graphs
# (a dozen partners) an answer has more headers than http.client's default limit of 100 allows.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

XML_RESULTS = "application/sparql-results+xml"
_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Virtuoso refuses an insert that compiles to more than 10,000 lines of SQL (some 1,500 triples).
INSERT_CHUNK = 500
UPLOAD_CHUNK = 100_000

# Virtuoso's error texts for a query over its time limits (SQL states S1T00, and the cost estimate).
_TIME_LIMIT_ERRORS = ("SR171", "S1T00", "estimated execution time")
# SQLSTATE classes of errors that are the query's doing, not the store's failure: syntax and access rules
# (37, 42: Virtuoso answers a query it cannot compile with 500 and "Virtuoso 37000 Error …"), data exceptions (22).
_QUERYS_FAULT = re.compile(r"Virtuoso (?:37|42|22)[0-9A-Z]{3} Error")


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str | None = None  # SPARQL 1.1 Graph Store protocol, if the store offers one
    user: str = ""
    password: str = ""
    auth: str = "digest"  # digest (Virtuoso) or basic (Fuseki, GraphDB…)
    timeout: float = 30.0
    result_cap: int = 10_000  # the most rows the store answers (Virtuoso's ResultSetMaxRows)
    retry_seconds: float = 0.0  # after the store failed to answer, queries fail at once for this long


@dataclass
class Rows:
    """A SELECT answer; ``cut`` when the store may have dropped rows (its row or time limit)."""

    variables: list[str]
    solutions: list[Solution]
    cut: bool = False


def _blank(value: str) -> ox.BlankNode:
    """Virtuoso names blank nodes ``nodeID://b10006`` in results and ``_:b10006`` in RDF: one id for both."""
    value = value.removeprefix("nodeID://")
    try:
        return ox.BlankNode(value)
    except ValueError:
        return ox.BlankNode("b" + hashlib.sha256(value.encode()).hexdigest()[:24])


def _term(element: ET.Element) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = element.tag.removeprefix(_RESULTS)
    text = element.text or ""
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return _blank(text)
    if kind == "literal":
        if _XML_LANG in element.attrib:
            return ox.Literal(text, language=element.attrib[_XML_LANG])
        if "datatype" in element.attrib:
            return ox.Literal(text, datatype=ox.NamedNode(element.attrib["datatype"]))
        return ox.Literal(text)
    raise StoreError(f"the store answered an unknown term type {kind!r}")


class _CarriageReturns:
    """A stream where raw carriage returns become character references.

    An XML parser must read a raw CR as a line feed, and Virtuoso writes the CRs of
    literals raw; as ``&#13;`` they survive (stores put none between elements).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size).replace(b"\r", b"&#13;")


class _Results:
    """SPARQL XML results read from a stream, one ``<result>`` at a time."""

    def __init__(self, stream: IO[bytes], deadline: float) -> None:
        self._events = iterparse(_CarriageReturns(stream), events=("end",))
        self._deadline = deadline
        self.variables: list[str] = []
        self.boolean: bool | None = None
        for _, element in self._events:
            if element.tag == _RESULTS + "variable":
                self.variables.append(element.attrib["name"])
            elif element.tag == _RESULTS + "head":
                break

    def __iter__(self) -> Iterator[Solution]:
        for _, element in self._events:
            if element.tag == _RESULTS + "result":
                yield {binding.attrib["name"]: _term(binding[0]) for binding in element}
                element.clear()
                if time.monotonic() > self._deadline:
                    raise QueryTimeout("the store did not send its whole answer in time")
            elif element.tag == _RESULTS + "boolean":
                self.boolean = (element.text or "").strip() == "true"


def ntriples_chunks(document: bytes, size: int) -> Iterator[bytes]:
    """An N-Triples document in pieces of about ``size`` triples (one a line), each a document of its own.

    Without blank nodes the lines are cut as they are, never parsed; a document that may
    hold one (``_:`` anywhere) is parsed and cut by ``blank_node_chunks``.
    """
    if b"_:" in document:
        triples = [q.triple for q in ox.parse(document, format=ox.RdfFormat.N_TRIPLES)]
        for chunk in blank_node_chunks(triples, size):
            yield ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
        return
    lines = document.splitlines(keepends=True)
    for start in range(0, len(lines), size):
        yield b"".join(lines[start : start + size])


def blank_node_chunks(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Chunks of about ``size`` triples that never split what one blank node connects.

    Each upload is a separate document for the store, which makes a new node of every
    blank node label it reads: a blank node cut across two uploads would become two.
    """
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        blanks = [n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)]
        for node in blanks:
            parent.setdefault(node, node)
        if len(blanks) == 2:
            parent[root(blanks[0])] = root(blanks[1])
    groups: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    plain: list[list[ox.Triple]] = []
    for triple in triples:
        blank = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        if isinstance(blank, ox.BlankNode):
            groups[root(blank)].append(triple)
        else:
            plain.append([triple])
    chunk: list[ox.Triple] = []
    for unit in [*plain, *groups.values()]:
        if chunk and len(chunk) + len(unit) > size:
            yield chunk
            chunk = []
        chunk.extend(unit)
    if chunk:
        yield chunk


class SparqlClient:
    """One remote store's endpoints."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.session = requests.Session()
        self.session.auth = self._auth()  # one object: digest auth reuses its nonce instead of a 401 per upload
        self.breaker = Breaker(endpoints.retry_seconds)

    def _auth(self) -> AuthBase | None:
        if not self.endpoints.user:
            return None
        if self.endpoints.auth == "basic":
            return HTTPBasicAuth(self.endpoints.user, self.endpoints.password)
        return HTTPDigestAuth(self.endpoints.user, self.endpoints.password)

    # -- queries ----------------------------------------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        """The time a query may take: its own limit, within what the current web request has left."""
        return time_left(timeout or self.endpoints.timeout)

    @contextmanager
    def _query(
        self,
        query: str,
        form: str,
        accept: str,
        timeout: float,
        dataset: Iterable[tuple[str, str]],
        public: bool = False,
    ) -> Iterator[HTTPResponse]:
        """Send one query; yield the open response once the store has accepted it.

        Running out of time is ``QueryTimeout`` for a ``public`` query (its time limit is the
        endpoint's), ``StoreUnavailable`` for the hub's own (a store that slow is not serving).
        A store that does not answer opens the breaker; any answer closes it.
        """
        wrapper = SPARQLWrapper(self.endpoints.query)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format= parameter: Virtuoso lets it override Accept
        wrapper.addCustomHttpHeader("Accept", accept)
        wrapper.timeout = timeout  # type: ignore[assignment]  # setTimeout() would round to whole seconds
        for name, value in dataset:
            wrapper.addParameter(name, value)
        # The form is known (the gate parsed public queries; the hub writes its own):
        # SPARQLWrapper's own guess from the text is skipped.
        wrapper.queryString, wrapper.queryType = query, form
        probe = self.breaker.admit()
        try:
            response = wrapper.query().response
        except SPARQLWrapperException as exc:
            self.breaker.answered()
            raise _store_refusal(exc, timeout, public) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise self._unavailable(exc, timeout, public, probe) from exc
        self.breaker.answered()
        try:
            if response.headers.get("X-SQL-State") == "S1TAT":
                raise QueryTimeout("the query ran over the store's time limit (the store answered a part of it)")
            yield response
        except (TimeoutError, ConnectionError) as exc:
            raise self._unavailable(exc, timeout, public, probe) from exc
        except ET.ParseError as exc:
            raise StoreError(f"the store answered malformed SPARQL results: {exc}") from exc
        finally:
            response.close()

    def _unavailable(
        self, exc: BaseException, timeout: float, public: bool, probe: bool
    ) -> StoreUnavailable | QueryTimeout:
        error = _unavailable(exc, timeout, public)
        if isinstance(error, StoreUnavailable):
            self.breaker.failed(str(error))
        else:
            self.breaker.released(probe)
        return error

    def select(
        self,
        query: str,
        dataset: Iterable[tuple[str, str]] = (),
        timeout: float | None = None,
        limit: int | None = None,
        public: bool = False,
    ) -> Rows:
        """Run a SELECT; read at most ``limit`` rows (then ``cut``) and stop the transfer."""
        timeout = self._timeout(timeout)
        with self._query(query, "SELECT", XML_RESULTS, timeout, dataset, public) as response:
            results = _Results(response, time.monotonic() + timeout)
            solutions = list(islice(results, limit + 1 if limit is not None else None))
            cut = response.headers.get("X-SPARQL-MaxRows") is not None
        if limit is not None and len(solutions) > limit:
            solutions, cut = solutions[:limit], True
        cut = cut or len(solutions) >= self.endpoints.result_cap
        return Rows(results.variables, solutions, cut)

    def ask(
        self, query: str, dataset: Iterable[tuple[str, str]] = (), timeout: float | None = None, public: bool = False
    ) -> bool:
        timeout = self._timeout(timeout)
        with self._query(query, "ASK", XML_RESULTS, timeout, dataset, public) as response:
            results = _Results(response, time.monotonic() + timeout)
            for _ in results:
                pass
        if results.boolean is None:
            raise StoreError("the store answered an ASK query without a boolean")
        return results.boolean

    def construct(
        self, query: str, form: str, dataset: Iterable[tuple[str, str]], timeout: float, limit: int
    ) -> tuple[list[ox.Triple], bool]:
        """Run a public CONSTRUCT or DESCRIBE; read at most ``limit`` triples; say whether the answer was cut."""
        accept = "application/n-triples, text/turtle;q=0.9"
        timeout = self._timeout(timeout)
        with self._query(query, form, accept, timeout, dataset, public=True) as response:
            media_type = response.headers.get("Content-Type", "application/n-triples")
            found = formats.from_media_type(media_type)
            if found is None:
                raise StoreError(f"the store answered a graph as {media_type!r}")
            try:
                quads = list(islice(ox.parse(response, format=found.oxigraph), limit + 1))
            except SyntaxError as exc:
                raise StoreError(f"the store answered malformed {found.name}: {exc}") from exc
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        cut = len(triples) > limit or len(triples) >= self.endpoints.result_cap
        return triples[:limit], cut

    def select_paged(
        self,
        query: str,
        dataset: Iterable[tuple[str, str]] = (),
        timeout: float | None = None,
        checked: Callable[[], None] | None = None,
    ) -> tuple[list[str], Iterator[Solution]]:
        """The variables and every solution of a SELECT, however many: in pages past the store's row limit.

        Past one page the query is ordered on its variables for stable pages, and nested:
        Virtuoso refuses to sort past its row limit (error SR353, "Sorted TOP clause")
        unless the ordered query is a subquery paged from outside.

        :param checked: called after each page arrives, before its rows are handed on (it raises to refuse them).
        """
        dataset = list(dataset)
        first = self.select(query, dataset, timeout)
        if checked is not None:
            checked()
        if not first.cut:
            return first.variables, iter(first.solutions)
        return first.variables, self._pages(query, first.variables, dataset, timeout, checked)

    def _pages(
        self,
        query: str,
        names: list[str],
        dataset: list[tuple[str, str]],
        timeout: float | None,
        checked: Callable[[], None] | None,
    ) -> Iterator[Solution]:
        prologue, body = split_prologue(query)
        variables = " ".join(f"?{name}" for name in names)
        page, offset = self.endpoints.result_cap, 0
        while True:
            rows = self.select(
                f"{prologue}SELECT {variables} WHERE {{ {{ SELECT {variables} WHERE {{ {{ {body} }} }} "
                f"ORDER BY {variables} }} }} LIMIT {page} OFFSET {offset}",
                dataset,
                timeout,
            )
            if checked is not None:
                checked()
            yield from rows.solutions
            if not rows.cut:
                return
            offset += len(rows.solutions)

    def download(self, graph: ox.NamedNode, checked: Callable[[], None] | None = None) -> Iterator[ox.Triple]:
        """The whole content of ``graph``, checked against the store's own count (``checked``: as ``select_paged``)."""
        timeout = max(self.endpoints.timeout, 120)
        counted = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", timeout=timeout)
        expected = int(counted.solutions[0]["n"].value) if counted.solutions else 0
        read = 0
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        _, rows = self.select_paged(query, timeout=timeout, checked=checked)
        for row in rows:
            read += 1
            yield ox.Triple(row["s"], row["p"], row["o"])  # type: ignore[arg-type]
        if read != expected:
            raise StoreError(f"read {read} triples of {graph.value}, the store counts {expected}: it changed meanwhile")

    # -- writes -------------------------------------------------------------------------

    def update(self, update: str, timeout: float | None = None) -> None:
        """Run a SPARQL 1.1 Update request (one request: applied as a whole by the store)."""
        try:
            response = self.session.post(
                self.endpoints.update, data={"update": update}, timeout=timeout or self.endpoints.timeout
            )
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the store cannot be reached for an update: {type(exc).__name__}") from exc
        _check_write(response, "an update")

    def upload(self, graph: str, document: bytes) -> None:
        """Add the triples of an N-Triples ``document`` to ``graph``: Graph Store protocol POSTs when
        available, SPARQL Update chunks otherwise.

        One upload at a time: Virtuoso deadlocks two loads into one graph (SR172, error 40001).
        """
        if not self.endpoints.graph_store:
            for chunk in ntriples_chunks(document, INSERT_CHUNK):
                # A template, not INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA.
                update = f"INSERT {{ GRAPH <{graph}> {{ {chunk.decode()} }} }} WHERE {{ }}"
                self.update(update, timeout=max(self.endpoints.timeout, 120))
            return
        for chunk in ntriples_chunks(document, UPLOAD_CHUNK):
            self._post(graph, chunk)

    def _post(self, graph: str, body: bytes) -> None:
        try:
            response = self.session.post(
                self.endpoints.graph_store,  # type: ignore[arg-type]
                params={"graph": graph},
                data=body,
                headers={"Content-Type": "text/turtle"},  # N-Triples is Turtle; every store reads this type
                timeout=max(self.endpoints.timeout, 300),
            )
        except requests.RequestException as exc:
            raise StoreUnavailable(f"upload to the store failed: {type(exc).__name__}") from exc
        _check_write(response, "an upload")


def _check_write(response: requests.Response, what: str) -> None:
    """A gateway saying the store is away is StoreUnavailable; the store refusing is StoreError."""
    if response.status_code in (502, 503, 504):
        raise StoreUnavailable(f"the store is unavailable ({response.status_code}) for {what}")
    if response.status_code >= 300:
        raise StoreError(f"the store refused {what} ({response.status_code}): {response.text[:300]}")


def _store_refusal(exc: SPARQLWrapperException, timeout: float, public: bool) -> CarrefourError:
    """The error a store's refusal becomes.  For a public query the endpoint speaks for itself:
    the store's words (its SQL, the rewritten query, its graphs) go to the log, not to the client."""
    message = _store_message(exc)
    timed_out = any(marker in message for marker in _TIME_LIMIT_ERRORS)
    if public:
        log.warning("the store refused a public query: %s", message[:2000])
        if timed_out:
            return QueryTimeout(f"query cut at the store's time limit (this endpoint allows {timeout:g} s)")
        if isinstance(exc, QueryBadFormed) or _QUERYS_FAULT.search(message):
            return QueryError("the store could not run this query (it uses a feature the store lacks)")
        return StoreError("the store could not answer this query")
    if timed_out:
        return QueryTimeout(f"the query ran over the store's time limit: {message[:200]}")
    if isinstance(exc, QueryBadFormed):
        return QueryError(f"the store rejected the query: {message}")
    return StoreError(f"the store failed: {message[:300]}")


def _store_message(exc: SPARQLWrapperException) -> str:
    """The store's own words, without SPARQLWrapper's preamble."""
    response = getattr(exc, "response", None)
    if isinstance(response, bytes):
        return response.decode("utf-8", "replace").strip()
    return str(exc)


def _unavailable(exc: BaseException, timeout: float, public: bool) -> StoreUnavailable | QueryTimeout:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError):
        if public:
            # a frozen store and a slow query look alike from here: say what is known, and that it is the store's
            return QueryTimeout(f"query cut after {timeout:g} s (the endpoint's time limit): the store gave no answer")
        return StoreUnavailable(f"the store did not answer within {timeout:g} s")
    return StoreUnavailable(f"the store cannot be reached: {reason}")
