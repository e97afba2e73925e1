"""Small edits to the hub's own SPARQL texts: values bound inline, a prologue split off.

Only for queries the hub writes itself (store lookups, statistics, validation
constraints); a public query is never edited as text: it passes the gate
(:mod:`carrefour.sparql.gate`), which writes out the text a store runs.  The scanner
tokenises the way the SPARQL 1.1 grammar does (codepoint escapes first, then comments,
strings and IRIs), so that an edit never lands inside a string or a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carrefour.errors import QueryError

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

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


def unescape_codepoints(text: str) -> str:
    """Apply SPARQL's \\uXXXX and \\UXXXXXXXX escapes, which precede all parsing."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise QueryError(f"invalid codepoint escape {match.group(0)}")
        return chr(code)

    return _ESCAPE.sub(replace, text)


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
