"""The card at the top of a record's page: what a person wants to know first, in words.

An initiative, a support programme or an actor is shown as a card: what it is, who
carries it, where (address, commune, a small map), how to reach it, its domains,
audiences, methods and support types, its stage and dates, its key figures with
their units ("2 à 24 mois", "6 000 000 €"), who funds it and which partners document
it.  The long description is shown once, in the card.  The property table stays
below, under "Données"; the technical statements (record keys, harvests, datatypes)
are only there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from carrefour.vocab import SCHEMA, Hub
from server.catalogue_i18n import word
from server.display import NBSP, NUMBER_TYPES, amount, literal_text, number, percent
from server.page_model import Address, PageBuilder, ResourcePage, Value
from server.twin_view import TwinView, twin_views

RECORD_CLASSES = ("Initiative", "SupportProgramme", "Actor")
_UNITS = {"EUR": amount, "%": percent}
# (word key, property) of the card's lists of linked values, in the order shown
LISTS = (
    ("card_carried_by", "carriedBy"),
    ("card_domains", "theme"),
    ("card_audiences", "audience"),
    ("card_methods", "method"),
    ("card_support_types", "supportType"),
    ("card_status", "status"),
    ("card_area", "areaServed"),
    ("card_funded_by", "fundedBy"),
)
DATES = (("card_founded", "foundingDate"), ("card_started", "startDate"), ("card_ended", "endDate"))


@dataclass
class Fact:
    label: str
    values: list[Value]


@dataclass
class RecordCard:
    description: str | None
    facts: list[Fact]  # linked lists: carried by, domains, audiences…
    address: Address | None
    places: list[Value]  # the communes, départements and regions it is located in
    contact: list[Fact]
    dates: list[Fact]
    figures: list[Value]  # the figure as text; its description as the note
    documented_by: list[Value]
    map_url: str | None  # the GeoJSON of the record (and its twins), when one of them is placed
    approximate: bool
    twins: list[TwinView] = field(default_factory=list)
    shown_once: tuple[str, ...] = (SCHEMA + "description",)  # shown in the card, left out of the table


def is_record(builder: PageBuilder) -> bool:
    types = {q.object.value for q in builder.quads_of(builder.main) if q.predicate.value.endswith("#type")}
    return any(builder.hub.term(name).value in types for name in RECORD_CLASSES)


def _objects(builder: PageBuilder, subject: str, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
    found = [q.object for q in builder.quads_of(subject) if q.predicate.value == predicate]
    return list(dict.fromkeys(found))


def _values(builder: PageBuilder, predicate: str) -> list[Value]:
    values = [builder.value(term) for term in _objects(builder, builder.main, predicate)]
    return sorted(values, key=lambda v: v.lang not in (None, builder.lang))


def _quantity(text: str, unit: str, lang: str) -> str:
    return _UNITS[unit](text, lang) if unit in _UNITS else f"{number(text, lang)}{NBSP}{unit}".strip()


def figure_text(low: str | None, high: str | None, exact: str | None, unit: str, lang: str) -> str:
    """A key figure as people say it: « 9 mois », « 2 à 24 mois », « 33 % à 50 % », « au moins 200 personnes »."""
    if exact is not None:
        return _quantity(exact, unit, lang)
    if low is not None and high is not None:
        if unit in _UNITS:
            return word(lang, "range").format(low=_quantity(low, unit, lang), high=_quantity(high, unit, lang))
        return f"{word(lang, 'range').format(low=number(low, lang), high=number(high, lang))}{NBSP}{unit}".strip()
    if low is not None:
        return word(lang, "at_least").format(low=_quantity(low, unit, lang))
    if high is not None:
        return word(lang, "at_most").format(high=_quantity(high, unit, lang))
    return ""


def _figure(builder: PageBuilder, node: str) -> Value | None:
    def first(local: str, plain: bool = False) -> ox.Literal | None:
        literals = [o for o in _objects(builder, node, SCHEMA + local) if isinstance(o, ox.Literal)]
        if plain:
            literals.sort(key=lambda o: (o.language not in (builder.lang, None), o.language is not None))
        return literals[0] if literals else None

    numbers = {k: first(k) for k in ("value", "minValue", "maxValue")}
    if not any(n is not None and n.datatype.value in NUMBER_TYPES for n in numbers.values()):
        return None
    unit = first("unitText", plain=True)
    text = figure_text(
        *(numbers[k].value if numbers[k] is not None else None for k in ("minValue", "maxValue", "value")),
        unit.value if unit is not None else "",
        builder.lang,
    )
    year = [o for o in _objects(builder, node, builder.hub.ns + "year") if isinstance(o, ox.Literal)]
    if year:
        text += f" ({year[0].value})"
    note = first("description", plain=True)
    return Value(text, note=note.value if note is not None else None)


def _places(builder: PageBuilder) -> list[Value]:
    """Where it is located, the smallest territory first (commune, département, region)."""
    order = {"commune": 0, "departement": 1, "region": 2}
    located = [t for t in _objects(builder, builder.main, builder.hub.ns + "locatedIn") if isinstance(t, ox.NamedNode)]

    def rank(term: ox.NamedNode) -> int:
        level = term.value[len(builder.hub.iri("territory")) + 1 :].split("/", 1)[0]
        return order.get(level, 3)

    return [builder.value(term) for term in sorted(located, key=rank)]


def _contact(builder: PageBuilder) -> list[Fact]:
    facts = []
    for key, local in (("card_website", "url"), ("card_email", "email"), ("card_phone", "telephone")):
        values = [_reachable(builder, term, local) for term in _objects(builder, builder.main, SCHEMA + local)]
        if values:
            facts.append(Fact(word(builder.lang, key), values))
    return facts


def _reachable(builder: PageBuilder, term: ox.NamedNode | ox.BlankNode | ox.Literal, local: str) -> Value:
    """A website linked as it is (when safe); an e-mail as a mailto link; a phone number as a tel link."""
    text = term.value.removeprefix("mailto:").removeprefix("tel:")
    if local == "email" and "@" in text and " " not in text:
        return Value(text, href=f"mailto:{text}")
    if local == "telephone":
        return Value(text, href="tel:" + "".join(c for c in text if c.isdigit() or c == "+"))
    return builder.value(term)


def _dates(builder: PageBuilder) -> list[Fact]:
    facts = []
    for key, local in DATES:
        literals = [t for t in _objects(builder, builder.main, SCHEMA + local) if isinstance(t, ox.Literal)]
        if literals:
            texts = [literal_text(t.value, t.datatype.value, builder.lang) for t in literals]
            facts.append(Fact(word(builder.lang, key), [Value(text) for text in texts]))
    return facts


def _documented_by(page: ResourcePage, twins: list[TwinView]) -> list[Value]:
    partners = [source.name for source in page.sources if source.name.href]
    partners += [twin.partner for twin in twins if twin.partner.href]
    return list({value.href: value for value in partners}.values())


def record_map_url(hub: Hub, iri: str) -> str:
    return f"{hub.base}map/data.geojson?record={iri}"


def build_card(builder: PageBuilder, page: ResourcePage, placed: bool, approximate: bool) -> RecordCard:
    """The card of the record ``page`` shows (made by ``builder``); ``placed``: it or a twin is on the map
    (at a commune's centre only, when ``approximate``)."""
    lang = builder.lang
    listed = ((key, _values(builder, builder.hub.ns + local)) for key, local in LISTS)
    facts = [Fact(word(lang, key), values) for key, values in listed if values]
    figures = [
        figure
        for node in _objects(builder, builder.main, builder.hub.ns + "keyFigure")
        if isinstance(node, ox.NamedNode) and (figure := _figure(builder, node.value)) is not None
    ]
    twins = twin_views(builder)
    return RecordCard(
        description=page.description,
        facts=facts,
        address=page.address,
        places=_places(builder),
        contact=_contact(builder),
        dates=_dates(builder),
        figures=figures,
        documented_by=_documented_by(page, twins),
        map_url=record_map_url(builder.hub, builder.main) if placed else None,
        approximate=approximate,
        twins=twins,
    )
