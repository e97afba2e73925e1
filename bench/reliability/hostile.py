"""Hostile requests, written by hand: XSS in partner text, SPARQL injection, updates, traversal, oversized bodies.

    python -m bench.reliability.hostile

- **XSS**: the harvested feed ``feed-b`` carries script, event handlers, ``javascript:``
  URLs and ``</script>`` in names, addresses, categories and URLs.  Every page that
  shows them (the records, the partner, its report and taxonomy, search results,
  browsing) and every page that reflects a visitor's input (search, a 404) is parsed
  with an HTML parser: no script but the hub's own, no event-handler attribute, no
  ``javascript:`` link, no probe element, and every embedded JSON-LD parses.
- **SPARQL injection**: the audit of every query built by splicing
  (``bench.reliability.audit``), and probes through every parameter that reaches a
  query (resource paths, ``page``, graph IRIs, search words, browse facets).
- **Updates, LOAD, SERVICE**: through every route and method, in every disguise;
  all refused, the published version unchanged, and a listener standing for an
  unlisted SERVICE host receives no connection.
- **Path traversal** on ``/dumps/`` and ``/static/``, and **bodies over the size limit**.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import requests

from bench.published_hub import BASE
from bench.reliability.audit import splice_sites, unreviewed
from bench.reliability.common import Outcome, hub_from, parser
from bench.reliability.hub import SuiteHub
from bench.reliability.server import Served, serve, server_errors_logged
from carrefour.vocab import SCHEMA, Hub

MARKER = re.compile(r"xss-\d+")
# Elements a probe would bring: the hub's own pages use none of them around partner text.
PROBE_TAGS = frozenset({"script", "iframe", "svg", "img", "style", "object", "embed", "math", "frame"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"})
HTML = {"Accept": "text/html"}


@dataclass
class PageAudit:
    url: str
    unescaped: list[str] = field(default_factory=list)
    shown: int = 0  # probe markers found as text: the probe is displayed, escaped


class _Auditor(HTMLParser):
    def __init__(self, audit: PageAudit) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = audit
        self._script: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = " ".join(v or "" for _, v in attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.audit.unescaped.append(f"<{tag} {name}=…>")
            cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.audit.unescaped.append(f"<{tag} {name}={value!r}>")
        if tag in PROBE_TAGS and MARKER.search(values):
            self.audit.unescaped.append(f"<{tag} {values[:80]!r}>")
        if tag == "script":
            kind = dict(attrs).get("type") or ""
            source = dict(attrs).get("src") or ""
            if kind not in ("application/ld+json", "application/json") and not source.startswith("/static/"):
                self.audit.unescaped.append(f"<script type={kind!r} src={source!r}>")
            self._script = (kind, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind, parts = self._script
            text = "".join(parts)
            if kind.endswith("json"):
                try:
                    json.loads(text)
                except ValueError:
                    self.audit.unescaped.append(f"embedded JSON broken: {text[:80]!r}")
            if MARKER.search(text) and not kind.endswith("json"):
                self.audit.unescaped.append(f"probe inside a script: {text[:80]!r}")
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)
        else:
            self.audit.shown += len(MARKER.findall(data))


def audit_page(session: requests.Session, url: str) -> PageAudit:
    audit = PageAudit(url)
    answer = session.get(url, headers=HTML, timeout=60)
    if answer.status_code >= 500:
        audit.unescaped.append(f"status {answer.status_code}")
    if "html" in answer.headers.get("Content-Type", ""):
        auditor = _Auditor(audit)
        auditor.feed(answer.text)
        auditor.close()
    return audit


def hostile_pages(hub: SuiteHub, limit: int) -> list[str]:
    """Paths of the pages showing feed-b's probes: records, partner, report, taxonomy concepts, lists."""
    terms = Hub(BASE)
    store = hub.open_store()
    try:
        snapshot = store.snapshot()
        name = ox.NamedNode(SCHEMA + "name")
        records = sorted(
            {
                q.subject.value
                for q in snapshot.quads(None, name, None, terms.graph("partner", "feed-b"))
                if MARKER.search(q.object.value)
            }
        )
        concepts = sorted(
            {
                q.subject.value
                for q in snapshot.quads(None, None, None, terms.graph("taxonomy", "feed-b"))
                if isinstance(q.object, ox.Literal) and MARKER.search(q.object.value)
            }
        )
    finally:
        store.close()
    paths = [iri[len(BASE) - 1 :] for iri in records[:limit] + concepts[:limit]]
    return paths + [
        "/partner/feed-b",
        "/report/feed-b",
        "/report/feed-b?page=2",
        "/taxonomy/feed-b/services",
        "/search?q=Lieu",
        "/search?q=Lieu&page=2",
        "/search?q=xss",
        "/browse/partner",
        "/",
    ]


REFLECTED = (
    "<script>alert('xss-9001')</script>",
    "\"><img src=x onerror=alert('xss-9002')>",
    "javascript:alert('xss-9003')",
    "</title><svg onload=alert('xss-9004')>",
)


def reflected_pages() -> list[str]:
    """Pages that show what a visitor typed: the search words, a path that does not exist, a bad page number."""
    found = []
    for probe in REFLECTED:
        found += [
            "/search?" + urlencode({"q": probe}),
            "/initiative/feed-b/" + quote(probe, safe=""),
            "/browse/theme?" + urlencode({"page": probe}),
            "/search?" + urlencode({"q": "lieu", "lang": probe}),
            "/sparql?" + urlencode({"query": probe}),
        ]
    return found


# -- updates, LOAD, SERVICE -----------------------------------------------------------------------


class Listener:
    """A TCP listener standing for a host the operator did not allow: it counts who calls."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.calls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.calls += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.socket.close()
        self._thread.join(timeout=5)


def write_payloads(service: str) -> list[str]:
    graph = BASE + "graph/partner/feed-a"
    return [
        'INSERT DATA { <http://evil.example/s> <http://evil.example/p> "pwned" }',
        f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        f"LOAD <{service}> INTO GRAPH <{graph}>",
        "LOAD SILENT <http://evil.example/data.ttl>",
        "CLEAR ALL",
        "DROP ALL",
        f"DROP GRAPH <{graph}>",
        "CREATE GRAPH <http://evil.example/g>",
        f"COPY <{graph}> TO <http://evil.example/g>",
        f"MOVE <{graph}> TO DEFAULT",
        f"ADD <{graph}> TO DEFAULT",
        f"WITH <{graph}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        'insert data { <http://e/s> <http://e/p> "x" }',
        '\\u0049NSERT DATA { <http://e/s> <http://e/p> "x" }',
        '# a comment\nPREFIX e: <http://e/>\nINSERT DATA { e:s e:p "x" }',
        'SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://e/s> <http://e/p> "x" }',
        'ASK {} \n INSERT DATA { <http://e/s> <http://e/p> "x" }',
        f"SELECT * WHERE {{ SERVICE <{service}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{service}> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{service.rsplit('/', 1)[0]}/>\nSELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{service.rsplit('/', 1)[0]}/>\nSELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        f"SELECT * WHERE {{ \\u0053ERVICE <{service}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{service}> {{ ?s ?p ?o }} }}",
    ]


def write_requests(url: str, payload: str) -> list[dict[str, object]]:
    """One payload through every route and method a client could try."""
    return [
        {"method": "GET", "url": url + "/sparql", "params": {"query": payload}},
        {"method": "GET", "url": url + "/sparql", "params": {"update": payload}},
        {"method": "POST", "url": url + "/sparql", "data": {"query": payload}},
        {"method": "POST", "url": url + "/sparql", "data": {"update": payload}},
        {
            "method": "POST",
            "url": url + "/sparql",
            "data": payload.encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {
            "method": "POST",
            "url": url + "/sparql",
            "data": payload.encode(),
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {
            "method": "POST",
            "url": url + "/sparql",
            "data": payload.encode("utf-16"),
            "headers": {"Content-Type": "application/sparql-query; charset=utf-16"},
        },
        {"method": "PUT", "url": url + "/sparql", "data": payload.encode()},
        {"method": "POST", "url": url + "/sparql?" + urlencode({"update": payload}), "data": {"query": "ASK {}"}},
        {"method": "POST", "url": url + "/dataset", "data": {"update": payload}},
        {
            "method": "PUT",
            "url": url + "/graph/partner/feed-a",
            "data": payload.encode(),
            "headers": {"Content-Type": "text/turtle"},
        },
        {"method": "DELETE", "url": url + "/graph/partner/feed-a"},
        {"method": "POST", "url": url + "/dumps/", "data": payload.encode()},
    ]


@dataclass
class Probe:
    name: str
    tried: int = 0
    failures: list[str] = field(default_factory=list)


def probe_writes(served: Served, hub: SuiteHub) -> Probe:
    probe = Probe("SPARQL Update, LOAD, SERVICE to an unlisted host, every route")
    listener = Listener()
    store = hub.open_store()
    try:
        before = (store.snapshot().info.version, store.snapshot().count())
        with requests.Session() as session:
            for payload in write_payloads(listener.url):
                for request in write_requests(served.url, payload):
                    probe.tried += 1
                    answer = session.request(timeout=60, **request)  # type: ignore[arg-type]
                    refused = answer.status_code in (400, 403, 404, 405, 413, 415)
                    if not refused:
                        probe.failures.append(
                            f"{answer.status_code} {request['method']} {request['url'][:60]} {payload[:50]!r}"
                        )
        after = (store.snapshot().info.version, store.snapshot().count())
    finally:
        store.close()
        listener.close()
    if after != before:
        probe.failures.append(f"the published version changed: {before} -> {after}")
    if listener.calls:
        probe.failures.append(f"the unlisted SERVICE host was called {listener.calls} times")
    return probe


# -- injection, traversal, bodies ---------------------------------------------------------------------

INJECTIONS = (
    "> } ; DROP ALL ; #",
    '"> } UNION { ?s ?p ?o } #',
    "x> ?p ?o } } SELECT * { ?s ?p ?o",
    "\\u003E } #",
    "' OR 1=1 --",
    '") } INSERT DATA { <a> <b> "c" } #',
)


def probe_injection(served: Served) -> Probe:
    """Injection probes through every parameter that reaches a query: never an error of the engine, never data."""
    probe = Probe("SPARQL injection through request parameters")
    with requests.Session() as session:
        for text in INJECTIONS:
            quoted = quote(text, safe="")
            cases = [
                (f"/initiative/feed-a/{quoted}", (400, 404)),
                (f"/initiative/feed-a/{quoted}.ttl", (400, 404)),
                (f"/concept/theme/{quoted}", (400, 404)),
                ("/concept/theme/health?" + urlencode({"page": text}), (400,)),
                ("/browse/theme?" + urlencode({"page": text}), (400,)),
                (f"/browse/{quoted}", (404,)),
                ("/search?" + urlencode({"q": text}), (200,)),
                ("/search?" + urlencode({"q": text, "format": "json"}), (200,)),
                (
                    "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": text}),
                    (400,),
                ),
                (
                    "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "named-graph-uri": text}),
                    (400,),
                ),
            ]
            for path, expected in cases:
                probe.tried += 1
                answer = session.get(served.url + path, timeout=60)
                if answer.status_code not in expected:
                    probe.failures.append(f"{answer.status_code} (expected {expected}) {path[:90]}")
    return probe


TRAVERSALS = (
    "../CURRENT.json",
    "..%2FCURRENT.json",
    "%2e%2e/CURRENT.json",
    "%2e%2e%2fCURRENT.json",
    "..%252FCURRENT.json",
    "....//CURRENT.json",
    "..\\CURRENT.json",
    "%2e%2e%5cCURRENT.json",
    "../../../../../../etc/passwd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%00/etc/passwd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "dumps.json/../../CURRENT.json",
    ".dumps.json.partial",
    ".graph.nt.partial",
    "../stats.json",
    "../search.sqlite",
    "../../store/CURRENT",
    "..%c0%af..%c0%afetc/passwd",
    "%252e%252e%252fetc%252fpasswd",
    "carrefour.nq.gz%00.txt",
    "./carrefour.nq.gz/../../stats.json",
    "../../../../server/__init__.py",
)
SECRETS = ("root:x:0:0", '"generation"', "from __future__", "SQLite format", '"quads"', "MANIFEST-")


def probe_traversal(served: Served) -> Probe:
    probe = Probe("path traversal on /dumps/ and /static/")
    with requests.Session() as session:
        for prefix in ("/dumps/", "/static/", "/static/vendor/yasgui/"):
            for path in TRAVERSALS:
                probe.tried += 1
                answer = session.get(served.url + prefix + path, timeout=60)
                leaked = [s for s in SECRETS if s in answer.text]
                if answer.status_code not in (400, 404) or leaked:
                    probe.failures.append(f"{answer.status_code} {prefix}{path} {leaked}")
    return probe


def probe_bodies(served: Served, max_request: int, max_query: int) -> Probe:
    """Bodies above MAX_REQUEST_BYTES, and query texts above SPARQL_MAX_QUERY_BYTES: 413, the server unharmed."""
    probe = Probe("request bodies over the size limit")
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (max_request + 1024)
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (max_query + 10)

    def chunks() -> object:
        for _ in range(max_request // 65536 + 4):
            yield b"x" * 65536

    cases = [
        ("form body", {"data": {"query": big}}),
        ("sparql-query body", {"data": big.encode(), "headers": {"Content-Type": "application/sparql-query"}}),
        ("chunked body", {"data": chunks(), "headers": {"Content-Type": "application/sparql-query"}}),
        ("query text over SPARQL_MAX_QUERY_BYTES", {"data": {"query": long_query}}),
        ("multipart body", {"files": {"query": ("q.rq", big.encode())}}),
    ]
    with requests.Session() as session:
        for name, extra in cases:
            probe.tried += 1
            try:
                answer = session.post(served.url + "/sparql", timeout=60, **extra)  # type: ignore[arg-type]
                status = answer.status_code
            except (
                requests.ConnectionError
            ) as exc:  # the server may close early on an oversized body; then it must live
                status = f"closed ({type(exc).__name__})"
            if status not in (413, 415, 400) and not str(status).startswith("closed"):
                probe.failures.append(f"{name}: {status}")
            if requests.get(served.url + "/", timeout=30).status_code != 200:
                probe.failures.append(f"{name}: the server stopped answering")
    return probe


# -- the run ------------------------------------------------------------------------------------------


def run_hostile(hub: SuiteHub, limit: int = 200) -> Outcome:
    out = Outcome("Hostile input: XSS, injection, writes, traversal, oversized bodies")
    served = serve(hub, workers=2, threads=4)
    try:
        with requests.Session() as session:
            audits = [audit_page(session, served.url + path) for path in hostile_pages(hub, limit)]
            reflected = [audit_page(session, served.url + path) for path in reflected_pages()]
        unescaped = [(a.url, u) for a in audits + reflected for u in a.unescaped]
        shown = sum(1 for a in audits if a.shown)
        out.add(
            "XSS: pages with partner probes parsed",
            f"{len(audits)} pages, probes shown as text on {shown}",
            "probes shown",
            shown > 0,
        )
        out.add("XSS: pages reflecting visitor input parsed", str(len(reflected)), "", True)
        out.add("XSS: unescaped probes", str(len(unescaped)), "0", not unescaped)
        out.notes += [f"UNESCAPED {url}: {what}" for url, what in unescaped[:10]]
        sites = splice_sites()
        missing = unreviewed()
        out.add(
            "injection audit: queries built by splicing",
            f"{sum(sites.values())} in {len(sites)} functions, {len(missing)} not reviewed",
            "0 not reviewed, none from a request",
            not missing,
        )
        out.notes += [f"NOT REVIEWED: {m}" for m in missing]
        config = {"MAX_REQUEST_BYTES": 1048576, "SPARQL_MAX_QUERY_BYTES": 65536}
        for probe in (
            probe_injection(served),
            probe_writes(served, hub),
            probe_traversal(served),
            probe_bodies(served, config["MAX_REQUEST_BYTES"], config["SPARQL_MAX_QUERY_BYTES"]),
        ):
            out.add(
                probe.name, f"{probe.tried} tried, {len(probe.failures)} failures", "0 failures", not probe.failures
            )
            out.notes += [f"{probe.name}: {f}" for f in probe.failures[:8]]
        logged = server_errors_logged(served)
        out.add_logged_errors(logged, "tracebacks")
    finally:
        served.stop()
    return out


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0], n=2000, feed_records=500)
    args = options.parse_args(argv)
    out = run_hostile(hub_from(args))
    out.print()
    return out


if __name__ == "__main__":
    main()
