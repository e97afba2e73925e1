"""The calls and offers of a published version (``calls.sqlite``): what the brokerage pages read.

Reading every statement about 10,000 calls takes seconds (one SELECT of some 110,000
rows), so it is done once, at publication, rather than by each web worker at its first
request (``server.calls.board``).  One row per call or offer (its fields as JSON), the
calls each publisher has open or not (so that a resource page asks one indexed question
and loads nothing when it publishes none), and the names the pages show: concepts of the
schemes calls use, territories and publishers.  Whether a call is open is not stored:
it depends on the day (``server.calls.board``), so only the dates as published are kept.

Places: a call is in the territories it is ``cf:locatedIn`` and serves those it names
in ``cf:areaServed``; a call that names none is placed where its publishers are.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from carrefour.store.base import Snapshot, Writer
from carrefour.vocab import RDF, SCHEMA, SKOS, Hub

CALLS_FILE = "calls.sqlite"
FORMAT = "1"
CALL_KINDS = ("CallForExpertise", "VolunteerMission", "JobOffer", "CallForApplications", "Call")
OFFER = "Offer"
SCHEMES = ("skill", "theme", "compensation", "work-mode")
_SCHEMA_SQL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE items(iri TEXT, board TEXT, data TEXT);
CREATE INDEX items_by_iri ON items(iri);
CREATE TABLE publishers(publisher TEXT, call TEXT);
CREATE INDEX publishers_by_iri ON publishers(publisher);
"""
_STATEMENTS = """
SELECT ?item ?p ?o WHERE {
  VALUES ?type { %s }
  ?item a ?type ; ?p ?o .
  FILTER(isIRI(?item))
}
"""
_PUBLISHER_PLACES = """
SELECT ?item ?place WHERE {
  VALUES ?type { %s }
  ?item a ?type ; <%spublishedBy> ?publisher .
  ?publisher <%slocatedIn> ?place .
}
"""
_CONCEPTS = """
SELECT ?concept ?label WHERE {
  VALUES ?scheme { %s }
  ?concept <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ;
           <http://www.w3.org/2004/02/skos/core#prefLabel> ?label .
}
"""


@dataclass
class Item:
    """A call or an offer as listings show it."""

    iri: str
    kind: str  # a class name: CallForExpertise, …, Offer
    names: dict[str, str] = field(default_factory=dict)  # language ("" untagged) → name
    descriptions: dict[str, str] = field(default_factory=dict)
    publishers: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # concept codes
    themes: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # territory keys it is located in
    served: list[str] = field(default_factory=list)  # territory keys it serves
    opens: str = ""  # as published
    closes: str = ""
    compensation: str = ""  # concept code
    mode: str = ""
    duration: str = ""
    page: str = ""  # where to answer
    email: str = ""  # a functional address (the shapes refuse a person's)
    publisher_places: list[str] = field(default_factory=list)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("fr") or self.names.get("") or next(iter(self.names.values()), "")

    def description(self, lang: str) -> str:
        texts = self.descriptions
        return texts.get(lang) or texts.get("fr") or texts.get("") or next(iter(texts.values()), "")


Concepts = dict[str, dict[str, dict[str, str]]]  # scheme → code → language → label
Names = dict[str, dict[str, str]]  # IRI (territories, publishers) → language → name


def calls_path(snapshot: Snapshot) -> Path | None:
    """The version's calls, when this machine has them."""
    if snapshot.info.artifacts is None:
        return None
    path = snapshot.info.artifacts / CALLS_FILE
    return path if path.exists() else None


def _code(hub: Hub, iri: str, scheme: str) -> str:
    prefix = hub.concept(scheme).value + "/"
    return iri[len(prefix) :] if iri.startswith(prefix) else ""


def _territory(hub: Hub, iri: str) -> str:
    prefix = hub.iri("territory") + "/"
    return iri[len(prefix) :] if iri.startswith(prefix) else ""


def read_items(view: Snapshot, hub: Hub, kinds: tuple[str, ...]) -> list[Item]:
    """Every call (or offer) of the version, in the order of their IRIs."""
    values = " ".join(f"<{hub.term(kind).value}>" for kind in kinds)
    items: dict[str, Item] = {}
    cf = hub.ns
    for row in view.select(_STATEMENTS % values):
        subject, predicate, value = row["item"].value, row["p"].value, row["o"]
        item = items.setdefault(subject, Item(subject, kinds[-1]))
        text = value.value
        language = value.language or "" if isinstance(value, ox.Literal) else ""
        if predicate == RDF + "type" and text.startswith(cf) and text[len(cf) :] in kinds:
            kind = text[len(cf) :]
            item.kind = min(item.kind, kind, key=kinds.index)  # the most precise class
        elif predicate == SCHEMA + "name":
            item.names[language] = text
        elif predicate == SCHEMA + "description":
            item.descriptions[language] = text
        elif predicate == cf + "publishedBy":
            item.publishers.append(text)
        elif predicate in (cf + "skillSought", cf + "skillOffered") and (code := _code(hub, text, "skill")):
            item.skills.append(code)
        elif predicate == cf + "theme" and (code := _code(hub, text, "theme")):
            item.themes.append(code)
        elif predicate == cf + "locatedIn" and (key := _territory(hub, text)):
            item.places.append(key)
        elif predicate == cf + "areaServed" and (key := _territory(hub, text)):
            item.served.append(key)
        elif predicate == SCHEMA + "validFrom":
            item.opens = text
        elif predicate == SCHEMA + "validThrough":
            item.closes = text
        elif predicate == cf + "compensation":
            item.compensation = _code(hub, text, "compensation")
        elif predicate == cf + "workMode":
            item.mode = _code(hub, text, "work-mode")
        elif predicate == SCHEMA + "duration":
            item.duration = text
        elif predicate == cf + "answerPage":
            item.page = text
        elif predicate == SCHEMA + "email":
            item.email = text
    placeless = any(not item.places and not item.served for item in items.values())
    for row in view.select(_PUBLISHER_PLACES % (values, cf, cf)) if placeless else []:  # where the publisher is
        item = items[row["item"].value]
        if (key := _territory(hub, row["place"].value)) and not item.served and key not in item.publisher_places:
            item.publisher_places.append(key)
    for item in items.values():
        if not item.places and not item.served:
            item.places = item.publisher_places
        for values in (item.skills, item.themes, item.places, item.served, item.publishers):
            values.sort()
    return [items[iri] for iri in sorted(items)]


def read_labels(view: Snapshot, hub: Hub, items: list[Item]) -> tuple[Concepts, Names]:
    """The labels of the schemes' concepts, and the names of the items' territories and publishers."""
    concepts: Concepts = {scheme: {} for scheme in SCHEMES}
    query = _CONCEPTS % " ".join(f"<{hub.concept(scheme).value}>" for scheme in SCHEMES)
    for row in view.select(query):
        iri, label = row["concept"].value, row["label"]
        scheme, _, code = iri[len(hub.vocabulary + "concept/") :].partition("/")
        if scheme in concepts and isinstance(label, ox.Literal):
            concepts[scheme].setdefault(code, {})[label.language or ""] = label.value
    wanted = {hub.iri("territory", key) for item in items for key in item.places + item.served}
    wanted |= {publisher for item in items for publisher in item.publishers}
    names: Names = {}
    predicates = [ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(SCHEMA + "name")]
    for quad in view.lookup([ox.NamedNode(iri) for iri in sorted(wanted)], predicates):
        if isinstance(quad.object, ox.Literal):
            names.setdefault(quad.subject.value, {}).setdefault(quad.object.language or "", quad.object.value)
    return concepts, names


def write_calls(view: Snapshot, hub: Hub, target: Path) -> None:
    """Write the calls and offers of the version ``view`` shows to ``target`` (replaced whole)."""
    boards = {"calls": read_items(view, hub, CALL_KINDS), "offers": read_items(view, hub, (OFFER,))}
    concepts, names = read_labels(view, hub, [item for items in boards.values() for item in items])
    temporary = target.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript(_SCHEMA_SQL)
        connection.executemany(
            "INSERT INTO items VALUES (?, ?, ?)",
            ((item.iri, board, json.dumps(asdict(item), ensure_ascii=False))
             for board, items in boards.items() for item in items),
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO publishers VALUES (?, ?)",
            ((publisher, item.iri) for item in boards["calls"] for publisher in item.publishers),
        )
        labels = json.dumps({"concepts": concepts, "names": names}, ensure_ascii=False)
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("labels", labels)])
        connection.commit()
    finally:
        connection.close()
    os.replace(temporary, target)


def build_calls(writer: Writer, hub: Hub) -> None:
    """Write ``calls.sqlite`` for the version being published."""
    write_calls(writer, hub, writer.artifacts / CALLS_FILE)
