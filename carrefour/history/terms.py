"""IRIs of the history: versions, event streams and their pages.

A stream is named by its scope: ``hub`` (every record), ``curated`` (the hub's own
data) or ``partner/{id}``.  Its members are split into pages of ``PAGE_SIZE`` in the
order they were published, and pages into blocks of ``BLOCK_SIZE``; both sizes are
fixed, since a full page, once published, must never change.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox

from carrefour.vocab import DCT, PROV, RDF, XSD, Hub

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
AS = "https://www.w3.org/ns/activitystreams#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
SH = "http://www.w3.org/ns/shacl#"

PAGE_SIZE = 100  # members per page
BLOCK_SIZE = 100  # pages per block: the root lists blocks, a block its pages
HUB = "hub"
CURATED = "curated"

TYPE = ox.NamedNode(RDF + "type")
IS_VERSION_OF = ox.NamedNode(DCT + "isVersionOf")
HAS_PART = ox.NamedNode(DCT + "hasPart")
GENERATED_AT = ox.NamedNode(PROV + "generatedAtTime")
ATTRIBUTED_TO = ox.NamedNode(PROV + "wasAttributedTo")
CREATED = ox.NamedNode(DCT + "created")
MODIFIED = ox.NamedNode(DCT + "modified")
MEMBER = ox.NamedNode(TREE + "member")
TOTAL = ox.NamedNode(HYDRA + "totalItems")
DATETIME = ox.NamedNode(XSD + "dateTime")
KINDS = {name: ox.NamedNode(AS + name) for name in ("Create", "Update", "Delete")}
METADATA = frozenset({IS_VERSION_OF, HAS_PART, GENERATED_AT, ATTRIBUTED_TO})  # what a version adds to a record


def content_term(hub: Hub) -> ox.NamedNode:
    """``cf:versionContent``: the record's triples at that version (N-Triples, IRIs relative to the base)."""
    return hub.term("versionContent")


def history_graph(hub: Hub) -> ox.NamedNode:
    return hub.graph("history")


def scope_of(source: str) -> str:
    """The stream scope of a source of records: ``curated``, or a partner id."""
    return CURATED if source == CURATED else f"partner/{source}"


def stamp(moment: datetime) -> str:
    """``20240501T120000.123Z``: a version's time in its IRI, to the millisecond."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%S") + f".{moment.microsecond // 1000:03d}Z"


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def time_literal(moment: datetime) -> ox.Literal:
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"
    return ox.Literal(text, datatype=DATETIME)


def literal_time(literal: ox.Literal) -> datetime:
    return datetime.fromisoformat(literal.value.replace("Z", "+00:00"))


class Names:
    """The history's IRIs under one base."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.graph = history_graph(hub)
        self.content = content_term(hub)

    def stream(self, scope: str) -> ox.NamedNode:
        return self.hub.node("stream", scope)

    def view(self, scope: str) -> ox.NamedNode:
        return self.hub.node("stream", scope, "view")

    def block(self, scope: str, number: int) -> ox.NamedNode:
        return self.hub.node("stream", scope, "block", str(number))

    def page(self, scope: str, number: int) -> ox.NamedNode:
        return self.hub.node("stream", scope, "page", str(number))

    def version(self, record: str, moment: datetime) -> ox.NamedNode:
        """``{base}version/{stamp}/{record path}``: fragments of the record keep theirs (``…#address``)."""
        return self.hub.node("version", stamp(moment), record[len(self.hub.base) :])

    def record_of_version(self, path: str) -> tuple[str, datetime] | None:
        """(record IRI, time) named by a version path ``version/{stamp}/{record path}`` (relative to the base)."""
        parts = path.split("/", 2)
        if len(parts) != 3 or parts[0] != "version" or not parts[2]:
            return None
        moment = parse_stamp(parts[1])
        return None if moment is None else (self.hub.iri(parts[2]), moment)
