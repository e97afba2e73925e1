"""The partner registry: one TOML file per partner in ``partners/``.

Adding the next partner in a known format is a new file and nothing else.  The
registry also describes the partners as linked data (graph/partners) and publishes
each partner's own taxonomy with its mappings to the common schemes
(graph/taxonomy/{id}): the partner's definitions are kept, never overwritten.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from carrefour import paths
from carrefour.errors import ConfigError
from carrefour.vocab import DCT, FOAF, RDF, SCHEMA, SKOS, Hub
from loader.config_lines import line_of
from loader.feeds import FeedSpec
from loader.mapping.minting import concept_slug
from loader.mapping.spec import PartnerSpec, TaxonomySpec, read_partner

_TYPE = ox.NamedNode(RDF + "type")
MATCH_PROPERTIES = {
    "exact": SKOS + "exactMatch",
    "broad": SKOS + "broadMatch",
    "narrow": SKOS + "narrowMatch",
    "close": SKOS + "closeMatch",
}


def partners_dir(configured: str = "") -> Path:
    return Path(configured) if configured else paths.PARTNERS_DIR


def load_partner(path: Path) -> PartnerSpec:
    """Read and check one partner file.

    :raises ConfigError: unreadable TOML or an invalid mapping (the message says where).
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read partner file: {exc}") from exc
    try:
        spec = read_partner(data, str(path), path)
        FeedSpec.from_table(spec.feed, where=f"{path}: [feed]")  # every reader option is checked before reading
    except ConfigError as exc:
        raise _with_line(exc, path, text) from None
    if spec.id != path.stem:
        raise ConfigError(f"{path}: id {spec.id!r} must match the file name ({path.stem!r})")
    return spec


def _with_line(error: ConfigError, path: Path, text: str) -> ConfigError:
    """``FILE:LINE: place: what is wrong`` from ``FILE: place: what is wrong``."""
    place, _, message = str(error).removeprefix(f"{path}: ").partition(": ")
    line = line_of(text, place, message)
    return ConfigError(f"{path}:{line}: {place}: {message}" if line else str(error))


def load_partners(directory: Path, only: list[str] | None = None) -> list[PartnerSpec]:
    """Every partner file of ``directory`` (sorted by id), or the ones named in ``only``.

    :raises ConfigError: an unknown partner was asked for, or a file is invalid.
    """
    files = {p.stem: p for p in sorted(directory.glob("*.toml"))}
    if only:
        unknown = sorted(set(only) - set(files))
        if unknown:
            raise ConfigError(f"unknown partner(s): {', '.join(unknown)} (known: {', '.join(files) or 'none'})")
        files = {k: v for k, v in files.items() if k in only}
    return [load_partner(path) for path in files.values()]


def describe_partner(spec: PartnerSpec, hub: Hub) -> list[ox.Triple]:
    """The partner as a cf:Partner: name, home page, licence, taxonomies, its data graph."""
    partner = hub.partner(spec.id)
    graph = hub.graph("partner", spec.id)
    triples = [
        ox.Triple(partner, ox.NamedNode(RDF + "type"), hub.term("Partner")),
        ox.Triple(partner, ox.NamedNode(SCHEMA + "name"), ox.Literal(spec.name)),
        ox.Triple(partner, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(spec.homepage)),
        ox.Triple(partner, ox.NamedNode(DCT + "license"), ox.NamedNode(spec.licence)),
        ox.Triple(graph, ox.NamedNode(DCT + "publisher"), partner),
        ox.Triple(graph, ox.NamedNode(DCT + "license"), ox.NamedNode(spec.licence)),
    ]
    if spec.attribution:
        triples.append(ox.Triple(partner, ox.NamedNode(DCT + "rightsHolder"), ox.Literal(spec.attribution)))
    for language, text in spec.description.items():
        triples.append(ox.Triple(partner, ox.NamedNode(SCHEMA + "description"), ox.Literal(text, language=language)))
    for taxonomy_id in spec.taxonomies:
        triples.append(ox.Triple(partner, hub.term("taxonomy"), hub.node("taxonomy", spec.id, taxonomy_id)))
    return triples


def taxonomy_triples(
    spec: PartnerSpec,
    hub: Hub,
    seen: dict[str, dict[str, str]],
    feed_languages: dict[str, set[str]] | None = None,
) -> list[ox.Triple]:
    """The partner's concept schemes: declared concepts and the codes met in the feed, with their mappings.

    Concepts the partner's own feed describes (``feed_languages``: IRI -> languages of
    its labels there) get the hub's labels only in the languages the feed lacks, so a
    concept never has two preferred labels in one language.
    """
    feed_languages = feed_languages or {}
    triples: list[ox.Triple] = []
    for taxonomy_id, taxonomy in spec.taxonomies.items():
        scheme = hub.node("taxonomy", spec.id, taxonomy_id)
        triples += [
            ox.Triple(scheme, _TYPE, ox.NamedNode(SKOS + "ConceptScheme")),
            ox.Triple(scheme, ox.NamedNode(DCT + "publisher"), hub.partner(spec.id)),
        ]
        for language, label in taxonomy.labels or (("fr", taxonomy_id),):
            triples.append(ox.Triple(scheme, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(label, language=language)))
        codes = dict.fromkeys([*taxonomy.concepts, *seen.get(taxonomy_id, {})])
        for concept, spellings in _codes_by_concept(scheme, codes).items():
            described = feed_languages.get(concept.value, set())
            triples += _concept_triples(hub, concept, scheme, spellings, taxonomy, described)
    return triples


def _codes_by_concept(scheme: ox.NamedNode, codes: Iterable[str]) -> dict[ox.NamedNode, list[str]]:
    """Codes grouped by the concept IRI they are minted to, first met first: two spellings may share a slug."""
    grouped: dict[ox.NamedNode, list[str]] = {}
    for code in codes:
        grouped.setdefault(ox.NamedNode(f"{scheme.value}/{concept_slug(code)}"), []).append(code)
    return grouped


def _concept_triples(
    hub: Hub, concept: ox.NamedNode, scheme: ox.NamedNode, codes: list[str], taxonomy: TaxonomySpec, described: set[str]
) -> list[ox.Triple]:
    """One concept for all its spellings: the first gives the preferred label per language, the others
    alternative labels (SKOS allows one preferred label per language); every spelling is a notation."""
    preferred: dict[str, str] = {}
    alternative: dict[tuple[str, str], None] = {}
    matches: dict[tuple[str, str], None] = {}
    for code in codes:
        concept_spec = taxonomy.concepts.get(code)
        labels = concept_spec.labels if concept_spec and concept_spec.labels else (("fr", code),)
        for language, label in labels:
            if language in described:
                continue
            if preferred.setdefault(language, label) != label:
                alternative[(language, label)] = None
        matches.update(dict.fromkeys(concept_spec.matches if concept_spec else ()))
    triples = [
        ox.Triple(concept, _TYPE, ox.NamedNode(SKOS + "Concept")),
        ox.Triple(concept, ox.NamedNode(SKOS + "inScheme"), scheme),
    ]
    triples += [ox.Triple(concept, ox.NamedNode(SKOS + "notation"), ox.Literal(code)) for code in codes]
    triples += [_label(concept, "prefLabel", language, text) for language, text in preferred.items()]
    triples += [_label(concept, "altLabel", language, text) for language, text in alternative]
    triples += [
        ox.Triple(concept, ox.NamedNode(MATCH_PROPERTIES[kind]), hub.concept(*path.split("/")))
        for kind, path in matches
    ]
    return triples


def _label(concept: ox.NamedNode, kind: str, language: str, text: str) -> ox.Triple:
    return ox.Triple(concept, ox.NamedNode(SKOS + kind), ox.Literal(text, language=language))
