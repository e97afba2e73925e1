"""What a project leader reads on a support programme's card: who can apply, how, cost, duration, who runs it.

Read at publication for the records that give support (support programmes, and actors
that say which support types they provide): their ``cf:eligibility``,
``cf:applicationProcess``, ``cf:cost`` and ``cf:duration`` in each language, the actors
that carry and fund them (``cf:carriedBy``, ``cf:fundedBy``, the funders of their
``cf:funding``) with their names, and the territories they serve.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from carrefour.artifacts.search import LiteralTexts
from carrefour.catalogue.records import Record, View
from carrefour.vocab import SCHEMA, Hub

TEXTS = {"eligibility": "eligibility", "how": "applicationProcess", "cost": "cost", "duration": "duration"}
PEOPLE = {"run_by": ("carriedBy",), "funded_by": ("fundedBy",)}


def _by_language(texts: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for text, language in texts.items():
        found.setdefault(language, text)
    return found


def _linked(view: View, subjects: set[str], predicate: ox.NamedNode) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for quad in view.quads(None, predicate, None):
        subject = quad.subject.value.split("#", 1)[0]
        if subject in subjects and isinstance(quad.object, ox.NamedNode):
            found.setdefault(subject, [])
            if quad.object.value not in found[subject]:
                found[subject].append(quad.object.value)
    return found


def programme_details(
    view: View, hub: Hub, records: list[Record], texts: LiteralTexts | None = None
) -> dict[str, dict[str, Any]]:
    """Record IRI -> its card's details, for the records that give support."""
    texts = texts or LiteralTexts(view)
    wanted = {r.iri for r in records if r.kind == "programme" or r.values.get("support")}
    details: dict[str, dict[str, Any]] = {iri: {} for iri in wanted}
    for key, local in TEXTS.items():
        for iri, found in texts((hub.ns + local,), wanted).items():
            if iri in wanted:
                details[iri][key] = _by_language(found)
    funders = _linked(view, wanted, hub.term("funder"))  # the funders of a record's cf:Funding nodes
    linked = {key: _linked(view, wanted, hub.term(local)) for key, (local,) in PEOPLE.items()}
    actors = {actor for found in (funders, *linked.values()) for named in found.values() for actor in named}
    names = texts((SCHEMA + "name",), actors)
    for key, linked_by in linked.items():
        for iri in wanted:
            given = linked_by.get(iri, []) + [a for a in funders.get(iri, []) if key == "funded_by"]
            if given:
                details[iri][key] = [[actor, _by_language(names.get(actor, {}))] for actor in dict.fromkeys(given)]
    for iri, record in ((r.iri, r) for r in records if r.iri in wanted):
        if record.served:
            details[iri]["served"] = sorted(record.served)
    return details
