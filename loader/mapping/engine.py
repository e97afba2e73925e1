"""The one generic mapping engine: a partner's spec turns each record into triples.

Plain data in, triples out, no I/O.  Text damaged upstream is repaired first where it
can be (double encoding), and flagged where it cannot (letters lost to U+FFFD: see
``loader.damage``).  Every published text, key and IRI goes through the privacy filter
(``loader.privacy``): a value that is nothing but a person's e-mail or phone number is
left out (contact fields excepted: their own rules and shapes judge them), personal data
inside text is replaced by a marker, a personal record key by a salted hash; the report
names the field and the rule, never the value.  Every IRI is minted by the partner's
``Minter``; values that cannot be written (an invalid URL, a malformed date) are dropped
and reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Protocol

import pyoxigraph as ox

from carrefour.vocab import GEO, PROV, RDF, SCHEMA, SKOS, XSD, Hub
from loader.damage import is_damaged, repaired_fields
from loader.feeds import Record
from loader.geo import Commune, Territories, commune_iri, damaged_name_pattern, departement_iri, fold, region_iri
from loader.mapping.coordinates import to_wgs84
from loader.mapping.minting import Minter, concept_slug, content_key
from loader.mapping.schedules import RuleError, Session, schedule_triples, schedules
from loader.mapping.spec import (
    APPLICABLE,
    CONCEPT_PROPERTIES,
    CONTACT_PROPERTIES,
    DATE_PROPERTIES,
    DECIMAL_PROPERTIES,
    HUB_IRI_PROPERTIES,
    IRI_PROPERTIES,
    LANGUAGE_PROPERTY,
    SCHEME_PROPERTIES,
    SINGLE_VALUED,
    AddressSpec,
    EntitySpec,
    PartnerSpec,
    ScheduleSpec,
    ValueSpec,
    broader_concepts,
    common_concepts,
    field_name,
)
from loader.mapping.transforms import DateValue, Tagged, apply_chain, date_value, number, url
from loader.mapping.values import first_value, get_path, is_empty, render
from loader.privacy import personal_value, pseudonym, redact

_TYPE = ox.NamedNode(RDF + "type")
_LOC_LANGUAGES = "http://id.loc.gov/vocabulary/iso639-1/"


class RecordLike(Protocol):
    fields: dict[str, Any]
    origin: str
    url: str | None


@dataclass
class MappedEntity:
    iri: str
    type: str
    key: str
    spec_id: str
    triples: list[ox.Triple] = field(default_factory=list)
    first_seen: bool = True  # False when an earlier record already described it
    categories: list[tuple[str, str]] = field(default_factory=list)  # (taxonomy, code) met, in order


@dataclass(frozen=True)
class PrivacyNote:
    """Personal data kept out of a record: where it was and the rule that found it, never the value."""

    field: str  # the partner's field(s)
    rule: str  # a rule of ``loader.privacy.RULES``
    action: str  # what was done instead of publishing it


@dataclass
class MappedRecord:
    origin: str
    entities: list[MappedEntity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # values dropped…
    privacy: list[PrivacyNote] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # fields whose published text lost letters upstream
    refused: str | None = None  # why a record rule kept the whole record out
    personal_data: bool = False  # refused to protect a person

    @property
    def primary(self) -> MappedEntity | None:
        return self.entities[0] if self.entities else None


def _tagged_values(raw: Any) -> list[Any]:
    """Expand language maps and JSON-LD value objects into ``Tagged`` values."""
    if isinstance(raw, list):
        return [v for item in raw for v in _tagged_values(item)]
    if isinstance(raw, dict):
        if "@value" in raw:
            value = raw["@value"]
            language = raw.get("@language")
            return [Tagged(str(value), str(language).lower())] if language else [value]
        if "@id" in raw:
            return [raw["@id"]]
        if raw and all(isinstance(k, str) and 2 <= len(k) <= 8 and isinstance(v, str) for k, v in raw.items()):
            return [Tagged(v, k.lower()) for k, v in raw.items() if not is_empty(v)]
        return []
    return [raw]


class RecordMapper:
    """Maps the records of one partner with one spec, minting through one ``Minter``."""

    def __init__(self, spec: PartnerSpec, hub: Hub, minter: Minter, salt: str = "") -> None:
        """:param salt: of the hashes replacing personal record keys (``privacy_salt``; empty: nothing is published)."""
        self.spec = spec
        self.hub = hub
        self.minter = minter
        self.salt = salt
        self.described: set[str] = set()
        self.unnamed: set[str] = set()  # described resources no record has named yet
        self._communes: dict[tuple[str | None, str | None, str | None], Commune | None] = {}
        self._codes: dict[tuple[str, str], str] = {}
        self.categories_seen: dict[str, dict[str, str]] = {}  # taxonomy -> {code: concept IRI}
        self.concept_languages: dict[str, set[str]] = {}  # concept IRI -> languages of its labels in the feed
        self._cf_prefix = "cf:"
        self._rule_patterns = {r.pattern: re.compile(r.pattern) for r in spec.rules if r.pattern is not None}
        self._concept_properties = {self.hub.term(p).value for p in CONCEPT_PROPERTIES}
        self._iri_properties = IRI_PROPERTIES | {self.hub.term(p).value for p in HUB_IRI_PROPERTIES}
        self._area_served = self.hub.term("areaServed").value

    # -- helpers -----------------------------------------------------------------

    def property(self, name: str) -> ox.NamedNode:
        if name.startswith(self._cf_prefix):
            return self.hub.term(name[len(self._cf_prefix) :])
        return ox.NamedNode(name)

    def values(self, spec: ValueSpec | None, fields: dict[str, Any]) -> list[Any]:
        if spec is None:
            return []
        if spec.template is not None:
            raw: Any = render(spec.template, fields)
        else:
            raw = first_value(fields, list(spec.paths))
        if is_empty(raw):
            return []
        values = apply_chain(_tagged_values(raw), list(spec.transforms))
        if spec.replacements:
            table = dict(spec.replacements)
            values = [table.get(_text(v), v) if isinstance(v, str | Tagged) else v for v in values]
        if spec.language and spec.language != "*":
            values = [
                v if isinstance(v, Tagged) or not isinstance(v, str) else Tagged(v, spec.language) for v in values
            ]
        return values

    def published_values(
        self, spec: ValueSpec | None, fields: dict[str, Any], record: MappedRecord, prop: str = ""
    ) -> list[Any]:
        """The values of ``spec``, less those that are nothing but a person's e-mail or phone number.

        Such a value in a field meant for something else (a legal status, a name) is a mistake
        of the partner's: it is left out and reported.  Contact fields keep theirs for the
        ``functional_email`` transform and the shapes to judge.
        """
        values = self.values(spec, fields)
        if prop in CONTACT_PROPERTIES:
            return values
        kept = []
        for value in values:
            rule = personal_value(_text(value)) if isinstance(value, str | Tagged) else None
            if rule is None:
                kept.append(value)
            else:
                record.privacy.append(PrivacyNote(field_name(spec), rule, "value left out"))
        return kept

    def redacted(self, text: str, record: MappedRecord, where: str) -> str:
        """``text`` without personal data; each removal is noted with its field and rule."""
        redacted = redact(text)
        record.privacy += [PrivacyNote(where, rule, "removed from the text") for rule in redacted.rules]
        return redacted.text

    def literal(self, value: Any, record: MappedRecord, where: str, language: str | None = None) -> ox.Literal:
        if isinstance(value, str | Tagged) and is_damaged(_text(value)):
            record.damaged.append(where)
        if isinstance(value, Tagged):
            return ox.Literal(self.redacted(value.text, record, where), language=value.language)
        if isinstance(value, bool):
            return ox.Literal(value)
        if isinstance(value, Decimal):
            # the canonical form (no trailing zeros), as the store keeps it: re-harvests compare equal
            return ox.Literal(format(value.normalize(), "f"), datatype=ox.NamedNode(XSD + "decimal"))
        if isinstance(value, DateValue):
            return ox.Literal(value.lexical, datatype=ox.NamedNode(XSD + value.datatype))
        text = self.redacted(str(value), record, where)
        if language:
            return ox.Literal(text, language=language)
        return ox.Literal(text)

    def terms(self, prop: str, values: list[Any], record: MappedRecord, where: str) -> list[ox.NamedNode | ox.Literal]:
        """Write values the way the property expects: IRIs, decimals, dates or text.

        :param where: the partner's field the values come from, for the report.
        """
        out: list[ox.NamedNode | ox.Literal] = []
        for value in values:
            if prop in self._iri_properties:
                iri = url(value)
                try:
                    node = ox.NamedNode(iri) if iri is not None else None
                except ValueError:  # e.g. a host whose letters were destroyed into U+FFFD
                    node = None
                if node is None:
                    record.notes.append(f"dropped {_short(prop)}: {_shown(value)} is not an http(s) address")
                    continue
                rules = redact(node.value).rules
                if rules:  # an address with an e-mail or a phone number in it: no IRI is made of personal data
                    record.privacy.append(PrivacyNote(where, rules[0], "address left out"))
                    continue
                out.append(node)
            elif prop == LANGUAGE_PROPERTY:
                code = str(value.text if isinstance(value, Tagged) else value).strip().lower()[:2]
                if code.isalpha() and len(code) == 2:
                    out.append(ox.NamedNode(_LOC_LANGUAGES + code))
            elif prop in DECIMAL_PROPERTIES:
                decimal = value if isinstance(value, Decimal) else number(value)
                if decimal is None:
                    record.notes.append(f"dropped {_short(prop)}: {_shown(value)} is not a number")
                    continue
                out.append(self.literal(decimal, record, where))
            elif prop == self._area_served:
                path = _text(value).strip().strip("/")
                level, _, code = path.partition("/")
                if not self.territories.known(level, code):
                    record.notes.append(
                        f"dropped {_short(prop)}: {_shown(path)} is not a territory of the hub "
                        "(commune/INSEE code, departement/code or region/code)"
                    )
                    continue
                out.append(self.hub.node("territory", level, code))
            elif prop in self._concept_properties:
                path = str(value.text if isinstance(value, Tagged) else value)
                path = path.removeprefix(self.hub.concept().value + "/")  # partners may name the concept by its IRI
                if path not in common_concepts():
                    record.notes.append(
                        f"dropped {_short(prop)}: {_shown(path)} is not a concept of the common schemes"
                    )
                    continue
                out.append(self.hub.concept(*path.split("/")))
            elif prop in DATE_PROPERTIES:
                date = value if isinstance(value, DateValue) else date_value(value)
                if date is None:
                    record.notes.append(f"dropped {_short(prop)}: {_shown(value)} is not a date")
                    continue
                out.append(self.literal(date, record, where))
            else:
                out.append(self.literal(value, record, where))
        return out

    @cached_property
    def territories(self) -> Territories:
        """The communes table, read when a record first needs it (1 s): a re-harvest that maps no record never does."""
        return Territories.load()

    # -- records -------------------------------------------------------------------

    def refusal(self, fields: dict[str, Any]) -> tuple[str, bool] | None:
        """The first record rule the record breaks, as (message, is personal data)."""
        for rule in self.spec.rules:
            value = get_path(fields, rule.field)
            text = "" if is_empty(value) else str(value).strip()
            if rule.pattern is not None and not self._rule_patterns[rule.pattern].fullmatch(text):
                return f"{rule.message} ({rule.field} = {_shown(text, 60)})", False
            if rule.equals and text in rule.equals:
                shown = rule.message if rule.personal_data else f"{rule.message} ({rule.field} = {_shown(text)})"
                return shown, rule.personal_data
        return None

    def map(self, record: RecordLike) -> MappedRecord:
        """Map one record, its text repaired first: the rules, keys and values all read the repaired text."""
        record = Record(repaired_fields(record.fields), record.origin, record.url)
        mapped = MappedRecord(record.origin)
        refusal = self.refusal(record.fields)
        if refusal is not None:
            mapped.refused, mapped.personal_data = refusal
            return mapped
        produced: dict[str, MappedEntity] = {}
        for entity_spec in self.spec.entities:
            if not _applies(entity_spec, record.fields):
                continue
            entity = self._entity(entity_spec, record, mapped)
            if entity is not None:
                produced[entity_spec.id] = entity
                mapped.entities.append(entity)
        for entity_spec in self.spec.entities:
            entity = produced.get(entity_spec.id)
            if entity is None:
                continue
            subject = ox.NamedNode(entity.iri)
            for field_spec in entity_spec.fields:
                if field_spec.entity is not None and field_spec.entity in produced:
                    target = ox.NamedNode(produced[field_spec.entity].iri)
                    entity.triples.append(ox.Triple(subject, self.property(field_spec.property), target))
        return mapped

    def replay_categories(self, categories: Sequence[Sequence[str]]) -> None:
        """The taxonomy codes a record left as published met, where it stands in the feed (see loader.record_memo)."""
        for taxonomy_id, code in categories:
            seen = self.categories_seen.setdefault(taxonomy_id, {})
            if code not in seen:  # most records meet codes met before: the IRI is made once
                seen[code] = self._concept_iri(taxonomy_id, code).value

    def _key(self, spec: EntitySpec, fields: dict[str, Any], mapped: MappedRecord) -> str | None:
        """The record key as published: a key made of an e-mail or a phone number is a salted hash of it."""
        key = self._raw_key(spec, fields)
        if key is None:
            return None
        public = pseudonym(key, self.salt)
        if public != key:
            where = field_name(spec.key.value or ValueSpec(template=spec.key.template))
            mapped.privacy.append(PrivacyNote(where, redact(key).rules[0], "key replaced by a hash"))
        return public

    def _raw_key(self, spec: EntitySpec, fields: dict[str, Any]) -> str | None:
        if spec.key.template is not None:
            return render(spec.key.template, fields)
        if spec.key.value is not None:
            values = self.values(spec.key.value, fields)
            return str(values[0].text if isinstance(values[0], Tagged) else values[0]) if values else None
        values = [get_path(fields, f) for f in spec.key.content_fields]
        if all(is_empty(v) for v in values):
            return None
        return content_key(["" if is_empty(v) else str(v) for v in values])

    def _entity(self, spec: EntitySpec, record: RecordLike, mapped: MappedRecord) -> MappedEntity | None:
        key = self._key(spec, record.fields, mapped)
        if key is None:
            mapped.notes.append(f"{spec.id}: no record key, nothing published for it")
            return None
        names = self.published_values(spec.name, record.fields, mapped)
        name_field = field_name(spec.name)
        if spec.type == "Concept":
            return self._concept(spec, key, names, record, mapped)
        name = _text(names[0]) if names else None
        iri = self.minter.mint(spec.type, key, name)
        entity = MappedEntity(iri, spec.type, key, spec.id)
        subject = ox.NamedNode(iri)
        if iri in self.described:
            entity.first_seen = False
            if spec.collect:  # every record adds its values to the one resource
                entity.triples += self._field_triples(spec, record, subject, mapped)
            if iri in self.unnamed and names:
                # several records share this resource (one operator of several places) and the first
                # one did not name it: the first record that does gives the name
                self.unnamed.discard(iri)
                entity.triples += [
                    ox.Triple(subject, ox.NamedNode(SCHEMA + "name"), value)
                    for value in self.terms(SCHEMA + "name", names[:1], mapped, name_field)
                ]
            return entity
        self.described.add(iri)
        add = entity.triples.append
        add(ox.Triple(subject, _TYPE, self.hub.term(spec.type)))
        add(ox.Triple(subject, self.hub.term("recordKey"), ox.Literal(key)))
        for value in self.terms(SCHEMA + "name", names[:1], mapped, name_field):
            add(ox.Triple(subject, ox.NamedNode(SCHEMA + "name"), value))
        if not names:
            self.unnamed.add(iri)
        source = record.url or (render(spec.source, record.fields) if spec.source else None)
        if source:
            for value in self.terms(PROV + "wasDerivedFrom", [source], mapped, "source"):
                add(ox.Triple(subject, ox.NamedNode(PROV + "wasDerivedFrom"), value))
        entity.triples += self._field_triples(spec, record, subject, mapped)
        if spec.address is not None:
            self._address(spec, record.fields, subject, entity, mapped)
        if spec.schedule is not None:
            entity.triples += self._schedules(spec.schedule, record.fields, subject, mapped)
        for category in spec.categories:
            where = field_name(category.value)
            codes = self.published_values(category.value, record.fields, mapped)
            codes = [self.redacted(_text(code), mapped, where) for code in codes]
            # a damaged code the taxonomy declares is published with the taxonomy's label: only the others are
            mapped.damaged += [where for code in codes if is_damaged(self._concept_code(category.taxonomy, code) or "")]
            self._categories(spec, category.taxonomy, codes, subject, entity)
        for prop_name, concept in spec.constants:
            add(ox.Triple(subject, self.property(prop_name), self.hub.concept(*concept.split("/"))))
        entity.triples = self._most_specific(entity.triples)
        return entity

    def _field_triples(
        self, spec: EntitySpec, record: RecordLike, subject: ox.NamedNode, mapped: MappedRecord
    ) -> list[ox.Triple]:
        triples = []
        for field_spec in spec.fields:
            if field_spec.entity is not None:
                continue
            prop = self.property(field_spec.property)
            values = self.published_values(field_spec.value, record.fields, mapped, prop.value)
            for value in self.terms(prop.value, values, mapped, field_name(field_spec.value)):
                triples.append(ox.Triple(subject, prop, value))
        return triples

    def _schedules(
        self, spec: ScheduleSpec, fields: dict[str, Any], subject: ox.NamedNode, mapped: MappedRecord
    ) -> list[ox.Triple]:
        """The record's recurring sessions as ``schema:eventSchedule`` nodes; rules that cannot be said are noted."""
        rules = [_text(v) for v in self.values(spec.rule, fields)]
        starts, ends = ([_text(v) for v in self.values(part, fields)] for part in (spec.start_time, spec.end_time))
        excepted = tuple(_text(v) for v in self.values(spec.except_dates, fields))
        triples: list[ox.Triple] = []
        number = 0
        for index, rule in enumerate(rules):
            session = Session(rule, _nth(starts, index), _nth(ends, index), excepted, spec.timezone)
            try:
                nodes = schedules(session)
            except RuleError as exc:
                mapped.notes.append(f"dropped eventSchedule: {_shown(rule)} ({exc})")
                continue
            for description in nodes:
                number += 1
                node = ox.NamedNode(f"{subject.value}#schedule-{number}")
                triples.append(ox.Triple(subject, ox.NamedNode(SCHEMA + "eventSchedule"), node))
                triples += schedule_triples(node, description)
        return triples

    def _most_specific(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        """Of several values of a one-valued classification (a SCOP is a cooperative), keep the narrowest."""
        concept_prefix = self.hub.concept().value + "/"
        dropped = set()
        for name in SINGLE_VALUED:
            prop = self.hub.term(name)
            paths = {t.object.value[len(concept_prefix) :] for t in triples if t.predicate == prop}
            if len(paths) > 1:
                broader = broader_concepts()
                dropped |= {(prop, p) for p in paths if any(p in broader.get(other, ()) for other in paths)}
        if not dropped:
            return triples
        return [t for t in triples if (t.predicate, t.object.value[len(concept_prefix) :]) not in dropped]

    def _address(
        self,
        spec: EntitySpec,
        fields: dict[str, Any],
        subject: ox.NamedNode,
        entity: MappedEntity,
        mapped: MappedRecord,
    ) -> None:
        address_spec = spec.address
        assert address_spec is not None

        def one(part: ValueSpec | None) -> Any:
            found = self.published_values(part, fields, mapped)
            return found[0] if found else None

        street = one(address_spec.street)
        postal_code = one(address_spec.postal_code)
        city = one(address_spec.city)
        country = one(address_spec.country)
        if country is None:
            given = address_spec.country is not None and self.values(
                ValueSpec(address_spec.country.paths, address_spec.country.template), fields
            )
            if given:
                mapped.notes.append(f"dropped country {_shown(given[0], 20)}: not an ISO 3166 country")
            else:
                country = address_spec.default_country
        point = self._point(address_spec, fields, mapped)
        insee = one(address_spec.insee)
        if point is None and not any(v is not None for v in (street, postal_code, city)):
            return
        node = ox.NamedNode(subject.value + "#address")
        link = "location" if spec.type != "Actor" else "address"
        triples = [
            ox.Triple(subject, ox.NamedNode(SCHEMA + link), node),
            ox.Triple(node, _TYPE, ox.NamedNode(SCHEMA + "PostalAddress")),
        ]
        parts = (
            ("addressCountry", country, address_spec.country),
            ("streetAddress", street, address_spec.street),
            ("postalCode", postal_code, address_spec.postal_code),
            ("addressLocality", city, address_spec.city),
        )
        for prop, value, part in parts:
            if value is not None:
                literal = self.literal(value, mapped, field_name(part) if part else "default_country")
                triples.append(ox.Triple(node, ox.NamedNode(SCHEMA + prop), literal))
        if point is not None:
            for prop, value in zip(("lat", "long"), point, strict=True):
                triples.append(ox.Triple(node, ox.NamedNode(GEO + prop), self.literal(value, mapped, "coordinates")))
        entity.triples += triples
        if str(country) == "FR":
            self._territories(subject, entity, postal_code, city, insee)

    def _point(self, spec: AddressSpec, fields: dict[str, Any], mapped: MappedRecord) -> tuple[Decimal, Decimal] | None:
        """(latitude, longitude) from the first declared pair that is a point on Earth; the pairs passed over
        are noted (a longitude leaked into a latitude, a projected pair outside its projection)."""
        passed_over = []
        for pair in spec.coordinates:
            found = [self.published_values(part, fields, mapped) for part in (pair.first, pair.second)]
            if not all(found):
                continue
            numbers = [value if isinstance(value, Decimal) else number(value) for value, *_ in found]
            point = to_wgs84(numbers[0], numbers[1], pair.crs) if None not in numbers else None
            if point is None:
                shown = ", ".join(_shown(value, 30) for value, *_ in found)
                passed_over.append(f"{pair.where} ({shown})")
                continue
            if passed_over:
                mapped.notes.append(f"coordinates taken from {pair.where}: {'; '.join(passed_over)} not a point")
            return point
        if passed_over:
            mapped.notes.append(f"dropped coordinates: {'; '.join(passed_over)} not a point")
        return None

    def _territories(
        self, subject: ox.NamedNode, entity: MappedEntity, postal_code: Any, city: Any, insee: Any
    ) -> None:
        located = self.hub.term("locatedIn")
        city_text = str(city.text if isinstance(city, Tagged) else city) if city is not None else None
        place = (str(postal_code) if postal_code else None, city_text, str(insee) if insee else None)
        if place not in self._communes:  # feeds repeat the same towns: resolve each once
            self._communes[place] = self.territories.resolve(*place)
        commune = self._communes[place]
        if commune is not None:
            targets = [commune_iri(self.hub, commune.code), departement_iri(self.hub, commune.departement)]
            targets.append(region_iri(self.hub, commune.region))
        elif postal_code:
            departement = self.territories.departement_of_postal_code(str(postal_code))
            if departement is None:
                return
            region = next(c.region for c in self.territories.by_postal_code(str(postal_code)))
            targets = [departement_iri(self.hub, departement), region_iri(self.hub, region)]
        else:
            return
        entity.triples += [ox.Triple(subject, located, target) for target in targets]

    def _concept_code(self, taxonomy_id: str, raw: Any) -> str | None:
        """The taxonomy's own spelling of a code, tolerant of case, accents and U+FFFD damage."""
        code = str(raw.text if isinstance(raw, Tagged) else raw).strip()
        if not code:
            return None
        if (taxonomy_id, code) not in self._codes:  # a feed uses few codes, many times
            self._codes[(taxonomy_id, code)] = self._spelling(taxonomy_id, code)
        return self._codes[(taxonomy_id, code)]

    def _spelling(self, taxonomy_id: str, code: str) -> str:
        taxonomy = self.spec.taxonomies[taxonomy_id]
        if code in taxonomy.concepts:
            return code
        folded = fold(code)
        pattern = damaged_name_pattern(code)
        for known in taxonomy.concepts:
            if fold(known) == folded or (pattern is not None and pattern.match(fold(known))):
                return known
        return code

    def _concept_iri(self, taxonomy_id: str, code: str) -> ox.NamedNode:
        return self.hub.node("taxonomy", self.spec.id, taxonomy_id, concept_slug(code))

    def _concept(
        self, spec: EntitySpec, key: str, names: list[Any], record: RecordLike, mapped: MappedRecord
    ) -> MappedEntity | None:
        """A concept of a partner's own taxonomy, published by a partner that speaks SKOS."""
        assert spec.taxonomy is not None
        code = self._concept_code(spec.taxonomy, key) or key
        concept = self._concept_iri(spec.taxonomy, code)
        entity = MappedEntity(concept.value, "Concept", code, spec.id)
        if concept.value in self.described:
            entity.first_seen = False
            return entity
        self.described.add(concept.value)
        self.categories_seen.setdefault(spec.taxonomy, {}).setdefault(code, concept.value)
        scheme = self.hub.node("taxonomy", self.spec.id, spec.taxonomy)
        add = entity.triples.append
        add(ox.Triple(concept, _TYPE, ox.NamedNode(SKOS + "Concept")))
        add(ox.Triple(concept, ox.NamedNode(SKOS + "inScheme"), scheme))
        add(ox.Triple(concept, ox.NamedNode(SKOS + "notation"), ox.Literal(code)))
        add(ox.Triple(concept, self.hub.term("recordKey"), ox.Literal(key)))
        languages = self.concept_languages.setdefault(concept.value, set())
        for name in names:
            if isinstance(name, Tagged) and name.language not in languages:
                languages.add(name.language)
                label = self.literal(name, mapped, field_name(spec.name))
                add(ox.Triple(concept, ox.NamedNode(SKOS + "prefLabel"), label))
        for field_spec in spec.fields:
            if field_spec.entity is None:
                prop = self.property(field_spec.property)
                values = self.published_values(field_spec.value, record.fields, mapped, prop.value)
                for value in self.terms(prop.value, values, mapped, field_name(field_spec.value)):
                    add(ox.Triple(concept, prop, value))
        return entity

    def _categories(
        self, spec: EntitySpec, taxonomy_id: str, codes: Iterable[Any], subject: ox.NamedNode, entity: MappedEntity
    ) -> None:
        taxonomy = self.spec.taxonomies[taxonomy_id]
        seen = self.categories_seen.setdefault(taxonomy_id, {})
        applicable = APPLICABLE[spec.type]
        for raw in codes:
            code = self._concept_code(taxonomy_id, raw)
            if code is None:
                continue
            concept = self._concept_iri(taxonomy_id, code)
            seen.setdefault(code, concept.value)
            entity.categories.append((taxonomy_id, code))
            entity.triples.append(ox.Triple(subject, self.hub.term("partnerCategory"), concept))
            concept_spec = taxonomy.concepts.get(code)
            if concept_spec is None:
                continue
            for kind, path in concept_spec.matches:
                scheme = path.split("/", 1)[0]
                prop = SCHEME_PROPERTIES.get(scheme)
                # exact and broad matches classify the record in the common scheme; narrow
                # and close ones are published as mappings only (the partner's concept is wider).
                if kind in ("exact", "broad") and prop in applicable:
                    target = self.hub.concept(*path.split("/"))
                    entity.triples.append(ox.Triple(subject, self.hub.term(prop), target))


def _applies(spec: EntitySpec, fields: dict[str, Any]) -> bool:
    """Whether a record yields this entity: its ``when`` fields are filled and hold the values asked for."""
    if any(is_empty(get_path(fields, name)) for name in spec.when):
        return False
    return all(_text(get_path(fields, name) or "").strip() in values for name, values in spec.when_equals)


def _nth(values: list[str], index: int) -> str | None:
    """The value of a list that goes with the ``index``-th item of a sibling list (none past its end)."""
    return values[index] if index < len(values) else None


def _short(prop: str) -> str:
    return prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _text(value: Any) -> str:
    return str(value.text if isinstance(value, Tagged) else value)


def _shown(value: Any, length: int = 80) -> str:
    """A value as a report may quote it: redacted, then cut."""
    return repr(redact(_text(value)).text[:length])
