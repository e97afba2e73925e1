"""The gate against the engines' own readings: generated hostile query texts, read by both, must agree.

    python -m bench.reliability.gate_fuzz              # 100,000 texts against Oxigraph, 100,000 against Virtuoso
    python -m bench.reliability.gate_fuzz --examples 2000 --virtuoso 300

The texts are built from what makes readers disagree (comments ended by every kind of
line break, codepoint escapes in keywords, strings and IRIs, quotes and ``>`` inside
IRIs and strings, escapes in prefixed names) wrapped around what a hostile client wants
to hide: SERVICE to an internal host, a function of the store (``bif:http_get``), a
function at that host's address.  A listener on another loopback port stands for the
internal host and counts who calls it.  For every text:

* the engine reads the *original* text (Oxigraph in memory, evaluated; Virtuoso over
  its own endpoint): if its reading reaches the listener or calls a watched function,
  the gate must have refused the text;
* if the gate accepted it, the engine runs the gate's canonical text, which must reach
  nothing and be accepted.

Disagreements (the gate accepting what an engine reads as reaching out) must be 0.
Texts the gate refuses although the engine reads them as harmless are counted too
(the gate is stricter: refusing is always safe) with examples, as are texts the gate
accepts and the engine refuses (the canonical text, which is what runs, is accepted).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
from hypothesis import strategies as st

from bench.reliability.common import Outcome
from bench.reliability.fuzz import run_property
from bench.reliability.hostile import Listener
from carrefour.errors import QueryError
from carrefour.sparql.gate import GatePolicy, gate

POLICY = GatePolicy.of("http://127.0.0.1:8080/", (), {})  # no SERVICE host allowed
ENGINE_ERRORS = (SyntaxError, OSError, ValueError, RuntimeError, TypeError)
LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x85", "\u2028", "\u2029", "\\u000A", "\\u000D", "\\U0000000A"]


def payloads(target: str) -> list[str]:
    """What a hostile client wants to run, aimed at the listener ``target`` (``http://127.0.0.1:port/``)."""
    return [
        f"SERVICE <{target}sparql> {{ ?a ?b ?c }}",
        f"SERVICE SILENT <{target}sparql> {{ }}",
        f"service <{target}sparql> {{ ?s ?p ?o }}",
        f"OPTIONAL {{ SERVICE <{target}sparql> {{ }} }}",
        f"BIND(<{target}f>(?s) AS ?leak)",
        f"FILTER(<bif:http_get>('{target}x'))",
        f'BIND(<bif:http_get>("{target}x") AS ?page)',
        f"FILTER EXISTS {{ SERVICE <{target}sparql> {{ }} }}",
    ]


def disguises() -> list[Callable[[str], str]]:
    """Ways of writing a payload so that one reader sees it and another does not."""
    found: list[Callable[[str], str]] = [lambda p: p, lambda p: p.replace("SERVICE", "SERVI\\u0043E")]
    found += [lambda p, b=b: f"# note{b}{p}" for b in LINE_BREAKS]  # type: ignore[misc]
    found += [
        lambda p: p.replace("SERVICE", "\\u0053ERVICE"),
        lambda p: p.replace("SERVICE", "SERV\\U00000049CE"),
        lambda p: f'?s ?p "{p}" .',
        lambda p: f'?s ?p "\\u0022 }} {p} #" .',
        lambda p: f'?s ?p "\\\\u0022 }} {p} #" .',
        lambda p: f"?s ?p '''a'' {p} ''' .",
        lambda p: f'?s ?p """a"" {p} """ .',
        lambda p: f"?s ?p '\\' {p} #' .",
        lambda p: f"?s ?p <http://x/\\u003E }} {p} #> .",
        lambda p: f'?s ?p <http://x/"> {p} <"> .',
        lambda p: f"?s e:a\\#b ?o . {p}",
        lambda p: f"?s e:a\\u0023b ?o .\n{p}",
        lambda p: f"FILTER(?x<?a&&?b>?y) {p}",
        lambda p: f"?s ?p ?o #\\u000A {p}",
    ]
    return found


TEMPLATES = [
    "PREFIX e: <http://e/> SELECT * WHERE {{ ?s ?p ?o . {x} }}",
    "PREFIX e: <http://e/> SELECT * {{ {x}\n}}",
    "PREFIX e: <http://e/> ASK {{ {x}\n}}",
    "PREFIX e: <http://e/> CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ {x}\n}} }}",
    "PREFIX e: <http://e/> SELECT * {{ ?s ?p ?o FILTER EXISTS {{ {x}\n}} }}",
    "PREFIX e: <http://e/> SELECT * {{ {{ SELECT * {{ {x}\n}} }} }}",
    "PREFIX e: <http://e/> DESCRIBE ?s {{ {x}\n}}",
]
SOUP = ["{", "}", "(", ")", "<", ">", '"', "'", "#", "\\", "\\u0022", "\\u003E", "\n", "\r", "\u2028", " ", ".",
        "SELECT", "*", "WHERE", "?s", "?p", "?o", "e:a", "FILTER", "BIND", "AS", "true"]  # fmt: skip


NOISE = " \t\n\r#\"'<>\\{}.;()?:u0123456789ABCDEF\u2028\x0c"


def _noisy(text: str, noise: str, at: int) -> str:
    """``text`` with a few characters that matter to a reader slipped in somewhere."""
    at %= len(text) + 1
    return text[:at] + noise + text[at:]


def hostile_texts(target: str) -> st.SearchStrategy[str]:
    """Templates holding disguised payloads (with noise slipped in), and token soups of the same pieces."""
    shaped = st.builds(
        lambda template, disguise, payload, noise, at: template.format(x=_noisy(disguise(payload), noise, at)),
        st.sampled_from(TEMPLATES),
        st.sampled_from(disguises()),
        st.sampled_from(payloads(target)),
        st.text(alphabet=NOISE, max_size=4),
        st.integers(min_value=0, max_value=200),
    )
    pieces = st.sampled_from(SOUP + payloads(target))
    soup = st.lists(pieces, min_size=1, max_size=14).map(lambda parts: "PREFIX e: <http://e/> " + " ".join(parts))
    return st.one_of(shaped, shaped, soup)


MATCHED = "<urn:s> <urn:p> <urn:o> . <urn:s> <http://e/a#b> <urn:o> . <urn:s> <http://e/a> <urn:o> ."


@dataclass(frozen=True)
class Reading:
    """What an engine made of a text: whether it read it, and what its reading reached."""

    parsed: bool
    reached: frozenset[str] = frozenset()


class OxigraphReader:
    """Oxigraph in memory, evaluating the text; watched functions are registered so that calls are seen.

    The store holds a few triples every generated pattern matches: evaluation is lazy,
    and a SERVICE joined with nothing would never be called.
    """

    def __init__(self, listener: Listener, target: str) -> None:
        self.listener = listener
        self.store = ox.Store()
        self.store.load(MATCHED.encode(), ox.RdfFormat.TURTLE)
        self.called: list[str] = []
        watched = [f"{target}f", "bif:http_get"]
        self.functions = {ox.NamedNode(iri): self._recorder(iri) for iri in watched}

    def _recorder(self, iri: str) -> Callable[..., None]:
        def record(*_: object) -> None:
            self.called.append(iri)

        return record

    def read(self, text: str) -> Reading:
        calls, self.called = self.listener.calls, []
        try:
            answer = self.store.query(text, base_iri=POLICY.base, custom_functions=self.functions)
            if not isinstance(answer, ox.QueryBoolean):
                for _, _row in zip(range(50), answer, strict=False):
                    pass
            parsed = True
        except SyntaxError:
            parsed = False
        except ENGINE_ERRORS:
            parsed = True  # read, then failed while evaluating (a SERVICE call refused by the listener…)
        reached = {f"function {iri}" for iri in self.called}
        if self.listener.calls > calls:
            reached.add("the internal host")
        return Reading(parsed, frozenset(reached))


class VirtuosoReader:
    """Virtuoso's own endpoint, sent the text as a client would send it straight to the store."""

    def __init__(self, listener: Listener, query_url: str) -> None:
        self.listener = listener
        self.query_url = query_url
        self.session = requests.Session()

    def read(self, text: str) -> Reading:
        calls = self.listener.calls
        try:
            response = self.session.post(
                self.query_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}, timeout=10
            )
            parsed = not (response.status_code == 400 and "SP030" in response.text)  # its syntax errors
        except requests.RequestException:
            parsed = True
        return Reading(parsed, frozenset({"the internal host"} if self.listener.calls > calls else ()))


@dataclass
class Tally:
    """What the differential run saw, beyond the failures hypothesis reports."""

    distinct: set[int] = field(default_factory=set)  # hashes of the texts tried
    refused: int = 0
    accepted: int = 0
    reached_out: int = 0  # originals whose engine reading called the listener or a watched function
    stricter: list[str] = field(default_factory=list)  # refused, though the engine read it and it reached nothing
    lenient: list[str] = field(default_factory=list)  # accepted, though the engine refused the original text


def agreement(read: Callable[[str], Reading], tally: Tally) -> Callable[[str], None]:
    """The property: the gate lets through no text whose engine reading reaches out; what it runs reaches nothing."""

    def check(text: str) -> None:
        tally.distinct.add(hash(text))
        try:
            gated = gate(text, POLICY)
        except QueryError:
            gated = None
        original = read(text)
        tally.reached_out += bool(original.reached)
        if gated is None:
            tally.refused += 1
            if original.parsed and not original.reached:
                tally.stricter.append(text)
            return
        tally.accepted += 1
        if original.reached:
            raise AssertionError(f"the gate accepted {text!r}; the engine's reading reaches {sorted(original.reached)}")
        canonical = read(gated.text)
        if canonical.reached or not canonical.parsed:
            raise AssertionError(f"the canonical text {gated.text!r} reaches {sorted(canonical.reached)} or is refused")
        if not original.parsed:
            tally.lenient.append(text)

    return check


@contextmanager
def virtuoso_endpoint() -> Iterator[str | None]:
    """A throw-away Virtuoso allowed to make SERVICE calls, or None where it is not installed."""
    from tests.support import virtuoso

    if not virtuoso.available():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="gate-fuzz-virtuoso-") as folder:
        server = virtuoso.start(Path(folder))  # SERVICE allowed to its anonymous user, as federation needs
        try:
            server.update(f"INSERT DATA {{ GRAPH <urn:fuzz> {{ {MATCHED} }} }}")  # evaluation is lazy here too
            yield server.query_url
        finally:
            server.stop()


def report(out: Outcome, engine: str, examples: int, result: object, tally: Tally) -> None:
    failures = getattr(result, "failures", [])
    out.add(f"{engine}: texts tried", str(getattr(result, "tried", 0)), f"{examples:,}", True)
    out.add(f"{engine}: distinct texts", f"{len(tally.distinct):,}", "", True)
    out.add(f"{engine}: gate accepted / refused", f"{tally.accepted:,} / {tally.refused:,}", "", True)
    out.add(f"{engine}: texts the engine reads as reaching out", f"{tally.reached_out:,}", "> 0", tally.reached_out > 0)
    out.add(f"{engine}: disagreements (accepted, engine reaches out)", str(len(failures)), "0", not failures)
    out.add(f"{engine}: refused though harmless to the engine", f"{len(tally.stricter):,}", "(safe)", True)
    out.add(f"{engine}: accepted though the engine refuses the original", f"{len(tally.lenient):,}", "(safe)", True)
    out.notes += failures[:3] + [f"{engine} stricter, e.g. {t!r}" for t in tally.stricter[:2]]
    out.notes += [f"{engine} lenient, e.g. {t!r}" for t in tally.lenient[:2]]


def run(examples: int, virtuoso_examples: int) -> Outcome:
    out = Outcome("The gate against the engines' readings (differential fuzzing)")
    listener = Listener()
    target = listener.url.rsplit("/", 1)[0] + "/"
    try:
        if examples:
            started = time.perf_counter()
            tally = Tally()
            reader = OxigraphReader(listener, target)
            result = run_property("gate vs Oxigraph", hostile_texts(target), agreement(reader.read, tally), examples)
            report(out, "Oxigraph", examples, result, tally)
            out.notes.append(f"Oxigraph: {time.perf_counter() - started:.0f} s")
        if virtuoso_examples:
            with virtuoso_endpoint() as query_url:
                if query_url is None:
                    out.notes.append("Virtuoso is not installed: not compared")
                else:
                    started = time.perf_counter()
                    tally = Tally()
                    check = agreement(VirtuosoReader(listener, query_url).read, tally)
                    result = run_property("gate vs Virtuoso", hostile_texts(target), check, virtuoso_examples)
                    report(out, "Virtuoso", virtuoso_examples, result, tally)
                    out.notes.append(f"Virtuoso: {time.perf_counter() - started:.0f} s")
    finally:
        listener.close()
    return out


def main(argv: list[str] | None = None) -> Outcome:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--examples", type=int, default=100_000, help="texts read by the gate and Oxigraph")
    options.add_argument("--virtuoso", type=int, default=100_000, help="texts read by the gate and Virtuoso (0: none)")
    args = options.parse_args(argv)
    outcome = run(args.examples, args.virtuoso)
    outcome.print()
    return outcome


if __name__ == "__main__":
    main()
