"""SHACL-SPARQL constraints rewritten to run once for all focus nodes.

The spec runs a constraint's SELECT once per focus node with ``$this`` pre-bound.
Here it runs once: the focus nodes are joined at the start of the WHERE group, which
gives every focus node the solutions pre-binding gives it, for the queries SHACL
allows (no MINUS, VALUES, SERVICE; pre-bound variables never assigned).  Constructs
whose meaning would change (subqueries, aggregates, solution modifiers, GRAPH) are
refused when the shapes are compiled.  ``$PATH`` becomes the shape's property path,
as the spec says, ``$currentShape`` the shape's IRI, and ``REGEX`` calls get Python's
meaning, since rdflib is what pySHACL evaluates them with (see ``regex``).
"""

from __future__ import annotations

from dataclasses import dataclass

from carrefour.sparql_text import Token, token_spans, unescape_codepoints
from loader.validation import regex
from loader.validation.shapes import Path, SparqlConstraint, UnsupportedShapes

# Keywords whose meaning changes when one query serves every focus node, or that SHACL forbids.
_REFUSED = frozenset(
    {"MINUS", "VALUES", "SERVICE", "GRAPH", "FROM", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"}
    | {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "ASK", "CONSTRUCT", "DESCRIBE"}
    | {"REPLACE"}  # a regular expression, read by Rust in the store but by Python in pySHACL
)
_REFUSED_VARIABLES = {"shapesGraph": "$shapesGraph", "path": "?path results", "failure": "?failure results"}
_STRING_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class RewrittenQuery:
    text: str
    projection: tuple[str, ...] | None  # projected variable names; None for SELECT *


def rewrite(
    constraint: SparqlConstraint, path: Path | None, shape_iri: str | None, focus: str, where: str
) -> RewrittenQuery:
    """The constraint's query for all the focus nodes ``focus`` (a pattern binding ``?this``) selects.

    :raises UnsupportedShapes: the query uses what cannot run once for all focus nodes.
    """
    text = unescape_codepoints(constraint.select)
    spans = token_spans(text)
    tokens = [token for token, _ in spans]
    words = [t.text.upper() for t in tokens if t.kind == "word"]
    for word in words:
        if word in _REFUSED:
            raise UnsupportedShapes(f"{where}: {word} in a SPARQL constraint is not supported by the fast engine")
    if words.count("SELECT") != 1:
        raise UnsupportedShapes(f"{where}: a SPARQL constraint must be one SELECT query, without subqueries")
    for number, token in enumerate(tokens):
        name = token.text[1:] if token.kind == "var" else ""
        if name in _REFUSED_VARIABLES:
            raise UnsupportedShapes(f"{where}: {_REFUSED_VARIABLES[name]} in a SPARQL constraint are not supported")
        if name == "PATH" and path is None:
            raise UnsupportedShapes(f"{where}: $PATH in the SPARQL constraint of a shape without sh:path")
        if name == "currentShape" and shape_iri is None:
            raise UnsupportedShapes(f"{where}: $currentShape needs a shape with an IRI")
        assigned = tokens[number + 1].text[1:] if number + 1 < len(tokens) else ""
        if token.kind == "word" and token.text.upper() == "AS" and assigned in ("this", "PATH", "currentShape"):
            raise UnsupportedShapes(f"{where}: a SPARQL constraint must not assign a pre-bound variable")
    select = next(i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "SELECT")
    body = _body_start(tokens, select, where)
    projection = _projection(tokens, select, body)
    replacements = {"PATH": path.sparql() if path else "", "currentShape": f"<{shape_iri}>", "this": "?this"}
    rendered = _Renderer(text, spans, replacements)
    head = rendered.render(0, select + 1)
    modifier = select + 1 if tokens[select + 1].text.upper() in ("DISTINCT", "REDUCED") else select
    if modifier > select:
        head += text[spans[select][1][1] : spans[modifier][1][1]]
    if projection is not None and "this" not in projection:
        head += " ?this"
    middle = rendered.render(modifier + 1, body + 1)
    query = f"{head} {middle} {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} {rendered.render(body + 1, len(spans))}"
    prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in constraint.prefixes)
    return RewrittenQuery(prefixes + query, projection)


def _body_start(tokens: list[Token], select: int, where: str) -> int:
    """The index of the ``{`` that opens the WHERE group."""
    depth = 0
    for number in range(select + 1, len(tokens)):
        token = tokens[number]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.text == "{":
            return number
    raise UnsupportedShapes(f"{where}: the SPARQL constraint has no WHERE group")


def _projection(tokens: list[Token], select: int, body: int) -> tuple[str, ...] | None:
    names: list[str] = []
    depth = 0
    for number in range(select + 1, body):
        token = tokens[number]
        if token.text == "*" and depth == 0:
            return None
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.kind == "var" and (depth == 0 or tokens[number - 1].text.upper() == "AS"):
            names.append(token.text[1:])
    return tuple(names)


class _Renderer:
    """Writes token ranges back to text, substituting variables and giving REGEX Python's meaning."""

    def __init__(self, text: str, spans: list[tuple[Token, tuple[int, int]]], replacements: dict[str, str]) -> None:
        self.text = text
        self.spans = spans
        self.replacements = replacements

    def render(self, start: int, end: int) -> str:
        pieces: list[str] = []
        number = start
        while number < end:
            token, (begin, finish) = self.spans[number]
            if number > start:
                pieces.append(self.text[self.spans[number - 1][1][1] : begin])
            if token.kind == "word" and token.text.upper() == "REGEX" and self._opens(number + 1):
                close, arguments = self._arguments(number + 1)
                pieces.append(self._regex(arguments))
                number = close + 1
                continue
            if token.kind == "var" and token.text[1:] in self.replacements:
                pieces.append(self.replacements[token.text[1:]])
            else:
                pieces.append(self.text[begin:finish])
            number += 1
        return "".join(pieces)

    def _opens(self, number: int) -> bool:
        return number < len(self.spans) and self.spans[number][0].text == "("

    def _arguments(self, opening: int) -> tuple[int, list[tuple[int, int]]]:
        """The closing parenthesis of a call and its arguments as token ranges."""
        depth, start, arguments = 0, opening + 1, []
        for number in range(opening, len(self.spans)):
            text = self.spans[number][0].text
            if text in ("(", "{"):
                depth += 1
            elif text in (")", "}"):
                depth -= 1
                if depth == 0:
                    arguments.append((start, number))
                    return number, arguments
            elif text == "," and depth == 1:
                arguments.append((start, number))
                start = number + 1
        raise UnsupportedShapes("unbalanced parentheses in a SPARQL constraint")

    def _regex(self, arguments: list[tuple[int, int]]) -> str:
        rendered = [self.render(start, end) for start, end in arguments]
        call = f"{regex.PYTHON_REGEX}({', '.join(rendered)})"
        if len(arguments) not in (2, 3):
            return call
        pattern = self._string(arguments[1])
        flags = self._string(arguments[2]) if len(arguments) == 3 else ""
        if pattern is None or flags is None or not regex.same_on_ascii(pattern):
            return call  # Python decides every value
        text = rendered[0]
        honoured = regex.honoured_flags(flags, pattern_constraint=False)
        risky = f'"{regex.OUTSIDE_PRINTABLE_ASCII}"'
        return f'IF(REGEX({text}, {risky}), {call}, REGEX({text}, {rendered[1]}, "{honoured}"))'

    def _string(self, argument: tuple[int, int]) -> str | None:
        """The value of an argument that is a plain string literal, else None."""
        start, end = argument
        if end - start != 1 or self.spans[start][0].kind != "string":
            return None
        quoted = self.spans[start][0].text
        inner = quoted[3:-3] if quoted[:3] in ('"""', "'''") else quoted[1:-1]
        value, escaped = [], False
        for char in inner:
            if escaped:
                value.append(_STRING_ESCAPES.get(char, char))
                escaped = False
            elif char == "\\":
                escaped = True
            else:
                value.append(char)
        return "".join(value)
