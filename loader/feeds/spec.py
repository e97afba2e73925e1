"""A partner's ``[feed]`` table, checked: where the feed is and how to read it.

Every option is checked before anything is read: an unknown option, an option of
another format or a value of the wrong type is a ``ConfigError`` naming it, so a
typo in a partner file never silently changes how a feed is read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carrefour import formats, paths
from carrefour.errors import ConfigError
from loader.feeds.egress import EgressPolicy, declared_host

FORMATS = ("csv", "tsv", "json", "geojson", "rdf", "webpages", "sparql")
SYNTAXES = ("json-ld", "microdata", "rdfa")

# Options every format accepts: where the harvester may connect (docs/feeds.md, "Where the harvester connects").
COMMON = frozenset({"format", "source", "hosts", "allow_private_addresses"})
# Options each format accepts, besides the common ones.
OPTIONS: dict[str, frozenset[str]] = {
    "csv": frozenset({"encoding", "delimiter", "quotechar", "columns"}),
    "tsv": frozenset({"encoding", "quotechar", "columns"}),
    "json": frozenset({"encoding", "records"}),
    "geojson": frozenset({"encoding", "records"}),
    "rdf": frozenset({"rdf_format", "base", "record_types", "prefixes"}),
    "webpages": frozenset({"pages", "follow", "max_pages", "record_types", "prefixes", "syntaxes"}),
    "sparql": frozenset({"endpoint", "query", "page_size", "group_by", "record_types", "prefixes"}),
}
RDF_FORMAT_NAMES = ("ttl", "turtle", "rdf", "xml", "nt", "jsonld", "nq", "trig")


@dataclass(frozen=True)
class FeedSpec:
    """How to read one partner feed; built by ``from_table`` from the partner file."""

    format: str
    source: str = ""  # project-relative path, absolute path or http(s) URL (SPARQL: the endpoint)
    encoding: str = "utf-8"
    delimiter: str | None = None  # None: detected among , ; tab |
    quotechar: str = '"'
    columns: tuple[str, ...] = ()  # the column names of a file without a header line (every line is a record)
    records: str = ""  # dotted path to the list of records in a JSON document ("" = the document)
    rdf_format: str | None = None  # None: from the file extension or the media type
    base: str | None = None  # base IRI for relative IRIs in an RDF file
    record_types: tuple[str, ...] = ()  # RDF types whose resources are records
    prefixes: dict[str, str] = field(default_factory=dict)  # field names "schema:name" instead of full IRIs
    pages: tuple[str, ...] = ()  # web pages to read (besides those of the sitemap in ``source``)
    follow: tuple[str, ...] = ()  # regular expressions of links to follow from the pages (same host)
    max_pages: int | None = None  # at most this many pages (and never more than HARVEST_MAX_PAGES)
    syntaxes: tuple[str, ...] = SYNTAXES
    query: str = ""
    page_size: int = 1000
    group_by: str | None = None  # SELECT: rows with the same value of this variable form one record
    hosts: tuple[str, ...] = ()  # hosts the partner's data may come from, besides those of source and pages
    allow_private_addresses: bool = False  # the operator lets this partner be read at loopback/private addresses

    @property
    def remote(self) -> bool:
        return self.source.startswith(("http://", "https://"))

    def egress(self) -> EgressPolicy:
        """Where the harvester may connect for this feed: its URLs' hosts and ``hosts``."""
        return EgressPolicy.for_urls((self.source, *self.pages), self.hosts, self.allow_private_addresses)

    def local_path(self) -> Path:
        """The source as a file: project-relative paths are resolved against the project."""
        path = Path(self.source).expanduser()
        return path if path.is_absolute() else paths.PROJECT_ROOT / path

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "[feed]") -> FeedSpec:
        """Check and convert a ``[feed]`` table.

        :raises ConfigError: naming the option that is unknown, misplaced or malformed.
        """
        return _TableReader(table, where).spec()


class _TableReader:
    def __init__(self, table: Mapping[str, Any], where: str) -> None:
        self.table = table
        self.where = where

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {message}")

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.table.get(name, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"option {name!r} must be a string, not {type(value).__name__}")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.table.get(name, ())
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"option {name!r} must be a string or a list of strings")
        return tuple(value)

    def boolean(self, name: str) -> bool:
        value = self.table.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(f"option {name!r} must be true or false")
        return value

    def integer(self, name: str, default: int | None) -> int | None:
        value = self.table.get(name, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise self.fail(f"option {name!r} must be a positive integer")
        return value

    def spec(self) -> FeedSpec:
        feed_format = self.text("format")
        if feed_format not in FORMATS:
            raise self.fail(f"format must be one of {', '.join(FORMATS)}, not {feed_format!r}")
        allowed = OPTIONS[feed_format] | COMMON
        for name in self.table:
            if name not in allowed:
                known = ", ".join(sorted(allowed - {"format"}))
                raise self.fail(f"unknown option {name!r} for format {feed_format} (its options: {known})")
        source = self.source(feed_format)
        encoding = self.text("encoding", "utf-8") or "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise self.fail(f"option 'encoding': unknown encoding {encoding!r}") from None
        delimiter = "\t" if feed_format == "tsv" else self.text("delimiter")
        quotechar = self.text("quotechar", '"') or '"'
        for name, value in (("delimiter", delimiter), ("quotechar", quotechar)):
            if value is not None and len(value) != 1:
                raise self.fail(f"option {name!r} must be one character, not {value!r}")
        columns = self.texts("columns")
        if len(set(columns)) != len(columns) or not all(name.strip() for name in columns):
            raise self.fail("option 'columns': expected the names of the file's columns, each once, none empty")
        rdf_format = self.text("rdf_format")
        if rdf_format is not None and rdf_format not in RDF_FORMAT_NAMES:
            raise self.fail(f"option 'rdf_format' must be one of {', '.join(RDF_FORMAT_NAMES)}, not {rdf_format!r}")
        prefixes = self.table.get("prefixes", {})
        if not isinstance(prefixes, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.startswith(("http://", "https://", "urn:"))
            for k, v in prefixes.items()
        ):
            raise self.fail("option 'prefixes' is a table of prefix = \"namespace IRI\"")
        follow = self.texts("follow")
        for pattern in follow:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(f"option 'follow': invalid pattern {pattern!r}: {exc}") from None
        syntaxes = self.texts("syntaxes") or SYNTAXES
        unknown_syntaxes = sorted(set(syntaxes) - set(SYNTAXES))
        if unknown_syntaxes:
            raise self.fail(f"option 'syntaxes': unknown {', '.join(unknown_syntaxes)} (use {', '.join(SYNTAXES)})")
        pages = self.texts("pages")
        for page in pages:
            if not page.startswith(("http://", "https://")):
                raise self.fail(f"option 'pages': {page!r} is not an http(s) URL")
        if feed_format == "webpages" and not (source or pages):
            raise self.fail("format webpages needs a sitemap ('source') or a list of 'pages'")
        query = self.text("query", "") or ""
        if feed_format == "sparql":
            self.check_query(query)
        hosts = self.texts("hosts")
        for host in hosts:
            try:
                declared_host(host)
            except ValueError as exc:
                raise self.fail(f"option 'hosts': {exc}") from None
        return FeedSpec(
            format=feed_format,
            source=source,
            encoding=encoding,
            delimiter=delimiter,
            quotechar=quotechar,
            columns=columns,
            records=self.text("records", "features" if feed_format == "geojson" else "") or "",
            rdf_format=rdf_format,
            base=self.text("base"),
            record_types=self.texts("record_types"),
            prefixes=dict(prefixes),
            pages=pages,
            follow=follow,
            max_pages=self.integer("max_pages", None),
            syntaxes=syntaxes,
            query=query,
            page_size=self.integer("page_size", 1000) or 1000,
            group_by=self.text("group_by"),
            hosts=hosts,
            allow_private_addresses=self.boolean("allow_private_addresses"),
        )

    def source(self, feed_format: str) -> str:
        source = self.text("source", "") or ""
        if feed_format == "sparql":
            endpoint = self.text("endpoint", "") or ""
            if source and endpoint:
                raise self.fail("give the SPARQL endpoint once: 'endpoint' or 'source', not both")
            source = source or endpoint
            if not source.startswith(("http://", "https://")):
                raise self.fail("format sparql needs the endpoint's http(s) URL ('endpoint')")
        elif not source and feed_format != "webpages":
            raise self.fail("option 'source' is required: a path in the project, an absolute path or an http(s) URL")
        if "://" in source and not source.startswith(("http://", "https://")):
            raise self.fail(f"source {source!r}: only http(s) URLs and file paths are read")
        unknown_extension = formats.from_extension(Path(source).suffix) is None
        if feed_format == "rdf" and self.table.get("rdf_format") is None and "://" not in source and unknown_extension:
            raise self.fail(f"cannot tell the RDF format of {source!r} from its extension: set 'rdf_format'")
        return source

    def check_query(self, query: str) -> None:
        form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", query, re.IGNORECASE)
        if form is None or form.group(1).upper() not in ("SELECT", "CONSTRUCT"):
            raise self.fail("option 'query' must be a SPARQL SELECT or CONSTRUCT query")
        if not re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
            raise self.fail("option 'query' needs an ORDER BY: pages (LIMIT/OFFSET) are only stable in a fixed order")
        if re.search(r"\b(LIMIT|OFFSET)\b", query, re.IGNORECASE):
            raise self.fail("option 'query' must not set LIMIT or OFFSET: the reader pages with 'page_size'")
