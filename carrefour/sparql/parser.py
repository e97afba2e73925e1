"""A recursive-descent reader of SPARQL 1.1 queries (https://www.w3.org/TR/sparql11-query/#grammar).

The grammar is LL(1) (section 19.1), so each rule below reads one production, named
by its number, in time linear in the text.  The reader is the hub's own because it
must give one reading the gate can trust: pyoxigraph runs queries without exposing
its parser, and rdflib's took 8 s on a 10 KB expression, gave up at 2,000 triple
patterns and accepted 29 of the 97 queries the W3C suite says are malformed.

The rules the grammar leaves to prose (blank node labels, variable scope, grouping)
are checked afterwards by :mod:`carrefour.sparql.scope`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pyoxigraph as ox

from carrefour.errors import QueryError, QueryRefused
from carrefour.sparql import syntax as s
from carrefour.sparql.lexer import Token, iri_value, local_name, position, string_value, tokenize

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST, RDF_REST, RDF_NIL = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
_NUMBER_TYPES = {"INTEGER": XSD + "integer", "DECIMAL": XSD + "decimal", "DOUBLE": XSD + "double"}
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, …) is refused"
MAX_DEPTH = 48  # nested brackets and braces: far above real queries, far below Python's recursion limit

# Built-in calls by argument count (production 121); None: a variable number, read by its own rule.
_FIXED_ARITY = {
    **dict.fromkeys(["STR", "LANG", "DATATYPE", "IRI", "URI", "ABS", "CEIL", "FLOOR", "ROUND", "STRLEN", "UCASE",
                     "LCASE", "ENCODE_FOR_URI", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE",
                     "TZ", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
                     "ISNUMERIC"], 1),
    **dict.fromkeys(["LANGMATCHES", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "STRLANG", "STRDT",
                     "SAMETERM"], 2),
    "IF": 3,
    **dict.fromkeys(["RAND", "NOW", "UUID", "STRUUID"], 0),
}  # fmt: skip
_RANGED_ARITY = {"SUBSTR": (2, 3), "REPLACE": (3, 4), "REGEX": (2, 3)}
_LIST_BUILTINS = frozenset({"CONCAT", "COALESCE"})
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_GRAPH_PATTERN_WORDS = frozenset({"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES"})
_STRING_KINDS = frozenset({"STRING1", "STRING2", "STRING_LONG1", "STRING_LONG2"})
_COMPARISONS = frozenset({"=", "!=", "<", ">", "<=", ">="})


def parse_query(text: str, base: str | None = None, prefixes: dict[str, str] | None = None) -> s.Query:
    """The parsed form of a query.

    :param base: the base IRI relative IRIs resolve against, before any ``BASE``.
    :param prefixes: prefixes known without a ``PREFIX`` declaration.
    :raises QueryRefused: the text is an update (403).
    :raises QueryError: the text is not a SPARQL 1.1 query (400), with where and why.
    """
    return _Parser(text, base, prefixes or {}).query_unit()


class _Parser:
    def __init__(self, text: str, base: str | None, prefixes: dict[str, str]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.base = base
        self.prefixes = dict(prefixes)
        self.depth = 0
        self.anonymous = 0

    # -- tokens

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "EOF":
            self.at += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> QueryError:
        token = token or self.token
        found = "the end of the query" if token.kind == "EOF" else repr(token.text[:40])
        return QueryError(f"expected {expected}, found {found} ({position(self.text, token.start)})")

    def at_punct(self, value: str) -> bool:
        return self.token.is_punct(value)

    def at_word(self, *values: str) -> bool:
        return self.token.kind == "WORD" and self.token.text.upper() in values

    def accept_punct(self, value: str) -> bool:
        if self.token.is_punct(value):
            self.at += 1
            return True
        return False

    def accept_word(self, value: str) -> bool:
        if self.token.is_word(value):
            self.at += 1
            return True
        return False

    def expect_punct(self, value: str) -> None:
        if not self.accept_punct(value):
            raise self.fail(repr(value))

    def expect_word(self, value: str) -> None:
        if not self.accept_word(value):
            raise self.fail(value)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            where = position(self.text, self.token.start)
            raise QueryError(f"the query is nested more than {MAX_DEPTH} levels deep ({where})")

    def leave(self) -> None:
        self.depth -= 1

    def at_nil(self) -> bool:
        return self.at_punct("(") and self.peek().is_punct(")")

    # -- [1] QueryUnit, [2] Query, [4] Prologue

    def query_unit(self) -> s.Query:
        self.prologue()
        if self.at_word(*UPDATE_KEYWORDS):
            raise QueryRefused(READ_ONLY)
        if self.at_word("SELECT"):
            query = self.select_query()
        elif self.at_word("CONSTRUCT"):
            query = self.construct_query()
        elif self.at_word("DESCRIBE"):
            query = self.describe_query()
        elif self.at_word("ASK"):
            query = self.ask_query()
        else:
            raise self.fail("SELECT, CONSTRUCT, DESCRIBE or ASK")
        if self.accept_word("VALUES"):
            query = _with_values(query, self.data_block())
        if self.token.kind != "EOF":
            if self.at_punct(";") or self.at_word(*UPDATE_KEYWORDS):
                raise QueryRefused(READ_ONLY)
            raise self.fail("the end of the query")
        return query

    def prologue(self) -> None:
        while True:
            if self.accept_word("BASE"):
                self.base = self.resolve(self.iriref(), self.token)
            elif self.accept_word("PREFIX"):
                token = self.advance()
                if token.kind != "PNAME" or token.text.partition(":")[2]:
                    raise self.fail("a prefix such as ex:", token)
                self.prefixes[token.text[:-1]] = self.resolve(self.iriref(), token)
            else:
                return

    def iriref(self) -> str:
        token = self.advance()
        if token.kind != "IRIREF":
            raise self.fail("an IRI in <…>", token)
        return iri_value(self.text, token)

    def resolve(self, iri: str, token: Token) -> str:
        """An IRI reference made absolute against the base (RFC 3986 section 5)."""
        if not self.base or _has_scheme(iri):
            return iri
        try:
            return resolve_reference(self.base, iri)
        except (SyntaxError, ValueError):
            raise QueryError(
                f"<{iri[:80]}> cannot be resolved against <{self.base[:80]}> ({position(self.text, token.start)})"
            ) from None

    def named_node(self, iri: str, token: Token) -> ox.NamedNode:
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            where = position(self.text, token.start)
            raise QueryError(f"<{iri[:80]}> is not an absolute IRI: {exc} ({where})") from None

    # -- [7] SelectQuery, [8] SubSelect, [9] SelectClause

    def select_query(self) -> s.Query:
        modifier, projection = self.select_clause()
        dataset = self.dataset_clauses()
        where = self.where_clause()
        return self.solution_modifiers("SELECT", where, modifier=modifier, projection=projection, dataset=dataset)

    def sub_select(self) -> s.Query:
        modifier, projection = self.select_clause()
        where = self.where_clause()
        query = self.solution_modifiers("SELECT", where, modifier=modifier, projection=projection)
        if self.accept_word("VALUES"):
            query = _with_values(query, self.data_block())
        return query

    def select_clause(self) -> tuple[str | None, tuple[s.Projection, ...] | None]:
        self.expect_word("SELECT")
        modifier = None
        if self.at_word("DISTINCT", "REDUCED"):
            modifier = self.advance().text.upper()
        if self.accept_punct("*"):
            return modifier, None
        projection: list[s.Projection] = []
        while True:
            if self.token.kind == "VAR":
                projection.append(s.Projection(self.var()))
            elif self.at_punct("("):
                self.advance()
                self.enter()
                expression = self.expression()
                self.expect_word("AS")
                variable = self.var()
                self.expect_punct(")")
                self.leave()
                projection.append(s.Projection(variable, expression))
            else:
                break
        if not projection:
            raise self.fail("a variable, (expression AS ?variable) or *")
        return modifier, tuple(projection)

    # -- [10] ConstructQuery, [11] DescribeQuery, [12] AskQuery

    def construct_query(self) -> s.Query:
        self.expect_word("CONSTRUCT")
        if self.at_punct("{"):
            template = self.construct_template()
            dataset = self.dataset_clauses()
            where = self.where_clause()
            return self.solution_modifiers("CONSTRUCT", where, template=template, dataset=dataset)
        dataset = self.dataset_clauses()
        self.expect_word("WHERE")
        template = self.construct_template()
        where = s.Group((s.TriplesBlock(template),) if template else ())
        return self.solution_modifiers("CONSTRUCT", where, template=template, short_construct=True, dataset=dataset)

    def describe_query(self) -> s.Query:
        self.expect_word("DESCRIBE")
        targets: tuple[ox.NamedNode | ox.Variable, ...] | None
        if self.accept_punct("*"):
            targets = None
        else:
            found: list[ox.NamedNode | ox.Variable] = []
            while self.token.kind in ("VAR", "IRIREF", "PNAME"):
                found.append(self.var_or_iri())
            if not found:
                raise self.fail("a variable, an IRI or *")
            targets = tuple(found)
        dataset = self.dataset_clauses()
        where = self.where_clause() if self.at_word("WHERE") or self.at_punct("{") else None
        return self.solution_modifiers("DESCRIBE", where, describe=targets, dataset=dataset)

    def ask_query(self) -> s.Query:
        self.expect_word("ASK")
        dataset = self.dataset_clauses()
        where = self.where_clause()
        return self.solution_modifiers("ASK", where, dataset=dataset)

    # -- [13] DatasetClause, [17] WhereClause, [18] SolutionModifier

    def dataset_clauses(self) -> tuple[s.DatasetClause, ...]:
        clauses = []
        while self.accept_word("FROM"):
            named = self.accept_word("NAMED")
            clauses.append(s.DatasetClause(self.iri(), named))
        return tuple(clauses)

    def where_clause(self) -> s.GroupLike:
        self.accept_word("WHERE")
        return self.group_graph_pattern()

    def solution_modifiers(self, form: str, where: s.GroupLike | None, **parts: object) -> s.Query:
        group_by: list[s.GroupCondition] = []
        if self.accept_word("GROUP"):
            self.expect_word("BY")
            while True:
                condition = self.group_condition()
                if condition is None:
                    break
                group_by.append(condition)
            if not group_by:
                raise self.fail("a grouping condition")
        having: list[s.Expression] = []
        if self.accept_word("HAVING"):
            while (constraint := self.constraint()) is not None:
                having.append(constraint)
            if not having:
                raise self.fail("a HAVING condition")
        order_by: list[s.OrderCondition] = []
        if self.accept_word("ORDER"):
            self.expect_word("BY")
            while (order := self.order_condition()) is not None:
                order_by.append(order)
            if not order_by:
                raise self.fail("an ORDER BY condition")
        limit = offset = None
        for _ in range(2):
            if limit is None and self.accept_word("LIMIT"):
                limit = self.integer()
            elif offset is None and self.accept_word("OFFSET"):
                offset = self.integer()
        return s.Query(
            form, where, group_by=tuple(group_by), having=tuple(having), order_by=tuple(order_by),
            limit=limit, offset=offset, **parts,  # type: ignore[arg-type]
        )  # fmt: skip

    def integer(self) -> int:
        token = self.advance()
        if token.kind != "INTEGER" or token.text[0] in "+-":
            raise self.fail("a whole number", token)
        return int(token.text)

    def group_condition(self) -> s.GroupCondition | None:
        """[20] GroupCondition ::= BuiltInCall | FunctionCall | '(' Expression ( AS Var )? ')' | Var"""
        if self.token.kind == "VAR":
            return s.GroupCondition(self.var())
        if self.at_punct("(") and not self.at_nil():
            self.advance()
            self.enter()
            expression = self.expression()
            variable = self.var() if self.accept_word("AS") else None
            self.expect_punct(")")
            self.leave()
            return s.GroupCondition(expression, variable)
        call = self.call_or_none()
        return None if call is None else s.GroupCondition(call)

    def constraint(self) -> s.Expression | None:
        """[69] Constraint ::= BrackettedExpression | BuiltInCall | FunctionCall"""
        if self.at_punct("("):
            return self.bracketted()
        return self.call_or_none()

    def call_or_none(self) -> s.Expression | None:
        if self.token.kind == "WORD" and self.token.text.upper() in _BUILTIN_WORDS:
            return self.builtin_call()
        if self.token.kind in ("IRIREF", "PNAME"):
            token = self.token
            iri = self.iri()
            if not self.at_punct("("):
                raise self.fail("the arguments of the function call", token)
            return self.function_call(iri)
        return None

    def order_condition(self) -> s.OrderCondition | None:
        if self.at_word("ASC", "DESC"):
            direction = self.advance().text.upper()
            return s.OrderCondition(self.bracketted(), direction)
        if self.token.kind == "VAR":
            return s.OrderCondition(self.var())
        constraint = self.constraint()
        return None if constraint is None else s.OrderCondition(constraint)

    # -- [28] ValuesClause, [62] DataBlock

    def data_block(self) -> s.Values:
        if self.token.kind == "VAR":
            variable = self.var()
            self.expect_punct("{")
            rows = []
            while not self.accept_punct("}"):
                rows.append((self.data_value(),))
            return s.Values((variable,), tuple(rows))
        variables: list[ox.Variable] = []
        self.expect_punct("(")
        while self.token.kind == "VAR":
            variables.append(self.var())
        self.expect_punct(")")
        self.expect_punct("{")
        full_rows = []
        while not self.accept_punct("}"):
            self.expect_punct("(")
            row = []
            while not self.accept_punct(")"):
                row.append(self.data_value())
            if len(row) != len(variables):
                raise QueryError(
                    f"a VALUES row has {len(row)} values for {len(variables)} variables "
                    f"({position(self.text, self.token.start)})"
                )
            full_rows.append(tuple(row))
        return s.Values(tuple(variables), tuple(full_rows))

    def data_value(self) -> s.Term | None:
        """[65] DataBlockValue ::= iri | RDFLiteral | NumericLiteral | BooleanLiteral | 'UNDEF'"""
        if self.accept_word("UNDEF"):
            return None
        if self.token.kind in ("IRIREF", "PNAME"):
            return self.iri()
        literal = self.literal_or_none()
        if literal is None:
            raise self.fail("an IRI, a literal or UNDEF")
        return literal

    # -- [53] GroupGraphPattern, [54] GroupGraphPatternSub, [55] TriplesBlock, [56] GraphPatternNotTriples

    def group_graph_pattern(self) -> s.GroupLike:
        self.expect_punct("{")
        self.enter()
        if self.at_word("SELECT"):
            group: s.GroupLike = self.sub_select()
        else:
            group = self.group_graph_pattern_sub()
        self.expect_punct("}")
        self.leave()
        return group

    def group_graph_pattern_sub(self) -> s.Group:
        elements: list[s.Element] = []
        triples: list[s.TriplePattern] = []
        may_start_triples = True
        while not self.at_punct("}"):
            if self.at_punct("{") or self.at_word(*_GRAPH_PATTERN_WORDS):
                if triples:
                    elements.append(s.TriplesBlock(tuple(triples)))
                    triples = []
                elements.append(self.graph_pattern_not_triples())
                self.accept_punct(".")
                may_start_triples = True
            elif may_start_triples and self.token.kind != "EOF" and not self.at_punct("."):
                self.triples_same_subject(triples, paths=True)
                may_start_triples = self.accept_punct(".")
            else:
                raise self.fail("'}', '.', a triple pattern or a graph pattern")
        if triples:
            elements.append(s.TriplesBlock(tuple(triples)))
        return s.Group(tuple(elements))

    def graph_pattern_not_triples(self) -> s.Element:
        if self.at_punct("{"):
            patterns = [self.group_graph_pattern()]
            while self.accept_word("UNION"):
                patterns.append(self.group_graph_pattern())
            return patterns[0] if len(patterns) == 1 else s.UnionPattern(tuple(patterns))
        word = self.advance().text.upper()
        if word == "OPTIONAL":
            return s.OptionalPattern(self.group_graph_pattern())
        if word == "MINUS":
            return s.MinusPattern(self.group_graph_pattern())
        if word == "GRAPH":
            name = self.var_or_iri()
            return s.GraphPattern(name, self.group_graph_pattern())
        if word == "SERVICE":
            silent = self.accept_word("SILENT")
            endpoint = self.var_or_iri()
            return s.ServicePattern(endpoint, silent, self.group_graph_pattern())
        if word == "FILTER":
            constraint = self.constraint()
            if constraint is None:
                raise self.fail("a bracketed expression or a function call after FILTER")
            return s.Filter(constraint)
        if word == "BIND":
            self.expect_punct("(")
            self.enter()
            expression = self.expression()
            self.expect_word("AS")
            variable = self.var()
            self.expect_punct(")")
            self.leave()
            return s.Bind(expression, variable)
        return self.data_block()  # VALUES

    # -- [52] TriplesTemplate, [73] ConstructTemplate

    def construct_template(self) -> tuple[s.TriplePattern, ...]:
        self.expect_punct("{")
        self.enter()
        triples: list[s.TriplePattern] = []
        while not self.at_punct("}"):
            self.triples_same_subject(triples, paths=False)
            if not self.accept_punct("."):
                break
        self.expect_punct("}")
        self.leave()
        return tuple(triples)

    # -- [75]/[81] TriplesSameSubject(Path), [77]/[83] PropertyListNotEmpty(Path)

    def triples_same_subject(self, out: list[s.TriplePattern], paths: bool) -> None:
        if self.at_triples_node():
            subject = self.triples_node(out, paths)
            if self.starts_verb(paths):  # [76] PropertyList is optional after a triples node
                self.property_list(subject, out, paths)
            return
        subject = self.var_or_term()
        self.property_list(subject, out, paths)

    def property_list(self, subject: s.Term, out: list[s.TriplePattern], paths: bool) -> None:
        while True:
            predicate = self.verb(paths)
            while True:
                out.append(s.TriplePattern(subject, predicate, self.graph_node(out, paths)))
                if not self.accept_punct(","):
                    break
            if not self.accept_punct(";"):
                return
            while self.accept_punct(";"):
                pass
            if not self.starts_verb(paths):
                return

    def starts_verb(self, paths: bool) -> bool:
        token = self.token
        if token.kind in ("VAR", "IRIREF", "PNAME") or token.kind == "WORD" and token.text == "a":
            return True
        return paths and (token.is_punct("(") or token.is_punct("^") or token.is_punct("!"))

    def verb(self, paths: bool) -> s.Term | s.Path:
        if self.token.kind == "VAR":
            return self.var()
        if not paths:
            if self.token.kind == "WORD" and self.token.text == "a":
                self.advance()
                return RDF_TYPE
            if self.token.kind in ("IRIREF", "PNAME"):
                return self.iri()
            raise self.fail("a predicate")
        return self.path_alternative()

    def graph_node(self, out: list[s.TriplePattern], paths: bool) -> s.Term:
        if self.at_triples_node():
            return self.triples_node(out, paths)
        return self.var_or_term()

    def at_triples_node(self) -> bool:
        return self.at_punct("[") and not self.peek().is_punct("]") or self.at_punct("(") and not self.at_nil()

    def triples_node(self, out: list[s.TriplePattern], paths: bool) -> s.Term:
        """[98] TriplesNode ::= Collection | BlankNodePropertyList: written out as triples on blank nodes."""
        self.enter()
        if self.accept_punct("["):
            node = self.new_anon()
            self.property_list(node, out, paths)
            self.expect_punct("]")
            self.leave()
            return node
        self.expect_punct("(")
        members = []
        while not self.accept_punct(")"):
            members.append(self.graph_node(out, paths))
        self.leave()
        head: s.Term = RDF_NIL
        cells = [self.new_anon() for _ in members]
        for index, (cell, member) in enumerate(zip(cells, members, strict=True)):
            out.append(s.TriplePattern(cell, RDF_FIRST, member))
            out.append(s.TriplePattern(cell, RDF_REST, cells[index + 1] if index + 1 < len(cells) else RDF_NIL))
        if cells:
            head = cells[0]
        return head

    def new_anon(self) -> s.AnonNode:
        self.anonymous += 1
        return s.AnonNode(self.anonymous)

    # -- [88] Path … [96] PathOneInPropertySet

    def path_alternative(self) -> s.Path:
        options = [self.path_sequence()]
        while self.accept_punct("|"):
            options.append(self.path_sequence())
        return options[0] if len(options) == 1 else s.PathAlternative(tuple(options))

    def path_sequence(self) -> s.Path:
        steps = [self.path_elt_or_inverse()]
        while self.accept_punct("/"):
            steps.append(self.path_elt_or_inverse())
        return steps[0] if len(steps) == 1 else s.PathSequence(tuple(steps))

    def path_elt_or_inverse(self) -> s.Path:
        if self.accept_punct("^"):
            return s.PathInverse(self.path_elt())
        return self.path_elt()

    def path_elt(self) -> s.Path:
        primary = self.path_primary()
        if self.token.kind == "PUNCT" and self.token.text in ("?", "*", "+"):
            return s.PathModified(primary, self.advance().text)
        return primary

    def path_primary(self) -> s.Path:
        if self.token.kind == "WORD" and self.token.text == "a":
            self.advance()
            return RDF_TYPE
        if self.token.kind in ("IRIREF", "PNAME"):
            return self.iri()
        if self.accept_punct("!"):
            return self.path_negated()
        if self.accept_punct("("):
            self.enter()
            path = self.path_alternative()
            self.expect_punct(")")
            self.leave()
            return path
        raise self.fail("a property path")

    def path_negated(self) -> s.PathNegated:
        if not self.accept_punct("("):
            return s.PathNegated((self.path_one_in_set(),))
        members = []
        if not self.at_punct(")"):
            members.append(self.path_one_in_set())
            while self.accept_punct("|"):
                members.append(self.path_one_in_set())
        self.expect_punct(")")
        return s.PathNegated(tuple(members))

    def path_one_in_set(self) -> tuple[ox.NamedNode, bool]:
        inverse = self.accept_punct("^")
        if self.token.kind == "WORD" and self.token.text == "a":
            self.advance()
            return RDF_TYPE, inverse
        return self.iri(), inverse

    # -- terms: [106] VarOrTerm, [107] VarOrIri, [109] GraphTerm, [129] RDFLiteral … [136] iri

    def var(self) -> ox.Variable:
        token = self.advance()
        if token.kind != "VAR":
            raise self.fail("a variable", token)
        return ox.Variable(token.text[1:])

    def var_or_iri(self) -> ox.NamedNode | ox.Variable:
        if self.token.kind == "VAR":
            return self.var()
        return self.iri()

    def iri(self) -> ox.NamedNode:
        token = self.advance()
        if token.kind == "IRIREF":
            return self.named_node(self.resolve(iri_value(self.text, token), token), token)
        if token.kind == "PNAME":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise QueryError(f"prefix {prefix}: is not declared ({position(self.text, token.start)})")
            return self.named_node(self.prefixes[prefix] + local_name(local), token)
        raise self.fail("an IRI", token)

    def var_or_term(self) -> s.Term:
        token = self.token
        if token.kind == "VAR":
            return self.var()
        if token.kind in ("IRIREF", "PNAME"):
            return self.iri()
        if token.kind == "BLANK_NODE_LABEL":
            self.advance()
            return s.BlankLabel(token.text[2:])
        if token.is_punct("[") and self.peek().is_punct("]"):
            self.at += 2
            return self.new_anon()
        if self.at_nil():
            self.at += 2
            return RDF_NIL
        literal = self.literal_or_none()
        if literal is None:
            raise self.fail("a variable, an IRI, a literal or a blank node")
        return literal

    def literal_or_none(self) -> ox.Literal | None:
        token = self.token
        if token.kind in _NUMBER_TYPES:
            self.advance()
            return ox.Literal(token.text, datatype=ox.NamedNode(_NUMBER_TYPES[token.kind]))
        if token.kind == "WORD" and token.text.lower() in ("true", "false"):
            self.advance()
            return ox.Literal(token.text.lower(), datatype=ox.NamedNode(XSD + "boolean"))
        if token.kind in _STRING_KINDS:
            self.advance()
            value = string_value(self.text, token)
            if self.token.kind == "LANGTAG":
                language = self.advance().text[1:]
                try:
                    return ox.Literal(value, language=language)
                except ValueError as exc:
                    raise QueryError(f"@{language} is not a language tag: {exc}") from None
            if self.accept_punct("^^"):
                return ox.Literal(value, datatype=self.iri())
            return ox.Literal(value)
        return None

    # -- [110] Expression … [121] BuiltInCall

    def expression(self) -> s.Expression:
        return self.chain(("||",), self.conditional_and)

    def conditional_and(self) -> s.Expression:
        return self.chain(("&&",), self.relational)

    def chain(self, operators: tuple[str, ...], read: Callable[[], s.Expression]) -> s.Expression:
        first = read()
        if not (self.token.kind == "PUNCT" and self.token.text in operators):
            return first
        ops, operands = [], [first]
        while self.token.kind == "PUNCT" and self.token.text in operators:
            ops.append(self.advance().text)
            operands.append(read())
        return s.Chain(tuple(ops), tuple(operands))

    def relational(self) -> s.Expression:
        left = self.additive()
        token = self.token
        if token.kind == "PUNCT" and token.text in _COMPARISONS:
            self.advance()
            return s.Comparison(token.text, left, self.additive())
        if token.is_word("IN"):
            self.advance()
            return s.InList(left, self.expression_list(), negated=False)
        if token.is_word("NOT") and self.peek().is_word("IN"):
            self.at += 2
            return s.InList(left, self.expression_list(), negated=True)
        return left

    def additive(self) -> s.Expression:
        """[116]: a signed number right after an operand is a sum or a difference (``?a -1`` is ``?a - 1``)."""
        first = self.multiplicative()
        ops: list[str] = []
        operands: list[s.Expression] = [first]
        while True:
            token = self.token
            if token.kind == "PUNCT" and token.text in ("+", "-"):
                ops.append(self.advance().text)
                operands.append(self.multiplicative())
            elif token.kind in _NUMBER_TYPES and token.text[0] in "+-":
                self.advance()
                ops.append(token.text[0])
                unsigned: s.Expression = ox.Literal(token.text[1:], datatype=ox.NamedNode(_NUMBER_TYPES[token.kind]))
                operands.append(self.multiplicative_rest(unsigned))
            else:
                break
        return first if not ops else s.Chain(tuple(ops), tuple(operands))

    def multiplicative(self) -> s.Expression:
        return self.multiplicative_rest(self.unary())

    def multiplicative_rest(self, first: s.Expression) -> s.Expression:
        if not (self.token.kind == "PUNCT" and self.token.text in ("*", "/")):
            return first
        ops, operands = [], [first]
        while self.token.kind == "PUNCT" and self.token.text in ("*", "/"):
            ops.append(self.advance().text)
            operands.append(self.unary())
        return s.Chain(tuple(ops), tuple(operands))

    def unary(self) -> s.Expression:
        if self.token.kind == "PUNCT" and self.token.text in ("!", "+", "-"):
            operator = self.advance().text
            self.enter()
            operand = self.primary()
            self.leave()
            return s.Unary(operator, operand)
        return self.primary()

    def primary(self) -> s.Expression:
        """[119] PrimaryExpression"""
        token = self.token
        if token.is_punct("("):
            return self.bracketted()
        if token.kind == "VAR":
            return self.var()
        if token.kind in ("IRIREF", "PNAME"):
            iri = self.iri()
            return self.function_call(iri) if self.at_punct("(") else iri
        if token.kind == "WORD" and token.text.upper() in _BUILTIN_WORDS:
            return self.builtin_call()
        literal = self.literal_or_none()
        if literal is None:
            raise self.fail("an expression")
        return literal

    def bracketted(self) -> s.Expression:
        self.expect_punct("(")
        self.enter()
        expression = self.expression()
        self.expect_punct(")")
        self.leave()
        return expression

    def expression_list(self) -> tuple[s.Expression, ...]:
        """[72] ExpressionList ::= NIL | '(' Expression ( ',' Expression )* ')'"""
        self.expect_punct("(")
        if self.accept_punct(")"):
            return ()
        self.enter()
        items = [self.expression()]
        while self.accept_punct(","):
            items.append(self.expression())
        self.expect_punct(")")
        self.leave()
        return tuple(items)

    def function_call(self, iri: ox.NamedNode) -> s.FunctionCall:
        """[128] iriOrFunction, [71] ArgList ::= NIL | '(' 'DISTINCT'? Expression ( ',' Expression )* ')'"""
        self.expect_punct("(")
        if self.accept_punct(")"):
            return s.FunctionCall(iri, ())
        self.enter()
        distinct = self.accept_word("DISTINCT")
        arguments = [self.expression()]
        while self.accept_punct(","):
            arguments.append(self.expression())
        self.expect_punct(")")
        self.leave()
        return s.FunctionCall(iri, tuple(arguments), distinct)

    def builtin_call(self) -> s.Expression:
        token = self.advance()
        name = token.text.upper()
        if name in _AGGREGATES:
            return self.aggregate(name)
        if name == "NOT":
            self.expect_word("EXISTS")
            return s.Exists(self.group_graph_pattern(), negated=True)
        if name == "EXISTS":
            return s.Exists(self.group_graph_pattern(), negated=False)
        if name == "BOUND":
            self.expect_punct("(")
            variable = self.var()
            self.expect_punct(")")
            return s.BuiltinCall(name, (variable,))
        if name == "BNODE" and self.at_nil():
            self.at += 2
            return s.BuiltinCall(name, ())
        if name in _LIST_BUILTINS:
            return s.BuiltinCall(name, self.expression_list())
        arguments = self.expression_list()
        low, high = _RANGED_ARITY.get(name, (_FIXED_ARITY.get(name, 1),) * 2)
        if not low <= len(arguments) <= high:
            wanted = str(low) if low == high else f"{low} or {high}"
            where = position(self.text, token.start)
            raise QueryError(f"{name} takes {wanted} arguments, not {len(arguments)} ({where})")
        return s.BuiltinCall(name, arguments)

    def aggregate(self, name: str) -> s.Aggregate:
        """[127] Aggregate"""
        self.expect_punct("(")
        self.enter()
        distinct = self.accept_word("DISTINCT")
        expression = None if name == "COUNT" and self.accept_punct("*") else self.expression()
        separator = None
        if name == "GROUP_CONCAT" and self.accept_punct(";"):
            self.expect_word("SEPARATOR")
            self.expect_punct("=")
            token = self.advance()
            if token.kind not in _STRING_KINDS:
                raise self.fail("a string", token)
            separator = string_value(self.text, token)
        self.expect_punct(")")
        self.leave()
        return s.Aggregate(name, distinct, expression, separator)


_BUILTIN_WORDS = frozenset(_FIXED_ARITY) | frozenset(_RANGED_ARITY) | _LIST_BUILTINS | _AGGREGATES | {
    "BOUND", "BNODE", "EXISTS", "NOT"
}  # fmt: skip


def resolve_reference(base: str, reference: str) -> str:
    """RFC 3986 section 5.2, by the engine's own resolver: the object of a one-triple Turtle document.

    (``urllib.parse.urljoin`` is not RFC 3986: it drops an empty fragment, ``#``.)
    """
    document = f"<urn:x-base:s> <urn:x-base:p> <{reference}> ."
    return str(next(iter(ox.parse(document, format=ox.RdfFormat.TURTLE, base_iri=base))).object.value)


def _has_scheme(iri: str) -> bool:
    scheme, colon, _ = iri.partition(":")
    return bool(colon) and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)


def _with_values(query: s.Query, values: s.Values) -> s.Query:
    return replace(query, values=values)
