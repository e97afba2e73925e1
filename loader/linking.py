"""Recognise the same organisation or initiative described by two partners.

Each partner's statements stay in its own graph; the hub only adds links between
them, in graph/links: ``owl:sameAs`` and, for each, a ``cf:IdentityLink`` that
publishes the evidence (which key matched, with which value).  Keys, strongest
first: SIREN and SIRET (actors: legal units), web site (a site's home page, never a
shared platform), and normalised name with postal code.  The feeds hold traps:
placeholder identifiers never reach the graphs (the mapping drops them and the
shapes reject them), one SIREN covering several places only links actors (legal
units), never places, and a key shared by two resources of one partner is
ambiguous, so it links nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.vocab import OWL, RDF, SCHEMA, Hub
from loader.geo import damaged_name_pattern, fold

# Hosts that serve many organisations' pages: a URL there says nothing about identity.
SHARED_HOSTS = frozenset(
    {"facebook.com", "twitter.com", "x.com", "instagram.com", "linkedin.com", "youtube.com", "google.com",
     "sites.google.com", "wordpress.com", "wixsite.com", "over-blog.com", "blogspot.com", "helloasso.com",
     "linktr.ee", "github.com", "lannuaire.service-public.fr", "service-public.fr", "coopcycle.org", "gouv.fr"}
)  # fmt: skip

_KEYS_QUERY = """
SELECT ?s ?g ?kind ?name ?siren ?siret ?url ?postal WHERE {
  GRAPH ?g {
    ?s a ?kind .
    FILTER (?kind IN (?initiative, ?programme, ?actor))
    OPTIONAL { ?s <http://schema.org/name> ?name }
    OPTIONAL { ?s ?sirenProperty ?siren }
    OPTIONAL { ?s ?siretProperty ?siret }
    OPTIONAL { ?s <http://schema.org/url> ?url }
    OPTIONAL {
      ?s <http://schema.org/location>|<http://schema.org/address> ?a .
      ?a <http://schema.org/postalCode> ?postal
    }
  }
  FILTER (STRSTARTS(STR(?g), ?partnerGraphs))
}
"""


def key_predicates(hub: Hub) -> set[ox.NamedNode]:
    """What ``_KEYS_QUERY`` reads: a statement with another predicate changes no identity link."""
    schema = ("name", "url", "location", "address", "postalCode")
    return {
        ox.NamedNode(RDF + "type"),
        hub.term("siren"),
        hub.term("siret"),
        *(ox.NamedNode(SCHEMA + n) for n in schema),
    }


@dataclass(frozen=True)
class Candidate:
    iri: str
    partner_graph: str
    kind: str  # "actor" or "initiative"


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    key: str  # siren, siret, website, name-postcode
    value: str


def website_key(address: str) -> str | None:
    """A site's identity: host without ``www.`` when the URL is a home page on a host of its own."""
    parts = urlsplit(address)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or any(host == shared or host.endswith("." + shared) for shared in SHARED_HOSTS):
        return None
    if parts.path.strip("/") or parts.query:
        return None  # a page inside a site (a town's site listing services): not the entity's own site
    return host


def name_key(name: str) -> str:
    return " ".join(word for word in fold(name).split() if word not in {"le", "la", "les", "l", "de", "du", "des"})


def find_links(snapshot: Snapshot, hub: Hub) -> list[Link]:
    """Every identity link between resources of different partner graphs."""
    # The hub's own terms, written as validated N-Triples terms (no partner text enters the query).
    query = _KEYS_QUERY
    for variable, term in (
        ("?initiative", hub.term("Initiative")),
        ("?programme", hub.term("SupportProgramme")),
        ("?actor", hub.term("Actor")),
        ("?sirenProperty", hub.term("siren")),
        ("?siretProperty", hub.term("siret")),
        ("?partnerGraphs", ox.Literal(hub.iri("graph", "partner") + "/")),
    ):
        query = query.replace(variable, str(term))
    rows = snapshot.select(query)
    index: dict[tuple[str, str, str], set[Candidate]] = defaultdict(set)
    damaged: list[tuple[Candidate, re.Pattern[str], str]] = []
    intact: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (kind, postal) -> (folded, key)
    for row in rows:
        kind = "actor" if row["kind"].value == hub.term("Actor").value else "initiative"
        candidate = Candidate(row["s"].value, row["g"].value, kind)
        if kind == "actor":
            for key in ("siren", "siret"):
                if key in row:
                    index[(kind, key, row[key].value)].add(candidate)
        if "url" in row and (site := website_key(row["url"].value)):
            index[(kind, "website", site)].add(candidate)
        if "name" in row and "postal" in row:
            postal = row["postal"].value
            pattern = damaged_name_pattern(row["name"].value)
            if pattern is not None:
                damaged.append((candidate, pattern, postal))
            else:
                value = f"{name_key(row['name'].value)} {postal}"
                index[(kind, "name-postcode", value)].add(candidate)
                intact[(kind, postal)].append((fold(row["name"].value), value))
    for candidate, pattern, postal in damaged:
        # a name whose accents were destroyed (U+FFFD) matches the intact spelling at the same postal code
        for folded, value in intact.get((candidate.kind, postal), []):
            if pattern.match(folded):
                index[(candidate.kind, "name-postcode", value)].add(candidate)
    links: dict[tuple[str, str], Link] = {}
    for (_, key, value), candidates in sorted(index.items()):
        for link in _links_for(key, value, candidates):
            links.setdefault((link.source, link.target), link)  # the strongest key found first wins
    return sorted(links.values(), key=lambda link: (link.source, link.target))


def _links_for(key: str, value: str, candidates: set[Candidate]) -> Iterable[Link]:
    by_graph: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_graph[candidate.partner_graph].append(candidate)
    unique = sorted(group[0].iri for group in by_graph.values() if len(group) == 1)
    for i, source in enumerate(unique):
        for target in unique[i + 1 :]:
            yield Link(source, target, key, value)


def link_triples(links: list[Link], hub: Hub) -> list[ox.Triple]:
    """owl:sameAs for each link, and its evidence as a cf:IdentityLink."""
    triples = []
    for link in links:
        source, target = ox.NamedNode(link.source), ox.NamedNode(link.target)
        digest = hashlib.sha256(f"{link.source} {link.target}".encode()).hexdigest()[:16]
        evidence = hub.node("link", digest)
        triples += [
            ox.Triple(source, ox.NamedNode(OWL + "sameAs"), target),
            ox.Triple(evidence, ox.NamedNode(RDF + "type"), hub.term("IdentityLink")),
            ox.Triple(evidence, hub.term("linkSource"), source),
            ox.Triple(evidence, hub.term("linkTarget"), target),
            ox.Triple(evidence, hub.term("matchedOn"), hub.concept("match-key", link.key)),
            ox.Triple(evidence, hub.term("matchedValue"), ox.Literal(link.value)),
            ox.Triple(evidence, ox.NamedNode(SCHEMA + "name"), ox.Literal(f"{link.key}: {link.value}")),
        ]
    return triples
