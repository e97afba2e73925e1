"""The canonical text of a parsed query: the only text a store is ever sent.

It is written so that every SPARQL reader takes it the same way: no comments, no
prefixes, no ``BASE``, every IRI whole in ``<…>``, every token separated by a space,
every compound expression and path in brackets, and no codepoint escape except
``\\uXXXX`` for control characters inside strings (where every reader decodes them
alike).  Reading it back gives the parsed query it was written from
(``parse_query(render(q)) == q``, blank nodes aside), which the gate checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import pyoxigraph as ox

from carrefour.errors import QueryError
from carrefour.sparql import syntax as s

_NUMBER_FORMS = {
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"[+-]?[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#double": re.compile(
        r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"
    ),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
}
_STRING_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_STRING_ESCAPES |= {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029] if c not in _STRING_ESCAPES}
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
# Which paths need brackets inside which (production 88 onwards): a part that would otherwise read differently.
_COMPOUND = {s.PathAlternative, s.PathSequence, s.PathInverse, s.PathModified}
_BRACKETED_WITHIN: dict[type, set[type]] = {
    s.PathAlternative: {s.PathAlternative},
    s.PathSequence: {s.PathAlternative, s.PathSequence},
    s.PathInverse: {s.PathAlternative, s.PathSequence, s.PathInverse},
    s.PathModified: _COMPOUND,
}
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def render(query: s.Query, *, dataset: Sequence[s.DatasetClause] | None = None, limit: int | None = None) -> str:
    """The canonical text of ``query``.

    :param dataset: FROM / FROM NAMED clauses to write instead of the query's own.
    :param limit: the most rows the outermost query may return (its LIMIT lowered or added).
    """
    changes: dict[str, object] = {}
    if dataset is not None:
        changes["dataset"] = tuple(dataset)
    if limit is not None:
        changes["limit"] = limit if query.limit is None else min(limit, query.limit)
    writer = _Writer()
    writer.query(replace(query, **changes) if changes else query)  # type: ignore[arg-type]
    return " ".join(writer.out)


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.blank: dict[s.BlankLabel | s.AnonNode, str] = {}

    # -- terms

    def term(self, term: object) -> None:
        if isinstance(term, ox.Variable):
            self.out.append(f"?{term.value}")
        elif isinstance(term, ox.NamedNode):
            self.out.append(iri(term))
        elif isinstance(term, ox.Literal):
            self.out.append(literal(term))
        elif isinstance(term, s.BlankLabel | s.AnonNode):
            self.out.append(self.blank.setdefault(term, f"_:b{len(self.blank)}"))
        else:
            self.expression(term)  # type: ignore[arg-type]

    # -- queries

    def query(self, query: s.Query) -> None:
        out = self.out
        if query.form == "SELECT":
            out.append("SELECT")
            if query.modifier:
                out.append(query.modifier)
            if query.projection is None:
                out.append("*")
            for item in query.projection or ():
                if item.expression is None:
                    self.term(item.variable)
                else:
                    out.append("(")
                    self.expression(item.expression)
                    out.extend(["AS", f"?{item.variable.value}", ")"])
        elif query.form == "CONSTRUCT":
            out.append("CONSTRUCT")
            if not query.short_construct:
                self.template(query.template)
        elif query.form == "DESCRIBE":
            out.append("DESCRIBE")
            if query.describe is None:
                out.append("*")
            for target in query.describe or ():
                self.term(target)
        else:
            out.append("ASK")
        for clause in query.dataset:
            out.extend(["FROM", "NAMED", iri(clause.iri)] if clause.named else ["FROM", iri(clause.iri)])
        if query.short_construct:
            out.append("WHERE")
            self.template(query.template)
        elif query.where is not None:
            out.append("WHERE")
            self.group_like(query.where)
        self.modifiers(query)

    def template(self, triples: Sequence[s.TriplePattern]) -> None:
        self.out.append("{")
        self.triples(triples)
        self.out.append("}")

    def modifiers(self, query: s.Query) -> None:
        out = self.out
        if query.group_by:
            out.extend(["GROUP", "BY"])
            for condition in query.group_by:
                if condition.variable is None and isinstance(condition.expression, ox.Variable):
                    self.term(condition.expression)
                    continue
                out.append("(")
                self.expression(condition.expression)
                if condition.variable is not None:
                    out.extend(["AS", f"?{condition.variable.value}"])
                out.append(")")
        if query.having:
            out.append("HAVING")
            for constraint in query.having:
                self.bracketed(constraint)
        if query.order_by:
            out.extend(["ORDER", "BY"])
            for order in query.order_by:
                if order.direction:
                    out.append(order.direction)
                    self.bracketed(order.expression)
                elif isinstance(order.expression, ox.Variable):
                    self.term(order.expression)
                else:
                    self.bracketed(order.expression)
        if query.limit is not None:
            out.extend(["LIMIT", str(query.limit)])
        if query.offset is not None:
            out.extend(["OFFSET", str(query.offset)])
        if query.values is not None:
            self.values(query.values)

    # -- patterns

    def group_like(self, pattern: s.GroupLike) -> None:
        self.out.append("{")
        if isinstance(pattern, s.Query):
            self.query(pattern)
        else:
            for element in pattern.elements:
                self.element(element)
        self.out.append("}")

    def element(self, element: s.Element) -> None:
        out = self.out
        if isinstance(element, s.TriplesBlock):
            self.triples(element.triples)
        elif isinstance(element, s.Group | s.Query):
            self.group_like(element)
        elif isinstance(element, s.OptionalPattern):
            out.append("OPTIONAL")
            self.group_like(element.pattern)
        elif isinstance(element, s.MinusPattern):
            out.append("MINUS")
            self.group_like(element.pattern)
        elif isinstance(element, s.UnionPattern):
            for index, pattern in enumerate(element.patterns):
                if index:
                    out.append("UNION")
                self.group_like(pattern)
        elif isinstance(element, s.GraphPattern):
            out.append("GRAPH")
            self.term(element.name)
            self.group_like(element.pattern)
        elif isinstance(element, s.ServicePattern):
            out.extend(["SERVICE", "SILENT"] if element.silent else ["SERVICE"])
            self.term(element.endpoint)
            self.group_like(element.pattern)
        elif isinstance(element, s.Filter):
            out.append("FILTER")
            self.bracketed(element.expression)
        elif isinstance(element, s.Bind):
            out.extend(["BIND", "("])
            self.expression(element.expression)
            out.extend(["AS", f"?{element.variable.value}", ")"])
        else:
            self.values(element)

    def triples(self, triples: Sequence[s.TriplePattern]) -> None:
        for triple in triples:
            self.term(triple.subject)
            self.path(triple.predicate)
            self.term(triple.object)
            self.out.append(".")

    def values(self, values: s.Values) -> None:
        out = self.out
        out.extend(["VALUES", "("])
        out.extend(f"?{v.value}" for v in values.variables)
        out.extend([")", "{"])
        for row in values.rows:
            out.append("(")
            for value in row:
                if value is None:
                    out.append("UNDEF")
                else:
                    self.term(value)
            out.append(")")
        out.append("}")

    # -- paths

    def path(self, path: object, within: type | None = None) -> None:
        """A property path, bracketed only where its reading needs it (some engines refuse ``( … )`` alone).

        ``within``: the kind of path this one is a part of, which decides whether it needs brackets.
        """
        out = self.out
        bracket = within is not None and type(path) in _BRACKETED_WITHIN[within]
        if bracket:
            out.append("(")
        if isinstance(path, s.PathAlternative | s.PathSequence):
            parts, operator = (path.options, "|") if isinstance(path, s.PathAlternative) else (path.steps, "/")
            for index, part in enumerate(parts):
                if index:
                    out.append(operator)
                self.path(part, type(path))
        elif isinstance(path, s.PathInverse):
            out.append("^")
            self.path(path.path, s.PathInverse)
        elif isinstance(path, s.PathModified):
            self.path(path.path, s.PathModified)
            out[-1] += path.modifier  # no space before a modifier: some engines refuse one
        elif isinstance(path, s.PathNegated):
            out.extend(["!", "("])
            for index, (member, inverse) in enumerate(path.members):
                if index:
                    out.append("|")
                out.append(f"^{iri(member)}" if inverse else iri(member))
            out.append(")")
        else:
            self.term(path)
        if bracket:
            out.append(")")

    # -- expressions

    def bracketed(self, expression: s.Expression) -> None:
        self.out.append("(")
        self.expression(expression)
        self.out.append(")")

    def expression(self, expression: s.Expression) -> None:
        out = self.out
        if isinstance(expression, s.Chain):
            out.append("(")
            self.expression(expression.operands[0])
            for operator, operand in zip(expression.operators, expression.operands[1:], strict=True):
                out.append(operator)
                self.expression(operand)
            out.append(")")
        elif isinstance(expression, s.Comparison):
            out.append("(")
            self.expression(expression.left)
            out.append(expression.operator)
            self.expression(expression.right)
            out.append(")")
        elif isinstance(expression, s.InList):
            out.append("(")
            self.expression(expression.expression)
            self.arguments("NOT IN" if expression.negated else "IN", expression.items)
            out.append(")")
        elif isinstance(expression, s.Unary):
            out.append(expression.operator)
            self.bracketed(expression.operand)
        elif isinstance(expression, s.BuiltinCall):
            self.arguments(expression.name, expression.arguments)
        elif isinstance(expression, s.Exists):
            out.extend(["NOT", "EXISTS"] if expression.negated else ["EXISTS"])
            self.group_like(expression.pattern)
        elif isinstance(expression, s.Aggregate):
            out.append(f"{expression.name}(")
            if expression.distinct:
                out.append("DISTINCT")
            if expression.expression is None:
                out.append("*")
            else:
                self.expression(expression.expression)
            if expression.separator is not None:
                out.extend([";", "SEPARATOR", "=", string(expression.separator)])
            out.append(")")
        elif isinstance(expression, s.FunctionCall):
            self.arguments(iri(expression.iri), expression.arguments, expression.distinct)
        else:
            self.term(expression)

    def arguments(self, name: str, arguments: Sequence[s.Expression], distinct: bool = False) -> None:
        """``name(a, b)``: some engines refuse a space between a function's name and its bracket."""
        if not arguments:
            self.out.append(f"{name}()")
            return
        self.out.append(f"{name}(")
        if distinct:
            self.out.append("DISTINCT")
        for index, argument in enumerate(arguments):
            if index:
                self.out.append(",")
            self.expression(argument)
        self.out.append(")")


def iri(node: ox.NamedNode) -> str:
    """``<iri>``, refusing an IRI that could end early (parsing already refuses them)."""
    if _IRI_FORBIDDEN.search(node.value):
        raise QueryError(f"<{node.value[:80]}> holds a character an IRI cannot hold")
    return f"<{node.value}>"


def string(value: str) -> str:
    return '"' + value.translate(_STRING_ESCAPES) + '"'


def literal(term: ox.Literal) -> str:
    datatype = term.datatype.value
    form = _NUMBER_FORMS.get(datatype)
    if form is not None and form.fullmatch(term.value):
        return term.value
    if term.language:
        return f"{string(term.value)}@{term.language}"
    if datatype in ("http://www.w3.org/2001/XMLSchema#string", _LANG_STRING):
        return string(term.value)
    return f"{string(term.value)}^^{iri(term.datatype)}"
