"""Hostile input, generated: property-based fuzzing of the readers, the mapping, the SPARQL gate and the web routes.

    python -m bench.reliability.fuzz             # every target, --examples inputs each (default 1000)

Each target is a property over inputs that hypothesis generates (and shrinks when
one fails): the in-process targets take arbitrary bytes or values straight to the
code that reads partner feeds, maps records and scans SPARQL text; the HTTP targets
send arbitrary URI paths, Accept headers, query parameters and SPARQL texts to a
live ``carrefour serve``.  Targets: zero crashes (an exception other than the
clear errors the code promises) and zero 5xx answers (503 is allowed only where a
query may run out of time).
"""

from __future__ import annotations

import string
import tempfile
import tomllib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.published_hub import BASE
from bench.reliability.common import Outcome, hub_from, parser
from bench.reliability.server import Served, serve, server_errors_logged
from carrefour import paths
from carrefour.errors import CarrefourError, HarvestError, QueryError
from carrefour.sparql.gate import GatePolicy, gate
from carrefour.sparql.parser import parse_query
from carrefour.sparql.render import render
from carrefour.vocab import Hub
from loader.feeds import FeedSpec, FetchSettings, read_feed
from loader.mapping.engine import RecordMapper
from loader.mapping.minting import Minter
from loader.mapping.spec import read_partner


@dataclass
class TargetResult:
    name: str
    tried: int = 0
    failures: list[str] = field(default_factory=list)


def run_property(
    name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None], examples: int, seed: int = 0
) -> TargetResult:
    """Run ``check`` on ``examples`` generated inputs; a failing input is shrunk and reported."""
    result = TargetResult(name)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
    )
    @given(strategy)
    def prop(value: Any) -> None:
        result.tried += 1
        check(value)

    try:
        prop()
    except Exception as exc:  # the shrunk failing input: reported, not raised, so every target runs
        causes = exc.exceptions if isinstance(exc, ExceptionGroup) else ()  # a flaky failure holds what failed
        said = "; ".join(f"{type(c).__name__}: {str(c)[:300]}" for c in causes)
        result.failures.append(f"{type(exc).__name__}: {said + ' | ' if said else ''}{str(exc)[:400]}")
    return result


# -- in-process targets ----------------------------------------------------------------------------

SETTINGS = FetchSettings("Carrefour-fuzz (+http://127.0.0.1/)", delay=0, timeout=2, max_bytes=1 << 20)
FEED_FILES = {
    "csv": "f.csv",
    "tsv": "f.tsv",
    "json": "f.json",
    "geojson": "f.geojson",
    "rdf-ttl": "f.ttl",
    "rdf-nt": "f.nt",
    "rdf-xml": "f.rdf",
    "rdf-jsonld": "f.jsonld",
}
SEEDS = {  # realistic starts the fuzzer mutates, besides random bytes
    "csv": b"id;nom;code_postal\n1;Lieu;29200\n",
    "tsv": b"id\tnom\n1\tLieu\n",
    "json": b'[{"id": "1", "nom": "Lieu"}]',
    "geojson": b'{"type": "FeatureCollection", "features": []}',
    "rdf-ttl": b'<http://a.example/s> <http://a.example/p> "o" .',
    "rdf-nt": b'<http://a/s> <http://a/p> "o" .\n',
    "rdf-xml": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    "rdf-jsonld": b'{"@context": {"name": "http://schema.org/name"}, "@id": "http://a/s", "name": "x"}',
}


def mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """Random bytes, and the seed with random bytes inserted, replaced or cut."""
    spliced = st.tuples(st.integers(0, len(seed)), st.integers(0, 8), st.binary(max_size=40)).map(
        lambda t: seed[: t[0]] + t[2] + seed[t[0] + t[1] :]
    )
    return st.one_of(st.binary(max_size=400), spliced, spliced.map(lambda b: b * 3))


def reader_check(fmt: str) -> Callable[[bytes], None]:
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / FEED_FILES[fmt]
            path.write_bytes(data)
            spec = FeedSpec.from_table({"format": fmt.split("-")[0], "source": str(path)})
            try:
                for _ in read_feed(spec, SETTINGS, Path(work) / "cache"):
                    pass
            except HarvestError:
                pass  # a clear error: the partner fails alone, which is what bad bytes deserve

    return check


def mapper() -> RecordMapper:
    text = (paths.PARTNERS_DIR / "hub-du-sud.toml").read_text(encoding="utf-8")
    spec = read_partner(tomllib.loads(text), "hub-du-sud.toml")
    hub = Hub(BASE)
    return RecordMapper(spec, hub, Minter(hub, spec.id, {}))


FIELDS = (
    "id",
    "nom",
    "services",
    "pivot",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "latitude",
    "longitude",
    "source",
    "date_maj",
    "site_web",
    "courriels",
    "telephone",
    "publics_accueillis",
    "labels_nationaux",
    "prise_rdv",
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "00000000000000",
            "javascript:alert(1)",
            "<script>x</script>",
            "1970-01-01",
            "31/02/2023",
            "2023-13-45",
            "99999",
            "2A004",
            "+33 6 12 34 56 78",
            "a@b",
            "prenom.nom@gmail.com",
            "http://",
            "https://x.example/é ?",
            "\x00",
            "\ufffd",
            "É" * 300,
        ]
    ),
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists and objects of values (a named function: hypothesis reads its source to see that it recurses)."""
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


_values = st.recursive(_scalars, _nested, max_leaves=6)
records = st.dictionaries(st.sampled_from(FIELDS), _values, max_size=len(FIELDS))


def mapping_check() -> Callable[[dict[str, Any]], None]:
    engine = mapper()

    def check(fields: dict[str, Any]) -> None:
        from loader.feeds import Record

        mapped = engine.map(Record(fields, "$[0]"))
        for entity in mapped.entities:
            for triple in entity.triples:  # every term the mapping made is a valid RDF term
                ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES)

    return check


SPARQL_WORDS = (
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "INSERT",
    "DELETE",
    "DATA",
    "LOAD",
    "CLEAR",
    "DROP",
    "WITH",
    "SERVICE",
    "SILENT",
    "PREFIX",
    "BASE",
    "FROM",
    "NAMED",
    "GRAPH",
    "FILTER",
    "BIND",
    "VALUES",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    "*",
    ".",
    ";",
    "<http://127.0.0.1:9/x>",
    "e:x",
    "e:",
    '"str"',
    "'''long'''",
    "# c\n",
    "\\u0049NSERT",
    "\\U00000053ELECT",
    "<",
    ">",
    '"',
    "\\",
    "insert",
    "select",
    "1",
    "LIMIT",
    "ORDER BY",
    "REGEX",
    "a",
)
sparql_texts = st.one_of(
    st.lists(st.sampled_from(SPARQL_WORDS), max_size=25).map(" ".join),
    st.text(max_size=200),
    st.text(alphabet=string.printable, max_size=200),
)


GATE_POLICY = GatePolicy.of("http://127.0.0.1:8080/", (), {})


def sparql_gate_check(text: str) -> None:
    """The gate only ever refuses (403) or rejects (400); it never lets an update through as a query,
    and what it lets through reads back to itself and is accepted by the engine."""
    try:
        gated = gate(text, GATE_POLICY)
    except QueryError:
        return
    if render(parse_query(gated.text)) != gated.text:
        raise AssertionError(f"the canonical text of {text!r} does not read back to itself")
    try:
        ox.Store().update(text)
    except (SyntaxError, ValueError, OSError):
        return
    if text.strip():  # the engine read it as an update that changed nothing here: the gate must have refused
        raise AssertionError(f"an update passed the gate as a {gated.form}: {text!r}")


def in_process_targets(examples: int) -> list[TargetResult]:
    results = [run_property(f"reader {fmt}", mutations(SEEDS[fmt]), reader_check(fmt), examples) for fmt in SEEDS]
    results.append(run_property("mapping (hub-du-sud rules)", records, mapping_check(), examples))
    results.append(run_property("SPARQL gate", sparql_texts, sparql_gate_check, examples))
    return results


# -- HTTP targets ----------------------------------------------------------------------------------

PATH_PARTS = (
    "initiative",
    "actor",
    "concept",
    "theme",
    "territory",
    "region",
    "53",
    "partner",
    "feed-a",
    "dumps",
    "static",
    "browse",
    "search",
    "sparql",
    "graph",
    "report",
    "..",
    ".",
    "%2e%2e",
    "%00",
    "%ff",
    "x.ttl",
    "x.html",
    ".well-known",
    "void",
    "catalog",
    "context.jsonld",
    "ontology",
    "shapes",
    "dataset",
    "é",
    "%C3%A9",
    "a" * 300,
    "?",
    "#",
    ";",
    "%2F",
    "\\",
)
paths_strategy = st.one_of(
    st.lists(st.sampled_from(PATH_PARTS), min_size=1, max_size=6).map("/".join),
    st.lists(st.text(min_size=1, max_size=12).map(lambda t: quote(t, safe="")), min_size=1, max_size=5).map("/".join),
)
MEDIA = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/json",
    "*/*",
    "text/*",
    "application/*",
    "image/png",
    "application/sparql-results+json",
    "text/csv",
    "",
    ";",
    ",",
    "q=",
    "*/html",
)
accept_strategy = st.one_of(
    st.lists(
        st.tuples(
            st.sampled_from(MEDIA),
            st.one_of(st.none(), st.floats(-2, 3), st.text(string.printable.strip(), max_size=4)),
        ),
        max_size=5,
    ).map(lambda parts: ", ".join(m + (f";q={q}" if q is not None else "") for m, q in parts)),
    # without leading blanks: HTTP strips them (optional whitespace), and requests refuses to send them
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120).map(str.lstrip),
)
param_value = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(
        [
            "0",
            "-1",
            "1e9",
            "NaN",
            "",
            "ttl",
            "html",
            "json",
            "en",
            "fr",
            "xx",
            '" } ; DROP ALL',
            "*",
            "NEAR(a b)",
            "a OR b",
            '"unterminated',
        ]
    ),
)
ROUTES = (
    "/search",
    "/browse/theme",
    "/browse/region",
    "/browse/partner",
    "/concept/theme/health",
    "/partner/feed-a",
    "/dumps/",
    "/sparql",
    "/.well-known/void",
    "/",
    "/territory/region/53",
)
params_strategy = st.tuples(
    st.sampled_from(ROUTES),
    st.dictionaries(
        st.sampled_from(["q", "page", "lang", "format", "query", "default-graph-uri", "x"]), param_value, max_size=4
    ),
)


def http_check(served: Served, build: Callable[[Any], dict[str, Any]], allowed_503: bool = False) -> Callable:
    session = requests.Session()

    def check(value: Any) -> None:
        request = build(value)
        try:
            answer = session.request(timeout=60, **request)
        except requests.ConnectionError as exc:
            raise AssertionError(f"connection failed for {request}: {exc}") from exc
        if answer.status_code >= 500 and not (allowed_503 and answer.status_code == 503):
            raise AssertionError(f"{answer.status_code} for {request}: {answer.text[:200]!r}")

    return check


def http_targets(served: Served, examples: int, resource: str) -> list[TargetResult]:
    url = served.url
    return [
        run_property(
            "URI paths", paths_strategy, http_check(served, lambda p: {"method": "GET", "url": f"{url}/{p}"}), examples
        ),
        run_property(
            "Accept headers",
            accept_strategy,
            http_check(served, lambda a: {"method": "GET", "url": url + resource, "headers": {"Accept": a}}),
            examples,
        ),
        run_property(
            "query parameters",
            params_strategy,
            http_check(served, lambda rp: {"method": "GET", "url": url + rp[0], "params": rp[1]}, allowed_503=True),
            examples,
        ),
        run_property(
            "SPARQL text over HTTP",
            sparql_texts,
            http_check(
                served, lambda q: {"method": "POST", "url": url + "/sparql", "data": {"query": q}}, allowed_503=True
            ),
            examples,
        ),
    ]


def outcome(results: list[TargetResult], logged: list[str]) -> Outcome:
    out = Outcome("Hostile input: property-based fuzzing (hypothesis)")
    for r in results:
        out.add(r.name, f"{r.tried} inputs, {len(r.failures)} failures", "0 failures", not r.failures)
        out.notes += [f"{r.name}: {f}" for f in r.failures]
    out.add_logged_errors(logged, "tracebacks")
    return out


def run_fuzz(hub: Any, examples: int) -> Outcome:
    results = in_process_targets(examples)
    served = serve(hub, workers=2, threads=4)
    try:
        results += http_targets(served, examples, "/partner/feed-a")
        logged = server_errors_logged(served)
    finally:
        served.stop()
    return outcome(results, logged)


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0], n=2000, feed_records=500)
    options.add_argument("--examples", type=int, default=1000, help="inputs per target")
    args = options.parse_args(argv)
    try:
        out = run_fuzz(hub_from(args), args.examples)
    except CarrefourError:
        traceback.print_exc()
        raise
    out.print()
    return out


if __name__ == "__main__":
    main()
