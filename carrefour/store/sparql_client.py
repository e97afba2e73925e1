"""Talking to a remote SPARQL 1.1 store: queries, updates and the Graph Store protocol.

Queries go through SPARQLWrapper, always as form POSTs (Virtuoso 7 hangs on a POST of
``application/sparql-query``).  Answers are turned into pyoxigraph terms, including
the old ``typed-literal`` JSON term type Virtuoso still writes.  Every failure becomes
one of the hub's errors: an unreachable or slow store is ``StoreUnavailable`` (503 on
the web side), a query the store rejects is ``QueryError``.
"""

from __future__ import annotations

import hashlib
import urllib.error
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException

from carrefour.errors import QueryError, StoreError, StoreUnavailable
from carrefour.store.base import Solution

# Virtuoso refuses INSERT DATA much above 5,000 triples per request.
INSERT_CHUNK = 2000
UPLOAD_CHUNK = 100_000


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str | None = None  # SPARQL 1.1 Graph Store protocol, if the store offers one
    user: str = ""
    password: str = ""
    auth: str = "digest"  # digest (Virtuoso) or basic (Fuseki, GraphDB…)
    timeout: float = 30.0


def _blank(value: str) -> ox.BlankNode:
    """Stores write blank node ids pyoxigraph may refuse (``nodeID://b10006``): keep them stable, make them valid."""
    try:
        return ox.BlankNode(value)
    except ValueError:
        return ox.BlankNode("b" + hashlib.sha256(value.encode()).hexdigest()[:24])


def term_from_json(binding: dict[str, Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return _blank(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:  # "literal" with a datatype, or Virtuoso's "typed-literal"
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


def solutions_from_json(document: dict[str, Any]) -> list[Solution]:
    return [
        {name: term_from_json(binding) for name, binding in row.items()}
        for row in document.get("results", {}).get("bindings", [])
    ]


class SparqlClient:
    """One remote store's endpoints."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.session = requests.Session()

    def _auth(self) -> AuthBase | None:
        if not self.endpoints.user:
            return None
        if self.endpoints.auth == "basic":
            return HTTPBasicAuth(self.endpoints.user, self.endpoints.password)
        return HTTPDigestAuth(self.endpoints.user, self.endpoints.password)

    def wrapper(
        self, query: str, timeout: float | None = None, dataset: Iterable[tuple[str, str]] = ()
    ) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoints.query)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(int(max(1, timeout or self.endpoints.timeout)))
        for name, value in dataset:
            wrapper.addParameter(name, value)
        wrapper.setQuery(query)
        return wrapper

    def select(
        self, query: str, timeout: float | None = None, dataset: Iterable[tuple[str, str]] = ()
    ) -> list[Solution]:
        wrapper = self.wrapper(query, timeout, dataset)
        wrapper.setReturnFormat(JSON)
        return solutions_from_json(self._run(wrapper))

    def ask(self, query: str, dataset: Iterable[tuple[str, str]] = ()) -> bool:
        wrapper = self.wrapper(query, dataset=dataset)
        wrapper.setReturnFormat(JSON)
        return bool(self._run(wrapper).get("boolean"))

    def raw(
        self, query: str, accept: str, timeout: float, params: Iterable[tuple[str, str]] = ()
    ) -> tuple[bytes, str, dict[str, str]]:
        """Send a query as-is and return (body, content type, headers): the public endpoint's proxy."""
        data = [("query", query), *params]
        try:
            response = self.session.post(
                self.endpoints.query, data=data, headers={"Accept": accept}, timeout=timeout, stream=False
            )
        except (TimeoutError, requests.Timeout) as exc:
            raise StoreUnavailable(f"the store did not answer within {timeout:g} s") from exc
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the store cannot be reached: {type(exc).__name__}") from exc
        if response.status_code in (400, 404) or b"SPARQL compiler" in response.content[:2000]:
            raise QueryError(f"the store rejected the query: {response.text[:500]}")
        if response.status_code >= 500:
            raise StoreUnavailable(f"the store answered {response.status_code}: {response.text[:200]}")
        return response.content, response.headers.get("Content-Type", ""), dict(response.headers)

    def _run(self, wrapper: SPARQLWrapper) -> dict[str, Any]:
        try:
            result = wrapper.query().convert()
        except QueryBadFormed as exc:
            raise QueryError(f"the store rejected the query: {str(exc)[:500]}") from exc
        except EndPointInternalError as exc:
            raise StoreUnavailable(f"the store failed: {str(exc)[:300]}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise StoreUnavailable(f"the store cannot be reached: {exc}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(f"the store failed: {str(exc)[:300]}") from exc
        if not isinstance(result, dict):
            raise StoreError("the store answered something that is not SPARQL JSON results")
        return result

    def update(self, update: str, timeout: float | None = None) -> None:
        """Run a SPARQL 1.1 Update request (one request: applied as a whole by the store)."""
        try:
            response = self.session.post(
                self.endpoints.update,
                data={"update": update},
                auth=self._auth(),
                timeout=timeout or self.endpoints.timeout,
            )
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the store cannot be reached for an update: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise StoreError(f"the store refused an update ({response.status_code}): {response.text[:300]}")

    def upload(self, graph: str, triples: list[ox.Triple], timeout: float | None = None) -> None:
        """Add triples to ``graph``: Graph Store protocol POSTs when available, INSERT DATA chunks otherwise."""
        if self.endpoints.graph_store:
            for start in range(0, len(triples), UPLOAD_CHUNK):
                body = ox.serialize(triples[start : start + UPLOAD_CHUNK], format=ox.RdfFormat.N_TRIPLES)
                try:
                    response = self.session.post(
                        self.endpoints.graph_store,
                        params={"graph-uri": graph},
                        data=body,
                        headers={"Content-Type": "text/turtle"},  # N-Triples is Turtle; Virtuoso knows this type
                        auth=self._auth(),
                        timeout=timeout or max(self.endpoints.timeout, 300),
                    )
                except requests.RequestException as exc:
                    raise StoreUnavailable(f"upload to the store failed: {type(exc).__name__}") from exc
                if response.status_code >= 300:
                    raise StoreError(f"the store refused an upload ({response.status_code}): {response.text[:300]}")
            return
        for start in range(0, len(triples), INSERT_CHUNK):
            body = ox.serialize(triples[start : start + INSERT_CHUNK], format=ox.RdfFormat.N_TRIPLES).decode()
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}", timeout=max(self.endpoints.timeout, 120))

    def download(self, graph: str, page: int = 10_000) -> list[ox.Triple]:
        """The whole content of ``graph``, in pages no larger than the result caps stores apply by default."""
        triples: list[ox.Triple] = []
        offset = 0
        while True:
            rows = self.select(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
                f"LIMIT {page} OFFSET {offset}",
                timeout=max(self.endpoints.timeout, 120),
            )
            triples += [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
            if len(rows) < page:
                return triples
            offset += page
