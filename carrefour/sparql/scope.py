"""The rules of SPARQL 1.1 the grammar leaves to prose, checked on the parsed query.

* a blank node label belongs to one group of triple patterns (section 4.1.4: "the same
  blank node label cannot be used in two different basic graph patterns");
* ``BIND`` and ``(expression AS ?v)`` introduce variables not already in scope
  (section 18.2.1), and a SELECT names a variable once;
* in a grouped query (GROUP BY, or an aggregate in SELECT, HAVING or ORDER BY),
  ``SELECT *`` is refused and what is projected is a group key or an aggregate
  (section 18.2.4.1); aggregates only appear where groups exist.

Where the specification is silent the rules are those of the embedded engine
(Oxigraph), so that a query the gate lets through is never refused later by it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from carrefour.errors import QueryError
from carrefour.sparql import syntax as s


def check_scope(query: s.Query) -> None:
    """:raises QueryError: the query breaks one of the rules above (400)."""
    owners: dict[str, tuple[int, int]] = {}
    for number, group in enumerate(_groups(query)):
        for label, segment in _labels(group):
            if owners.setdefault(label, (number, segment)) != (number, segment):
                raise QueryError(f"the blank node _:{label} is used in two different groups of triple patterns")
    for subquery in _queries(query):
        _check_query(subquery)
    for group in _groups(query):
        _check_binds(group)
    _check_aggregates_placement(query)


def _check_query(query: s.Query) -> None:
    in_where = in_scope(query.where) if query.where is not None else set()
    projected: set[str] = set()
    for item in query.projection or ():
        name = item.variable.value
        if name in projected:
            raise QueryError(f"?{name} is projected twice")
        if item.expression is not None and name in in_where:
            raise QueryError(f"(… AS ?{name}) names a variable already bound in the WHERE clause")
        projected.add(name)
    if not _is_grouped(query):
        return
    if query.projection is None:
        raise QueryError("SELECT * cannot be used with GROUP BY or aggregates: name what to project")
    keys = {c.variable.value for c in query.group_by if c.variable is not None}
    keys |= {c.expression.value for c in query.group_by if isinstance(c.expression, ox.Variable) and not c.variable}
    for item in query.projection:
        free = _free_variables(item.expression) if item.expression is not None else {item.variable.value}
        for name in sorted(free - keys):
            raise QueryError(f"?{name} is projected from a grouped query but is neither grouped nor aggregated")


def _check_binds(group: s.Group) -> None:
    bound: set[str] = set()
    for element in group.elements:
        if isinstance(element, s.Bind) and element.variable.value in bound:
            raise QueryError(f"BIND (… AS ?{element.variable.value}) names a variable already bound in its group")
        bound |= in_scope(element)


def _is_grouped(query: s.Query) -> bool:
    if query.group_by:
        return True
    expressions = [p.expression for p in query.projection or () if p.expression is not None]
    expressions += [*query.having, *(o.expression for o in query.order_by)]
    return any(isinstance(node, s.Aggregate) for e in expressions for node in _expression_nodes(e))


def in_scope(element: s.Element | s.GroupLike) -> set[str]:
    """The variables an element binds, as section 18.2.1 defines them."""
    if isinstance(element, s.TriplesBlock):
        return {t.value for triple in element.triples for t in _triple_terms(triple) if isinstance(t, ox.Variable)}
    if isinstance(element, s.Group):
        return set().union(*(in_scope(e) for e in element.elements))
    if isinstance(element, s.Query):
        if element.projection is not None:
            return {p.variable.value for p in element.projection}
        return in_scope(element.where) if element.where is not None else set()
    if isinstance(element, s.OptionalPattern):
        return in_scope(element.pattern)
    if isinstance(element, s.UnionPattern):
        return set().union(*(in_scope(p) for p in element.patterns))
    if isinstance(element, s.GraphPattern | s.ServicePattern):
        name = element.name if isinstance(element, s.GraphPattern) else element.endpoint
        own = {name.value} if isinstance(name, ox.Variable) else set()
        return own | in_scope(element.pattern)
    if isinstance(element, s.Bind):
        return {element.variable.value}
    if isinstance(element, s.Values):
        return {v.value for v in element.variables}
    return set()  # FILTER and MINUS bind nothing


def _triple_terms(triple: s.TriplePattern) -> tuple[object, ...]:
    return triple.subject, triple.predicate, triple.object


def _free_variables(expression: s.Expression) -> set[str]:
    """Variables an expression reads outside aggregates."""
    found: set[str] = set()
    stack: list[object] = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, ox.Variable):
            found.add(node.value)
        elif not isinstance(node, s.Aggregate | s.Exists):
            stack.extend(_children(node))
    return found


def _children(node: object) -> list[object]:
    if isinstance(node, s.Chain):
        return list(node.operands)
    if isinstance(node, s.Comparison):
        return [node.left, node.right]
    if isinstance(node, s.InList):
        return [node.expression, *node.items]
    if isinstance(node, s.Unary):
        return [node.operand]
    if isinstance(node, s.BuiltinCall | s.FunctionCall):
        return list(node.arguments)
    if isinstance(node, s.Aggregate):
        return [] if node.expression is None else [node.expression]
    return []


def _expression_nodes(expression: s.Expression) -> Iterator[object]:
    """The nodes of an expression, without entering EXISTS patterns."""
    stack: list[object] = [expression]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def element_children(element: object) -> list[object]:
    """The patterns and expressions directly inside a pattern element or a query."""
    if isinstance(element, s.Query):
        parts: list[object] = [] if element.where is None else [element.where]
        parts += [p.expression for p in element.projection or () if p.expression is not None]
        parts += [c.expression for c in element.group_by] + list(element.having)
        return parts + [o.expression for o in element.order_by]
    if isinstance(element, s.Group):
        return list(element.elements)
    if isinstance(element, s.UnionPattern):
        return list(element.patterns)
    if isinstance(element, s.OptionalPattern | s.MinusPattern | s.GraphPattern | s.ServicePattern):
        return [element.pattern]
    if isinstance(element, s.Filter | s.Bind):
        return [element.expression]
    if isinstance(element, s.Exists):
        return [element.pattern]
    return _children(element)


def walk(query: s.Query) -> Iterator[object]:
    """Every pattern, query and expression node of a query, subqueries and EXISTS patterns included."""
    stack: list[object] = [query]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(element_children(node))


def _groups(query: s.Query) -> Iterator[s.Group]:
    return (node for node in walk(query) if isinstance(node, s.Group))


def _queries(query: s.Query) -> Iterator[s.Query]:
    return (node for node in walk(query) if isinstance(node, s.Query))


def _labels(group: s.Group) -> Iterator[tuple[str, int]]:
    """Each blank node label of a group's triple patterns, with the basic graph pattern it is in.

    FILTER, BIND and VALUES leave the triples around them in one basic graph pattern;
    any other pattern (a group, OPTIONAL, UNION, GRAPH…) starts a new one.
    """
    segment = 0
    for element in group.elements:
        if isinstance(element, s.TriplesBlock):
            for triple in element.triples:
                for term in _triple_terms(triple):
                    if isinstance(term, s.BlankLabel):
                        yield term.name, segment
        elif not isinstance(element, s.Filter | s.Bind | s.Values):
            segment += 1


def _check_aggregates_placement(query: s.Query) -> None:
    """Aggregates in FILTER or BIND inside a pattern have no group to aggregate: refused."""
    for node in walk(query):
        if isinstance(node, s.Filter | s.Bind):
            for inner in _expression_nodes(node.expression):
                if isinstance(inner, s.Aggregate):
                    raise QueryError(f"{inner.name} is an aggregate: it belongs in SELECT, HAVING or ORDER BY")
