"""The two engines on realistic batches: synthetic hub data, a mapped partner feed, the curated data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pytest

from bench import feeds
from bench.synthetic import generate
from carrefour import paths
from carrefour.vocab import Graphs, Hub
from loader.mapping.engine import RecordMapper
from loader.mapping.minting import Minter
from loader.partners import load_partner, taxonomy_triples
from loader.reference import curated_source, parse_files
from loader.validation import Validator
from tests.support.rdf import vocabulary_iris
from tests.validation.conftest import assert_same_findings, parse_turtle, validate_both


@pytest.mark.slow
def test_synthetic_data_with_injected_violations(hub: Hub, fast: Validator, reference: Validator) -> None:
    """2,000 initiatives and 1,000 actors in 20 partner graphs, 5 % of them broken the ways real feeds are."""
    data = generate(hub, 2000, violation_rate=0.05)
    assert len(data.broken) > 50
    report = validate_both(fast, reference, data.quads)
    assert report.rejected_records() == set(data.broken)
    assert len(report.warnings) == 1000  # the synthetic actors have no coordinates


@dataclass
class FeedRecord:
    fields: dict[str, Any]
    origin: str
    url: str | None = None


def test_a_mapped_partner_batch_with_its_taxonomy(hub: Hub, fast: Validator, reference: Validator) -> None:
    """One partner's mapped records as triples, its taxonomy as extra context (looked up, not judged)."""
    spec = load_partner(paths.PARTNERS_DIR / "hub-du-sud.toml")
    mapper = RecordMapper(spec, hub, Minter(hub, spec.id, {}))
    records, broken = feeds.generate(400, violation_rate=0.05)
    triples = []
    for number, fields in enumerate(records):
        mapped = mapper.map(FeedRecord(fields, origin=f"record {number}"))
        triples += [t for entity in mapped.entities for t in entity.triples]
    taxonomy = taxonomy_triples(spec, hub, mapper.categories_seen, mapper.concept_languages)
    assert broken and taxonomy
    report = validate_both(fast, reference, triples, extra_context=taxonomy)
    assert report.violations, "the broken records must be rejected"
    assert not any(f.record.startswith(hub.iri("taxonomy")) for f in report.findings), "the context is not judged"
    judged = validate_both(fast, reference, [*triples, *taxonomy])  # as the harvest judges them
    assert not any(f.record.startswith(hub.iri("taxonomy")) for f in judged.violations)


def test_curated_data(hub: Hub, fast: Validator, reference: Validator) -> None:
    files = curated_source(Graphs(hub)).files
    if not files:
        pytest.skip(f"no curated data in {paths.CURATED_DIR} yet")
    validate_both(fast, reference, parse_files(files, hub))


def test_statements_repeated_across_graphs_and_context(hub: Hub, fast: Validator, reference: Validator) -> None:
    """The same triple in two partner graphs, or in a record and the context, is one triple to SHACL."""
    text = """
    @prefix cf: <ontology#> . @prefix schema: <http://schema.org/> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    GRAPH <graph/partner/a> {
        <initiative/a/x> a cf:Initiative ; schema:name "X" ; cf:status <concept/status/idea> , <concept/theme/health> .
        <concept/theme/health> a skos:Concept , cf:Theme ; skos:prefLabel "Santé"@fr ; skos:inScheme <concept/theme> .
    }
    GRAPH <graph/partner/b> {
        <initiative/a/x> a cf:Initiative ; schema:name "X" ; cf:status <concept/status/idea> .
        <concept/theme/health> a skos:Concept ; skos:prefLabel "Santé"@fr , "Health"@en .
    }
    """
    quads = list(ox.parse(vocabulary_iris(text, hub), format=ox.RdfFormat.TRIG, base_iri=hub.base))
    report = validate_both(fast, reference, quads)
    assert {(f.shape.rsplit("#", 1)[-1], f.component) for f in report.findings} == {
        ("Initiative-nameLength", "MinLengthConstraintComponent"),
        ("Initiative-status", "MaxCountConstraintComponent"),
        ("Initiative-status", "ClassConstraintComponent"),
        ("Initiative-geolocation", "MinCountConstraintComponent"),
    }


def test_one_validator_serves_many_batches(hub: Hub, fast: Validator) -> None:
    """Each call starts from the context alone: nothing of a previous batch remains."""
    first, second = generate(hub, 60, seed=1, violation_rate=0.2), generate(hub, 60, seed=2, violation_rate=0.2)
    alone = Validator(hub).validate(second.quads)
    fast.validate(first.quads)
    again = fast.validate(second.quads)
    assert_same_findings(again, alone)
    assert again.rejected_records() == set(second.broken)


def test_engines_are_chosen_by_name(hub: Hub) -> None:
    assert Validator(hub).engine == "oxigraph"
    assert Validator(hub, engine="pyshacl").engine == "pyshacl"
    with pytest.raises(ValueError, match="unknown validation engine 'turbo'"):
        Validator(hub, engine="turbo")


def test_context_concepts_are_never_judged(hub: Hub, fast: Validator, reference: Validator) -> None:
    """A context concept without a French label (a partner taxonomy, say) is looked up, not reported."""
    text = """
    @prefix cf: <ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <taxonomy/p/t/gardens> a skos:Concept , cf:Theme ; skos:prefLabel "Gardens" , "Jardins"@en , "Plots"@en .
    <taxonomy/p/t> a skos:ConceptScheme .
    """
    taxonomy = [quad.triple for quad in parse_turtle(text, hub)]
    record = """
    @prefix cf: <ontology#> . @prefix schema: <http://schema.org/> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <initiative/p/x> a cf:Initiative ; schema:name "Jardins partagés" ; cf:theme <taxonomy/p/t/gardens> .
    <taxonomy/p/t/orchards> a skos:Concept ; skos:prefLabel "Vergers"@fr , "Orchards"@en ;
        skos:inScheme <concept/theme> .
    """
    quads = parse_turtle(record, hub)
    report = validate_both(fast, reference, quads, extra_context=taxonomy)
    assert {f.focus for f in report.findings} == {hub.iri("initiative", "p", "x")}
