"""SPARQL 1.1 terminals, read by longest match as the grammar defines them (section 19.8).

The public endpoint decides on its own reading of a query, so that reading must be
the one the grammar gives and must leave nothing another reader could take
differently.  Two places where readers are known to disagree are refused outright
rather than guessed at:

* codepoint escapes (``\\u0041``): the grammar applies them to the whole text before
  parsing (section 19.2); engines apply them inside strings and IRIs only.  They are
  accepted inside a string or an IRI when the character they give has no meaning
  there (not a quote, a backslash, a line break, or an IRI delimiter), so that both
  readings agree; anywhere else they are refused;
* comments end at a line feed or a carriage return; a comment holding another
  character some readers treat as a line break (``\\v``, ``\\f``, NEL, U+2028,
  U+2029), or an escape giving one, is refused.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from carrefour.errors import QueryError

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"
_EXPONENT = r"[eE][+-]?[0-9]+"

# Each terminal, tried at every position; the longest match wins (ties: the first listed).
_TERMINALS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern))
    for kind, pattern in [
        ("IRIREF", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>"),
        ("PNAME", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
        ("BLANK_NODE_LABEL", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
        ("VAR", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
        ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
        ("DOUBLE", rf"[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})"),
        ("DECIMAL", r"[+-]?[0-9]*\.[0-9]+"),
        ("INTEGER", r"[+-]?[0-9]+"),
        ("STRING_LONG1", rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"),
        ("STRING_LONG2", rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'),
        ("STRING1", rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"),
        ("STRING2", rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'),
        ("WORD", r"[A-Za-z_][A-Za-z0-9_]*"),
        ("PUNCT", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/^|?]"),
    ]
]
_WS = re.compile(r"[ \t\r\n]+")
_COMMENT = re.compile(r"#[^\r\n]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ECHAR_OR_UCHAR = re.compile(rf"{_ECHAR}|{_UCHAR}")
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
_IRI_FORBIDDEN = frozenset('<>"{}|^`\\') | {chr(c) for c in range(0x21)}
_STRING_SIGNIFICANT = frozenset("\"'\\\n\r")


class Token(NamedTuple):
    kind: str  # a terminal name above, or "EOF"
    text: str  # as written in the query
    start: int
    end: int

    def is_punct(self, value: str) -> bool:
        return self.kind == "PUNCT" and self.text == value

    def is_word(self, value: str) -> bool:
        """A keyword: matched without regard to case (section 19.1), except ``a``."""
        return self.kind == "WORD" and self.text.upper() == value


def _candidates(char: str) -> list[tuple[str, re.Pattern[str]]]:
    """The terminals that can start with ``char`` (the others cannot match: no need to try them)."""
    if char.isascii() and not char.isalnum() and char not in "_:":
        wanted = {
            "<": ("IRIREF", "PUNCT"), "?": ("VAR", "PUNCT"), "$": ("VAR",), "@": ("LANGTAG",),
            "'": ("STRING_LONG1", "STRING1"), '"': ("STRING_LONG2", "STRING2"),
            ".": ("DOUBLE", "DECIMAL", "PUNCT"), "+": ("DOUBLE", "DECIMAL", "INTEGER", "PUNCT"),
            "-": ("DOUBLE", "DECIMAL", "INTEGER", "PUNCT"),
        }.get(char, ("PUNCT",))  # fmt: skip
    elif char.isdigit():
        wanted = ("DOUBLE", "DECIMAL", "INTEGER")
    elif char == "_":
        wanted = ("BLANK_NODE_LABEL", "WORD")
    else:
        wanted = ("PNAME", "WORD")
    return [(kind, pattern) for kind, pattern in _TERMINALS if kind in wanted]


_BY_FIRST_CHAR: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


def position(text: str, offset: int) -> str:
    """``line L, column C`` of an offset, for error messages."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _codepoint(match: re.Match[str], text: str, offset: int) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryError(f"{match.group(0)} is not a character ({position(text, offset)})")
    return chr(code)


def _check_comment(text: str, start: int, end: int) -> None:
    comment = text[start:end]
    for char in comment:
        if char in _LINE_BREAKS:
            raise QueryError(
                f"a comment holds a character some readers take as a line break ({position(text, start)}): "
                "end comments with a line feed"
            )
    for match in _ESCAPE.finditer(comment):
        if _codepoint(match, text, start + match.start()) in _LINE_BREAKS:
            raise QueryError(
                f"a comment holds an escaped line break ({position(text, start)}), which readers disagree on"
            )


def tokenize(text: str) -> list[Token]:
    """The tokens of a query, ending with an ``EOF`` token.

    :raises QueryError: a character no terminal starts with, or a text that could be read two ways.
    """
    tokens: list[Token] = []
    at, size = 0, len(text)
    while True:
        while at < size:
            ws = _WS.match(text, at)
            if ws:
                at = ws.end()
                continue
            comment = _COMMENT.match(text, at)
            if comment:
                _check_comment(text, at, comment.end())
                at = comment.end()
                continue
            break
        if at >= size:
            tokens.append(Token("EOF", "", size, size))
            return tokens
        char = text[at]
        candidates = _BY_FIRST_CHAR.get(char)
        if candidates is None:
            candidates = _BY_FIRST_CHAR[char] = _candidates(char) if char.isascii() else _candidates("a")
        best_kind, best_end = "", at
        for kind, pattern in candidates:
            match = pattern.match(text, at)
            if match and match.end() > best_end:
                best_kind, best_end = kind, match.end()
        if not best_kind:
            if _ESCAPE.match(text, at):
                raise QueryError(f"codepoint escapes are only accepted inside strings and IRIs ({position(text, at)})")
            raise QueryError(f"unexpected character {text[at]!r} ({position(text, at)})")
        token = Token(best_kind, text[at:best_end], at, best_end)
        tokens.append(token)
        at = best_end


def iri_value(text: str, token: Token) -> str:
    """The IRI of an ``IRIREF`` token, its escapes applied (an escape may not give a delimiter)."""

    def replace(match: re.Match[str]) -> str:
        char = _codepoint(match, text, token.start)
        if char in _IRI_FORBIDDEN:
            raise QueryError(f"{match.group(0)} gives a character an IRI cannot hold ({position(text, token.start)})")
        return char

    return _ESCAPE.sub(replace, token.text[1:-1])


def string_value(text: str, token: Token) -> str:
    """The value of a string token: ``\\t``-style escapes and codepoint escapes applied."""
    quote = 3 if token.kind.startswith("STRING_LONG") else 1
    body = token.text[quote:-quote]

    def replace(match: re.Match[str]) -> str:
        escape = match.group(0)
        if escape[1] in "uU":
            char = _codepoint(_ESCAPE.match(escape), text, token.start)  # type: ignore[arg-type]
            if char in _STRING_SIGNIFICANT:
                raise QueryError(
                    f"{escape} gives a quote, a backslash or a line break, which readers disagree on: "
                    f'write it as an escape such as \\" or \\n ({position(text, token.start)})'
                )
            return char
        return _ECHARS[escape[1]]

    return _ECHAR_OR_UCHAR.sub(replace, body)


def local_name(text: str) -> str:
    """A prefixed name's local part with its ``\\``-escapes removed (section 19.5: ``ex:a\\.b`` is ``a.b``)."""
    return re.sub(r"\\(.)", r"\1", text)
