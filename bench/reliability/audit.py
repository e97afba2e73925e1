"""Where the code builds SPARQL text from parts, and what goes into each: the injection audit.

Every f-string, ``.format``, ``.replace`` or ``%`` whose literal parts contain SPARQL
is found by walking the syntax trees of ``carrefour/``, ``loader/`` and ``server/``.
Each site is listed in ``REVIEWED`` with what it splices; none splices text from a
request (values from requests reach queries only as bound terms: the store seam's
``bindings``, or terms validated by ``ox.NamedNode``/``ox.Literal``).  A new site
fails the audit until it is reviewed and listed.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from carrefour import paths

SPARQL = re.compile(
    r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK|INSERT|DELETE|WHERE|VALUES|FILTER|GRAPH|OPTIONAL)\b|\?[a-z]\w*\b"
)
SQL = re.compile(r"\bFROM [a-z_]+\b")  # a table: SPARQL's FROM takes an IRI (or NAMED)
PACKAGES = ("carrefour", "loader", "server")

# (module, function) -> what is spliced there: every value is the hub's own, never a request's.
# Sites that only write a query into a link for people to run in the editor: the hub never runs them.
LINK_ONLY = frozenset({("server/graph_description.py", "access")})

REVIEWED: dict[tuple[str, str], str] = {
    ("carrefour/store/remote.py", "_described"): "the resource's ox.NamedNode and fragment nodes the store "
    "returned, written by str()",
    ("carrefour/store/remote.py", "neighbourhood_query"): "the resource's ox.NamedNode, its fragment prefix as an "
    "ox.Literal and the code's naming predicates, written by str()",
    ("carrefour/history/read.py", "<module>"): "the history's own predicates (ox.NamedNode constants)",
    ("loader/geo.py", "pointed_communes"): "vocabulary IRIs (hub.term) written with str(NamedNode); the prefix is "
    "a bound Literal",
    ("carrefour/artifacts/stats.py", "<module>"): "the RDF namespace and a constant LIMIT",
    ("carrefour/artifacts/stats.py", "_class_counts"): "a VALUES block: the code's class names, ox.NamedNode types",
    ("carrefour/artifacts/kinds.py", "<module>"): "the RDFS namespace (a constant)",
    ("carrefour/artifacts/catalogue_rows.py", "amend_terms"): "SQLite, not SPARQL (INSERT … VALUES): the names of "
    "the code's own scratch tables, its column names and a list of ? placeholders; the rows go as parameters",
    ("carrefour/artifacts/kinds.py", "values_clause"): "the code's own kind names and ox.NamedNode class IRIs",
    ("server/graph_description.py", "access"): "a graph IRI the store holds (ox.NamedNode), in a link to the "
    "editor: a query text the visitor may run, never run by the hub",
    ("carrefour/store/records.py", "read_version"): "the version record's graph and node (Records terms)",
    ("carrefour/store/records.py", "recorded_bases"): "a constant vocabulary IRI (void:uriSpace)",
    ("carrefour/store/remote.py", "_drop_staging"): "the staging registry (Records terms), graphs the store listed",
    ("carrefour/store/remote.py", "_raise_flag"): "the version record's terms, staged graph IRIs, a version ox.Literal",
    ("carrefour/store/remote.py", "_stage"): "the registry's terms, staging IRIs of a session token (ox.NamedNode)",
    ("carrefour/store/remote.py", "_swap"): "staging and published graph IRIs (ox.NamedNode), the version's triples",
    ("carrefour/store/remote_lock.py", "_entries"): "the lock graph and its predicate (Records terms)",
    ("carrefour/store/remote_lock.py", "_remove"): "the lock graph and an entry IRI (token, pid, quoted host)",
    ("carrefour/store/remote_lock.py", "acquire"): "the lock graph, an entry IRI (token, pid, quoted host)",
    ("carrefour/store/sparql_client.py", "_pages"): "paging around a query of the hub's (terms bound by str()), "
    "the variable names of its answer, integers",
    ("carrefour/store/remote.py", "lookup"): "subjects and predicates given as ox.NamedNode, written by str()",
    ("carrefour/store/remote.py", "count"): "a graph written by str(ox.NamedNode)",
    ("carrefour/store/remote.py", "quads"): "pattern terms written by str() of pyoxigraph terms; integer paging",
    ("carrefour/store/sparql_client.py", "download"): "a graph IRI the store gave; integer paging",
    ("carrefour/store/sparql_client.py", "upload"): "a graph IRI and a body serialised as N-Triples by pyoxigraph",
    ("loader/harvest.py", "_registry"): "vocabulary IRIs (hub.term) written with str(NamedNode)",
    ("loader/validation/checks.py", "datatype_check"): "datatypes and patterns of the project's shapes, as ox terms",
    ("loader/validation/checks.py", "pattern_check"): "sh:pattern of the project's shapes, as an ox.Literal",
    ("loader/validation/checks.py", "value_checks"): "integer lengths of the project's shapes",
    ("loader/validation/compiler.py", "__init__"): "graph names and focus patterns compiled from the shapes",
    ("loader/validation/compiler.py", "compile_shape"): "property paths compiled from the shapes",
    ("loader/validation/compiler.py", "focus_pattern"): "target classes and nodes of the shapes, as ox terms",
    ("loader/validation/marks.py", "focus_marks"): "the marks graph and a focus pattern from the shapes",
    ("loader/validation/marks.py", "instance_marks"): "a class IRI of the shapes",
    ("loader/validation/marks.py", "is_focus"): "the marks graph and a marker term",
    ("loader/validation/sparql_constraints.py", "rewrite"): "sh:select text of the project's own shapes",
    ("server/dataset_facts.py", "<module>"): "vocabulary namespaces (SCHEMA, FOAF, DCT)",
    ("server/sparql_examples.py", "examples"): "the hub's IRIs and published graph names (example queries)",
}


def _literal_parts(node: ast.AST) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _builds_text(node: ast.AST) -> str | None:
    """The literal SPARQL-looking text of a node that splices values into a string, if it is one."""
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return _literal_parts(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "replace"):
        return _literal_parts(node.func.value) or None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _literal_parts(node.left) or None
    return None


def splice_sites(root: Path = paths.PROJECT_ROOT, include_sql: bool = False) -> Counter[tuple[str, str]]:
    """(module, enclosing function) -> number of SPARQL texts built there by splicing.

    SQL (the catalogue's and the search index's SQLite, ``FROM table``) is left out unless ``include_sql``:
    its values go through ``?`` placeholders, and what it splices is placeholder lists and constant weights.
    """
    sites: Counter[tuple[str, str]] = Counter()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = path.relative_to(root).as_posix()
            scopes: list[tuple[ast.AST, str]] = [(tree, "<module>")]
            while scopes:
                scope, name = scopes.pop()
                for node in ast.iter_child_nodes(scope):
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                        scopes.append((node, node.name))
                        continue
                    scopes.append((node, name))
                    text = _builds_text(node)
                    if text and len(SPARQL.findall(text)) >= 2 and (include_sql or not SQL.search(text)):
                        sites[(module, name)] += 1
    return sites


def unreviewed(root: Path = paths.PROJECT_ROOT) -> list[tuple[str, str]]:
    return sorted(site for site in splice_sites(root) if site not in REVIEWED)
