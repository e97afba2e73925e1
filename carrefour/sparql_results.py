"""SPARQL 1.1 result serialisations (JSON, XML, CSV, TSV) for a list of solutions.

The engines serialise a whole result iterator; the public endpoint needs to write
only the first ``cap`` solutions and say that it cut the rest, so it serialises the
rows it kept itself, following the W3C result-format specifications exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class ResultFormat:
    name: str
    media_type: str
    extension: str


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", "srj"),
    ResultFormat("xml", "application/sparql-results+xml", "srx"),
    ResultFormat("csv", "text/csv", "csv"),
    ResultFormat("tsv", "text/tab-separated-values", "tsv"),
)
RESULT_FORMATS_BY_NAME = {f.name: f for f in RESULT_FORMATS}

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def serialize_select(variables: Sequence[str], rows: Sequence[Row], format_name: str) -> bytes:
    """Serialise SELECT solutions in one of the four W3C formats."""
    if format_name == "json":
        bindings = [{name: _json_term(term) for name, term in row.items()} for row in rows]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if format_name == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(name)}/>" for name in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>" for name, term in row.items()]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if format_name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(row.get(name)) for name in variables])
        return buffer.getvalue().encode("utf-8")
    if format_name == "tsv":
        lines = ["\t".join(f"?{name}" for name in variables)]
        for row in rows:
            lines.append("\t".join(str(row[name]) if name in row else "" for name in variables))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown result format {format_name!r}")


def serialize_boolean(value: bool, format_name: str) -> bytes:
    """Serialise an ASK answer."""
    if format_name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if format_name == "xml":
        text = "true" if value else "false"
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{text}</boolean></sparql>\n"
        ).encode()
    if format_name in ("csv", "tsv"):
        header = "_askResult" if format_name == "csv" else "?_askResult"
        return f"{header}\n{'true' if value else 'false'}\n".encode()
    raise ValueError(f"unknown result format {format_name!r}")
