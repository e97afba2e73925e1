"""What a SPARQL request is, read from its text before any engine sees it.

The public endpoint must know a query's form (to negotiate the result format),
refuse updates, and refuse ``SERVICE`` calls to hosts the operator did not allow.
The engines parse the text themselves; this scanner only tokenises it the way the
SPARQL 1.1 grammar does (codepoint escapes first, then comments, strings and IRIs),
so that a keyword cannot hide from it inside an escape, a comment or a string.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from carrefour.errors import QueryError, QueryRefused

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:
        (?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\u00B7\u00C0-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Token:
    kind: str
    text: str
    start: int = 0  # position in the text once codepoint escapes are applied
    end: int = 0


@dataclass(frozen=True)
class DatasetClause:
    """A ``FROM <iri>`` or ``FROM NAMED <iri>``; ``start``/``end`` delimit the IRI's token."""

    named: bool
    iri: str
    start: int
    end: int


@dataclass
class QueryShape:
    """The parts of a request the endpoint decides on."""

    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK, or None for an update
    is_update: bool
    services: list[str | None] = field(default_factory=list)  # IRIs; None for a variable
    has_dataset: bool = False  # the query names its own dataset (FROM / FROM NAMED)
    dataset: list[DatasetClause] = field(default_factory=list)

    @property
    def from_graphs(self) -> list[str]:
        """FROM <iri>: the parts of the default graph."""
        return [clause.iri for clause in self.dataset if not clause.named]

    @property
    def from_named_graphs(self) -> list[str]:
        return [clause.iri for clause in self.dataset if clause.named]


def unescape_codepoints(text: str) -> str:
    """Apply SPARQL's \\uXXXX and \\UXXXXXXXX escapes, which precede all parsing."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise QueryError(f"invalid codepoint escape {match.group(0)}")
        return chr(code)

    return _ESCAPE.sub(replace, text)


def tokenize(text: str) -> list[Token]:
    return scan(unescape_codepoints(text))


def scan(unescaped: str) -> list[Token]:
    """The tokens of an already unescaped text, with their positions in it."""
    tokens = []
    for match in _TOKEN.finditer(unescaped):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(0), match.start(), match.end()))
    return tokens


def token_spans(unescaped: str) -> list[tuple[Token, tuple[int, int]]]:
    """The tokens with their positions as pairs, so a rewrite can keep the rest verbatim."""
    return [(token, (token.start, token.end)) for token in scan(unescaped)]


def analyse(text: str) -> QueryShape:
    """Find the form of a query or update and every SERVICE target it names.

    :raises QueryError: the text holds no query form at all.
    """
    tokens = tokenize(text)
    prefixes: dict[str, str] = {}
    base = ""
    form: str | None = None
    is_update = False
    services: list[str | None] = []
    has_dataset = False
    dataset: list[DatasetClause] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname":
            iri = tokens[i + 2].text[1:-1] if tokens[i + 2].kind == "iri" else ""
            prefixes[tokens[i + 1].text.rstrip(":")] = urljoin(base, iri) if base else iri
            i += 3
            continue
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = tokens[i + 1].text[1:-1]
            i += 2
            continue
        if form is None and not is_update:
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_KEYWORDS:
                is_update = True
        if word == "FROM":
            has_dataset = True
            named = i + 1 < len(tokens) and tokens[i + 1].text.upper() == "NAMED"
            j = i + 2 if named else i + 1
            target = _resolve(tokens[j] if j < len(tokens) else None, prefixes, base)
            if target is not None:
                dataset.append(DatasetClause(named, target, tokens[j].start, tokens[j].end))
        if word == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].text.upper() == "SILENT":
                j += 1
            services.append(_resolve(tokens[j] if j < len(tokens) else None, prefixes, base))
        i += 1
    if form is None and not is_update:
        raise QueryError("no query form found: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    return QueryShape(form, is_update, services, has_dataset, dataset)


def _resolve(token: Token | None, prefixes: dict[str, str], base: str) -> str | None:
    """The IRI a token names (an IRI or a prefixed name), or None (a variable, anything else)."""
    if token is None or token.kind == "var":
        return None
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def check_public_query(text: str, allowed_service_hosts: list[str]) -> QueryShape:
    """Refuse updates and SERVICE calls to hosts outside the allow-list.

    :raises QueryRefused: the request is an update, or calls a host not allowed (403).
    :raises QueryError: the text holds no query form (400).
    """
    shape = analyse(text)
    if shape.is_update:
        raise QueryRefused("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, …) is refused")
    allowed = {host.lower() for host in allowed_service_hosts}
    for target in shape.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable endpoint is refused: name an allowed host")
        host = (urlsplit(target).hostname or "").lower()
        if host not in allowed:
            raise QueryRefused(
                f"SERVICE <{target}> is refused: host {host or '?'!r} is not in the operator's allow-list"
            )
    return shape


def bind_values(query: str, bindings: dict[str, str]) -> str:
    """Bind variables with an inline VALUES block at the start of the query's WHERE group.

    ``bindings`` maps variable names to RDF terms already written in N-Triples syntax
    (validated by the term constructors).  Inline VALUES joins with the group the same
    way SEP-0007 substitution does for the hub's own queries, and every SPARQL 1.1
    store evaluates it correctly (a trailing VALUES after GROUP BY is not, in Virtuoso 7).
    """
    if not bindings:
        return query
    unescaped = unescape_codepoints(query)
    for match in _TOKEN.finditer(unescaped):
        if match.lastgroup == "other" and match.group(0) == "{":
            names = " ".join(f"?{name}" for name in bindings)
            values = " ".join(bindings.values())
            at = match.end()
            return f"{unescaped[:at]} VALUES ({names}) {{ ({values}) }} {unescaped[at:]}"
    raise QueryError("the query has no group pattern to bind values in")


def split_prologue(query: str) -> tuple[str, str]:
    """Split a query into its prologue (BASE, PREFIX) and the rest, which can then be nested as a subquery."""
    unescaped = unescape_codepoints(query)
    for match in _TOKEN.finditer(unescaped):
        if match.lastgroup == "word" and match.group(0).upper() in QUERY_FORMS:
            return unescaped[: match.start()], unescaped[match.start() :]
    raise QueryError("no query form found: expected SELECT, CONSTRUCT, DESCRIBE or ASK")


def replace_dataset(query: str, keep: Callable[[str], bool], replacement: str) -> str:
    """The query (codepoint escapes applied) with each FROM graph not kept replaced by ``replacement``.

    For a store that would otherwise read any graph a query names in FROM.
    """
    unescaped = unescape_codepoints(query)
    for clause in reversed(analyse(query).dataset):
        if not keep(clause.iri):
            unescaped = f"{unescaped[: clause.start]}<{replacement}>{unescaped[clause.end :]}"
    return unescaped


VENDOR_SCHEMES = ("bif:", "sql:")  # Virtuoso's bridges from SPARQL to its SQL functions


def non_standard(query: str) -> str | None:
    """What in a query is not SPARQL 1.1 yet a store would act on, or None.

    Virtuoso reads ``DEFINE`` pragmas (which change the dataset, or make it fetch URLs),
    prefixes it declares itself, and calls SQL functions through ``bif:`` and ``sql:``
    IRIs; a SPARQL 1.1 engine refuses them all, and so must a proxy in front of Virtuoso.
    """
    tokens = tokenize(query)
    declared: set[str] = set()
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "DEFINE":
            return "DEFINE pragmas are not SPARQL"
        if token.kind == "iri" and token.text[1:-1].lower().startswith(VENDOR_SCHEMES):
            return f"{token.text} names a store's internal function"
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
                declared.add(prefix)
            elif prefix not in declared:
                return f"prefix {prefix}: is not declared"
    return None
