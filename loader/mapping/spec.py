"""A partner's mapping, read from its TOML file and checked before any record is read.

Everything a partner needs is declared: which entities each record yields
(initiative, programme, actor), their keys, names, fields with transforms, address,
categories in the partner's own taxonomy and how that taxonomy maps onto the common
concept schemes.  Mistakes are reported with the file and the place in it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from carrefour import paths
from carrefour.errors import ConfigError
from carrefour.vocab import DCT, FOAF, GEO, ORG, PROV, RDFS, SCHEMA, SKOS
from loader.mapping.transforms import PARAMETRISED, TRANSFORMS, Transform, resolve
from loader.mapping.values import template_fields

CALL_TYPES = ("CallForExpertise", "VolunteerMission", "JobOffer", "CallForApplications")
ENTITY_TYPES = ("Initiative", "SupportProgramme", "Actor", "Concept", *CALL_TYPES, "Offer")

PREFIXES = {
    "schema": SCHEMA,
    "dct": DCT,
    "prov": PROV,
    "org": ORG,
    "geo": GEO,
    "foaf": FOAF,
    "skos": SKOS,
    "rdfs": RDFS,
}

# How each property's values are written: IRIs, typed literals, or text.
IRI_PROPERTIES = frozenset(
    {SCHEMA + "url", SCHEMA + "sameAs", FOAF + "homepage", PROV + "wasDerivedFrom", DCT + "source", ORG + "memberOf"}
    | {SKOS + match for match in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}
)
HUB_IRI_PROPERTIES = frozenset({"answerPage"})  # terms of the hub's vocabulary whose values are web pages
DECIMAL_PROPERTIES = frozenset({GEO + "lat", GEO + "long", SCHEMA + "value"})
DATE_PROPERTIES = frozenset(
    {
        SCHEMA + "startDate",
        SCHEMA + "endDate",
        SCHEMA + "foundingDate",
        SCHEMA + "dateModified",
        SCHEMA + "validFrom",
        SCHEMA + "validThrough",
    }
)
TEXT_PROPERTIES_WITH_LANGUAGE = frozenset(
    {SCHEMA + "description", SCHEMA + "slogan", SCHEMA + "disambiguatingDescription"}
)
LANGUAGE_PROPERTY = DCT + "language"
# Where an e-mail or a phone number belongs: judged by the ``functional_email`` transform and the shapes.
CONTACT_PROPERTIES = frozenset({SCHEMA + "email", SCHEMA + "telephone", SCHEMA + "faxNumber"})

# The common scheme a concept belongs to decides the property that classifies with it.
SCHEME_PROPERTIES = {
    "theme": "theme",
    "audience": "audience",
    "method": "method",
    "actor-type": "actorType",
    "legal-form": "legalForm",
    "support-type": "supportType",
    "status": "status",
    "sector": "sector",
    "skill": "skillSought",
    "compensation": "compensation",
    "work-mode": "workMode",
    "offer-type": "offerType",
}
# Properties whose values are concepts of the common schemes, beside those above (an offer's skills).
CONCEPT_PROPERTIES = frozenset({*SCHEME_PROPERTIES.values(), "skillOffered"})
# Which classifications make sense for which kind of entity.
APPLICABLE = {
    "Initiative": {"theme", "audience", "method", "status", "sector"},
    "SupportProgramme": {"theme", "audience", "method", "status", "sector", "supportType"},
    "Actor": {"theme", "actorType", "legalForm", "supportType", "sector"},
    "Concept": set(),
    **{call: {"theme", "skillSought", "compensation", "workMode", "supportType"} for call in CALL_TYPES},
    "Offer": {"theme", "skillOffered", "offerType"},
}
MATCH_KINDS = ("exact", "broad", "narrow", "close")
# Classifications a resource has one of (sh:maxCount 1): of several candidates, the most specific is kept.
SINGLE_VALUED = ("legalForm", "status")


@dataclass(frozen=True)
class ValueSpec:
    """Where a value comes from (paths or a template) and how it is cleaned."""

    paths: tuple[str, ...] = ()
    template: str | None = None
    transforms: tuple[Transform, ...] = ()
    language: str | None = None  # a tag, or "*" to take tags from language maps
    replacements: tuple[tuple[str, str], ...] = ()  # ``map``: a partner's code -> the text to publish


@dataclass(frozen=True)
class FieldSpec:
    property: str  # full IRI
    value: ValueSpec | None = None
    entity: str | None = None  # link to another entity of the same record
    language: str | None = None


@dataclass(frozen=True)
class CoordinateSpec:
    """One pair of coordinates: WGS 84 latitude and longitude, or easting and northing in ``crs``."""

    first: ValueSpec  # latitude, or x
    second: ValueSpec  # longitude, or y
    crs: str | None = None  # e.g. "EPSG:2154" (Lambert-93); None: WGS 84 degrees
    where: str = ""  # how the partner file names the pair, for the report


@dataclass(frozen=True)
class AddressSpec:
    street: ValueSpec | None = None
    postal_code: ValueSpec | None = None
    city: ValueSpec | None = None
    insee: ValueSpec | None = None
    country: ValueSpec | None = None
    coordinates: tuple[CoordinateSpec, ...] = ()  # in order of preference: the first valid pair is kept
    default_country: str = "FR"


@dataclass(frozen=True)
class ScheduleSpec:
    """Recurring sessions: rules (RRULE) with, index by index, their start and end times."""

    rule: ValueSpec
    start_time: ValueSpec | None = None
    end_time: ValueSpec | None = None
    except_dates: ValueSpec | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class CategorySpec:
    value: ValueSpec
    taxonomy: str


@dataclass(frozen=True)
class KeySpec:
    template: str | None = None  # the partner's own identifier, e.g. "{id}"
    value: ValueSpec | None = None  # or a cleaned value, e.g. a SIREN (placeholders give no key)
    content_fields: tuple[str, ...] = ()  # or a content key from these fields


@dataclass(frozen=True)
class RecordRule:
    """A record-level check: records matching it are not published, with the rule's message."""

    field: str
    pattern: str | None = None  # the value must match this (full match) …
    equals: tuple[str, ...] = ()  # … or the record is excluded when the value is one of these
    message: str = ""
    personal_data: bool = False  # an exclusion for privacy: reported without the value


@dataclass(frozen=True)
class EntitySpec:
    id: str
    type: str
    key: KeySpec
    name: ValueSpec
    when: tuple[str, ...] = ()  # fields that must not be empty…
    when_equals: tuple[tuple[str, tuple[str, ...]], ...] = ()  # … and fields that must hold one of these values
    collect: bool = False  # one resource many records add to (a programme and its territories)
    source: str | None = None  # template of the record's URL at the partner (prov:wasDerivedFrom)
    fields: tuple[FieldSpec, ...] = ()
    address: AddressSpec | None = None
    schedule: ScheduleSpec | None = None
    categories: tuple[CategorySpec, ...] = ()
    constants: tuple[tuple[str, str], ...] = ()  # (property IRI, concept path under the vocabulary's concept/)
    taxonomy: str | None = None  # for Concept entities: the partner taxonomy they belong to


@dataclass(frozen=True)
class ConceptSpec:
    code: str
    labels: tuple[tuple[str, str], ...]  # (language, label)
    matches: tuple[tuple[str, str], ...]  # (match kind, common concept path, e.g. "theme/health")


@dataclass(frozen=True)
class TaxonomySpec:
    id: str
    labels: tuple[tuple[str, str], ...]
    concepts: dict[str, ConceptSpec]


@dataclass(frozen=True)
class PartnerSpec:
    id: str
    name: str
    homepage: str
    licence: str  # licence IRI
    licence_id: str  # as written in the file (SPDX id or URI)
    attribution: str
    description: dict[str, str]
    language: str
    feed: dict[str, Any]
    private: tuple[str, ...]
    entities: tuple[EntitySpec, ...]
    taxonomies: dict[str, TaxonomySpec]
    rules: tuple[RecordRule, ...] = ()
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


LICENCES = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-SA-3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "MIT": "https://spdx.org/licenses/MIT.html",
    "NOASSERTION": "https://spdx.org/licenses/NOASSERTION",
}


TRANSFORM_NAMES = (*TRANSFORMS, *(f"{name}:…" for name in PARAMETRISED))


def _suggestion(name: str, known: Iterable[str]) -> str:
    """``: expected one of …`` (the closest first), for a message about a name that is not known."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if close:
        return f" (did you mean {' or '.join(repr(c) for c in close)}?)"
    return f" (expected one of {', '.join(known)})" if len(known) <= 40 else ""


VALUE_KEYS = frozenset({"from", "template", "transform", "lang", "map"})


class SpecReader:
    """Turns the TOML tables of one partner file into a ``PartnerSpec``, or a clear ConfigError."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, place: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {place}: {message}")

    def text(self, table: Mapping[str, Any], key: str, place: str, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(place, f"'{key}' is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(place, f"'{key}' must be a non-empty string")
        return value

    def property_iri(self, curie: str, place: str) -> str:
        prefix, _, local = curie.partition(":")
        if prefix == "cf":
            if local not in vocabulary_terms():
                hint = _suggestion(local, vocabulary_terms()) or " (the terms are in ontology/carrefour.ttl)"
                raise self.fail(place, f"unknown vocabulary term cf:{local}{hint}")
            return "cf:" + local  # completed with the hub's base when mapping
        if prefix in PREFIXES and local:
            return PREFIXES[prefix] + local
        raise self.fail(place, f"unknown property {curie!r}: use cf:, schema:, dct:, prov:, org:, geo:, foaf:, skos:")

    def value(self, raw: Any, place: str, default_language: str | None = None) -> ValueSpec:
        if isinstance(raw, str):
            raw = {"from": raw}
        if not isinstance(raw, Mapping):
            raise self.fail(place, "a value is a field name or a table with 'from' or 'template'")
        sources = raw.get("from")
        template = raw.get("template")
        if (sources is None) == (template is None):
            raise self.fail(place, "give exactly one of 'from' (field path or list of paths) or 'template'")
        if isinstance(sources, str):
            sources = [sources]
        if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            raise self.fail(place, "'from' is a field path or a list of field paths")
        transforms = []
        for name in raw.get("transform", []):
            try:
                transforms.append(resolve(name))
            except KeyError:
                raise self.fail(place, f"unknown transform {name!r}{_suggestion(name, TRANSFORM_NAMES)}") from None
        language = raw.get("lang", default_language)
        replacements = raw.get("map", {})
        if not isinstance(replacements, Mapping) or not all(isinstance(v, str) for v in replacements.values()):
            raise self.fail(place, "'map' is a table of partner value = text to publish")
        unknown = sorted(set(raw) - VALUE_KEYS - {"property", "taxonomy"})  # a field's or a category's own keys
        if unknown:
            raise self.fail(place, f"unknown key {unknown[0]!r} in a value (expected from or template, transform, "
                                   "lang, map)")  # fmt: skip
        return ValueSpec(tuple(sources or ()), template, tuple(transforms), language, tuple(replacements.items()))

    def check_not_private(self, spec: ValueSpec, private: tuple[str, ...], place: str) -> None:
        used = set(spec.paths) | set(template_fields(spec.template or ""))
        leaked = sorted(used & set(private))
        if leaked:
            raise self.fail(place, f"maps private field(s) {', '.join(leaked)}: private fields are never published")

    def concept_path(self, path: str, place: str) -> str:
        if path not in common_concepts():
            hint = _suggestion(path, common_concepts()) or " (the concepts are in data/reference/concepts.ttl)"
            raise self.fail(place, f"unknown common concept {path!r}{hint}")
        return path


def read_partner(data: Mapping[str, Any], where: str, path: Path | None = None) -> PartnerSpec:
    """Check and convert one partner file's tables.

    :raises ConfigError: naming the file, the place in it and what is wrong.
    """
    reader = SpecReader(where)
    partner_id = reader.text(data, "id", "top level")
    if not partner_id.replace("-", "").replace("_", "").isalnum() or partner_id != partner_id.lower():
        raise reader.fail("id", "lower-case letters, digits, '-' and '_' only (it appears in URIs)")
    licence_id = reader.text(data, "licence", "top level")
    licence = LICENCES.get(licence_id, licence_id)
    if not licence.startswith(("http://", "https://")):
        raise reader.fail("licence", f"{licence_id!r} is neither a known SPDX id ({', '.join(LICENCES)}) nor a URI")
    language = data.get("language", "fr")
    privacy = data.get("privacy", {})
    private = tuple(privacy.get("private", []))
    feed = data.get("feed")
    if not isinstance(feed, Mapping) or "format" not in feed:
        raise reader.fail("[feed]", "a [feed] table with at least 'format' is required")

    taxonomies = {name: _taxonomy(reader, name, table) for name, table in (data.get("taxonomy") or {}).items()}
    raw_entities = data.get("entities")
    if not isinstance(raw_entities, list) or not raw_entities:
        raise reader.fail("[[entities]]", "at least one entity is required")
    entities = tuple(
        _entity(reader, index, raw, language, private, taxonomies) for index, raw in enumerate(raw_entities)
    )
    ids = [e.id for e in entities]
    if len(set(ids)) != len(ids):
        raise reader.fail("[[entities]]", "entity ids must be unique")
    for entity in entities:
        for spec in entity.fields:
            if spec.entity is not None and spec.entity not in ids:
                raise reader.fail(f"entity {entity.id!r}", f"links to unknown entity {spec.entity!r}")
    description = data.get("description", {})
    if isinstance(description, str):
        description = {language: description}
    rules = tuple(_rule(reader, f"[[checks]] #{n}", raw, False) for n, raw in enumerate(data.get("checks", []), 1))
    rules += tuple(
        _rule(reader, f"[privacy] exclude #{n}", raw, True) for n, raw in enumerate(privacy.get("exclude", []), 1)
    )
    return PartnerSpec(
        id=partner_id,
        name=reader.text(data, "name", "top level"),
        homepage=reader.text(data, "homepage", "top level"),
        licence=licence,
        licence_id=licence_id,
        attribution=reader.text(data, "attribution", "top level", required=False),
        description=dict(description),
        language=language,
        feed=dict(feed),
        private=private,
        entities=entities,
        taxonomies=taxonomies,
        rules=rules,
        path=path,
    )


def _rule(reader: SpecReader, place: str, raw: Mapping[str, Any], personal_data: bool) -> RecordRule:
    import re

    field_name = reader.text(raw, "field", place)
    pattern = raw.get("pattern")
    equals = raw.get("equals", ())
    equals = (equals,) if isinstance(equals, str) else tuple(equals)
    if (pattern is None) == (not equals):
        raise reader.fail(place, "give exactly one of 'pattern' (values must match) or 'equals' (values to exclude)")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise reader.fail(place, f"invalid pattern: {exc}") from None
    default = "personal data: a person named as an organisation" if personal_data else f"{field_name} is malformed"
    return RecordRule(field_name, pattern, equals, raw.get("message", default), personal_data)


def _taxonomy(reader: SpecReader, name: str, table: Mapping[str, Any]) -> TaxonomySpec:
    place = f"[taxonomy.{name}]"
    labels = _labels(reader, table.get("label"), place)
    concepts = {}
    for code, raw in (table.get("concepts") or {}).items():
        if isinstance(raw, str):
            raw = {"label": raw}
        matches = []
        for kind in MATCH_KINDS:
            targets = raw.get(kind, [])
            if isinstance(targets, str):
                targets = [targets]
            matches += [(kind, reader.concept_path(t, f"{place} concept {code!r}")) for t in targets]
        concepts[code] = ConceptSpec(code, _labels(reader, raw.get("label", code), f"{place} {code!r}"), tuple(matches))
    return TaxonomySpec(name, labels, concepts)


def _labels(reader: SpecReader, raw: Any, place: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (("fr", raw),)
    if isinstance(raw, Mapping) and all(isinstance(v, str) for v in raw.values()):
        return tuple(sorted(raw.items()))
    raise reader.fail(place, "a label is a string or a table of language = label")


def _entity(
    reader: SpecReader,
    index: int,
    raw: Mapping[str, Any],
    language: str,
    private: tuple[str, ...],
    taxonomies: dict[str, TaxonomySpec],
) -> EntitySpec:
    place = f"entity #{index + 1}"
    entity_id = reader.text(raw, "id", place)
    place = f"entity {entity_id!r}"
    entity_type = reader.text(raw, "type", place)
    if entity_type not in ENTITY_TYPES:
        raise reader.fail(place, f"type must be one of {', '.join(ENTITY_TYPES)}")
    key_raw = raw.get("key")
    if isinstance(key_raw, str):
        key = KeySpec(template=key_raw)
    elif isinstance(key_raw, Mapping) and isinstance(key_raw.get("content"), list):
        key = KeySpec(content_fields=tuple(key_raw["content"]))
    elif isinstance(key_raw, Mapping) and ("from" in key_raw or "template" in key_raw):
        key = KeySpec(value=reader.value(key_raw, f"{place} key"))
    else:
        raise reader.fail(
            place, "'key' is a template (\"{id}\"), a value table {from, transform} or {content = [fields]}"
        )
    taxonomy_id = raw.get("taxonomy")
    if entity_type == "Concept" and taxonomy_id not in taxonomies:
        raise reader.fail(place, "a Concept entity names its taxonomy ('taxonomy = \"…\"', declared in [taxonomy.…])")
    name = reader.value(raw.get("name"), f"{place} name")
    when, when_equals = _when(reader, raw.get("when", ()), place)
    collect = raw.get("collect", False)
    if not isinstance(collect, bool):
        raise reader.fail(place, "'collect' is true or false")

    fields = []
    for number, field_raw in enumerate(raw.get("fields", []), start=1):
        field_place = f"{place} field #{number}"
        prop = reader.property_iri(reader.text(field_raw, "property", field_place), field_place)
        if "entity" in field_raw:
            fields.append(FieldSpec(prop, entity=reader.text(field_raw, "entity", field_place)))
            continue
        default_language = language if prop in TEXT_PROPERTIES_WITH_LANGUAGE else None
        value = reader.value(field_raw, field_place, default_language)
        reader.check_not_private(value, private, field_place)
        fields.append(FieldSpec(prop, value))

    address = _address(reader, raw["address"], place, private) if "address" in raw else None
    schedule = _schedule(reader, raw["schedule"], f"{place} schedule", private) if "schedule" in raw else None

    categories = []
    for number, category_raw in enumerate(raw.get("categories", []), start=1):
        category_place = f"{place} category #{number}"
        taxonomy = reader.text(category_raw, "taxonomy", category_place)
        if taxonomy not in taxonomies:
            declared = f" (declared: {', '.join(taxonomies)})" if taxonomies else ""
            raise reader.fail(
                category_place, f"unknown taxonomy {taxonomy!r}: declare it in [taxonomy.{taxonomy}]{declared}"
            )
        categories.append(CategorySpec(reader.value(category_raw, category_place), taxonomy))

    constants = []
    for curie, targets in (raw.get("set") or {}).items():
        prop = reader.property_iri(curie, f"{place} set")
        for target in [targets] if isinstance(targets, str) else targets:
            constants.append((prop, reader.concept_path(target, f"{place} set {curie}")))

    for spec in (name,):
        reader.check_not_private(spec, private, f"{place} name")
    return EntitySpec(
        id=entity_id,
        type=entity_type,
        key=key,
        name=name,
        when=when,
        when_equals=when_equals,
        collect=collect,
        source=raw.get("source"),
        fields=tuple(fields),
        address=address,
        schedule=schedule,
        categories=tuple(categories),
        constants=tuple(constants),
        taxonomy=taxonomy_id,
    )


def field_name(spec: ValueSpec | None) -> str:
    """The partner's field(s) a value comes from, as a report names them."""
    if spec is None:
        return ""
    if spec.template is not None:
        return "+".join(template_fields(spec.template)) or spec.template
    return "|".join(spec.paths)


ADDRESS_PARTS = ("street", "postal_code", "city", "insee", "country")


def _when(reader: SpecReader, raw: Any, place: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """``when = "field"``, ``["a", "b"]`` (not empty) or ``{ field = "value" }``, ``{ field = ["v1", "v2"] }``."""
    if isinstance(raw, str):
        return (raw,), ()
    if isinstance(raw, list | tuple) and all(isinstance(name, str) for name in raw):
        return tuple(raw), ()
    if isinstance(raw, Mapping):
        equals = []
        for name, values in raw.items():
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise reader.fail(place, f"when.{name}: expected a value or a list of values (strings)")
            equals.append((name, tuple(values)))
        return (), tuple(equals)
    raise reader.fail(place, "'when' is a field name, a list of field names or a table of field = value(s)")


def _address(reader: SpecReader, raw: Any, place: str, private: tuple[str, ...]) -> AddressSpec:
    if not isinstance(raw, Mapping):
        raise reader.fail(place, "'address' is a table of parts (street, postal_code, city, insee, country, "
                                 "latitude and longitude, or coordinates)")  # fmt: skip
    known = {*ADDRESS_PARTS, "latitude", "longitude", "coordinates", "default_country"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise reader.fail(place, f"address: unknown part {unknown[0]!r} (expected one of {', '.join(sorted(known))})")
    parts = {}
    for part in ADDRESS_PARTS:
        if part in raw:
            parts[part] = reader.value(raw[part], f"{place} address.{part}")
            reader.check_not_private(parts[part], private, f"{place} address.{part}")
    pairs = list(raw.get("coordinates", []))
    if "latitude" in raw or "longitude" in raw:
        if pairs:
            raise reader.fail(place, "address: give 'latitude' and 'longitude' or 'coordinates', not both")
        pairs = [{"latitude": raw.get("latitude"), "longitude": raw.get("longitude")}]
    if not isinstance(pairs, list):
        raise reader.fail(place, "address.coordinates: expected a list of pairs, most trusted first")
    coordinates = tuple(
        _coordinates(reader, pair, f"{place} address.coordinates #{n}", private) for n, pair in enumerate(pairs, 1)
    )
    return AddressSpec(**parts, coordinates=coordinates, default_country=raw.get("default_country", "FR"))


def _coordinates(reader: SpecReader, raw: Any, place: str, private: tuple[str, ...]) -> CoordinateSpec:
    """``{ latitude = …, longitude = … }`` (WGS 84) or ``{ x = …, y = …, crs = "EPSG:2154" }`` (projected)."""
    from loader.mapping.coordinates import check_crs

    if isinstance(raw, Mapping) and set(raw) == {"latitude", "longitude"} and None not in raw.values():
        names, crs = ("latitude", "longitude"), None
    elif isinstance(raw, Mapping) and set(raw) == {"x", "y", "crs"}:
        names, crs = ("x", "y"), raw["crs"]
        problem = check_crs(crs) if isinstance(crs, str) else "not a string"
        if problem:
            raise reader.fail(place, f"crs {crs!r} is no coordinate reference system PROJ knows ({problem}): "
                                     "expected an EPSG code such as \"EPSG:2154\" (Lambert-93)")  # fmt: skip
    else:
        raise reader.fail(place, "expected { latitude = …, longitude = … } (WGS 84 degrees) "
                                 "or { x = …, y = …, crs = \"EPSG:…\" } (projected coordinates)")  # fmt: skip
    first, second = (reader.value(raw[name], f"{place} {name}") for name in names)
    for spec in (first, second):
        reader.check_not_private(spec, private, place)
    names = dict.fromkeys((field_name(first), field_name(second)))  # "pointgeo" once when both come from it
    return CoordinateSpec(first, second, crs, "/".join(names))


def _schedule(reader: SpecReader, raw: Any, place: str, private: tuple[str, ...]) -> ScheduleSpec:
    """``{ rule = …, start_time = …, end_time = …, except_dates = …, timezone = "Europe/Paris" }``."""
    known = {"rule", "start_time", "end_time", "except_dates", "timezone"}
    if not isinstance(raw, Mapping) or "rule" not in raw or set(raw) - known:
        raise reader.fail(place, f"expected a table with 'rule' (RRULE values) and optionally "
                                 f"{', '.join(sorted(known - {'rule'}))}")  # fmt: skip
    values = {name: reader.value(raw[name], f"{place}.{name}") for name in known - {"timezone"} if name in raw}
    for spec in values.values():
        reader.check_not_private(spec, private, place)
    timezone = raw.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise reader.fail(place, 'timezone: expected an IANA time zone name such as "Europe/Paris"')
    return ScheduleSpec(**values, timezone=timezone)


@cache
def vocabulary_terms() -> frozenset[str]:
    """Local names defined by the hub's vocabulary."""
    base = "http://vocabulary.invalid/"
    quads = ox.parse(path=paths.ONTOLOGY_DIR / "carrefour.ttl", format=ox.RdfFormat.TURTLE, base_iri=base)
    namespace = base + "ontology#"
    return frozenset(q.subject.value[len(namespace) :] for q in quads if q.subject.value.startswith(namespace))


@cache
def common_concepts() -> frozenset[str]:
    """Concept paths of the common schemes: ``theme/health``, ``actor-type/fab-lab``…"""
    base = "http://vocabulary.invalid/"
    quads = ox.parse(path=paths.REFERENCE_DIR / "concepts.ttl", format=ox.RdfFormat.TURTLE, base_iri=base)
    prefix = base + "concept/"
    return frozenset(
        q.subject.value[len(prefix) :]
        for q in quads
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix) and q.subject.value.count("/") > 4
    )


@cache
def broader_concepts() -> dict[str, frozenset[str]]:
    """Each common concept path -> every concept it is (transitively) narrower than."""
    base = "http://vocabulary.invalid/"
    quads = ox.parse(path=paths.REFERENCE_DIR / "concepts.ttl", format=ox.RdfFormat.TURTLE, base_iri=base)
    prefix = base + "concept/"
    direct: dict[str, set[str]] = {}
    for quad in quads:
        if quad.predicate.value == SKOS + "broader" and quad.subject.value.startswith(prefix):
            direct.setdefault(quad.subject.value[len(prefix) :], set()).add(quad.object.value[len(prefix) :])
    closure: dict[str, frozenset[str]] = {}
    for path in direct:
        seen: set[str] = set()
        pending = list(direct[path])
        while pending:
            parent = pending.pop()
            if parent not in seen:
                seen.add(parent)
                pending += direct.get(parent, ())
        closure[path] = frozenset(seen)
    return closure
