"""Records added to the validation dataset while they are mapped: the same store, the same findings."""

from __future__ import annotations

import pyoxigraph as ox

from carrefour.vocab import Hub
from loader.validation import Validator
from loader.validation.dataset import ValidationDataset
from tests.validation.conftest import parse_turtle
from tests.validation.test_project_shapes import PREFIXES, actor, initiative


def records(hub: Hub) -> list[ox.Triple]:
    """Forty records, a few of them broken, as triples of the default graph (as the mapping makes them)."""
    text = PREFIXES
    for n in range(20):
        text += initiative(f"i{n}", name=None if n % 7 == 0 else '"Un lieu"')
        text += actor(f"a{n}", 'cf:siren "123"' if n % 5 == 0 else "")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in parse_turtle(text, hub)]


def test_added_piece_by_piece_or_at_once_the_store_is_the_same(hub: Hub) -> None:
    data = records(hub)
    blank = ox.BlankNode("kept")
    with_blank = [ox.Triple(data[0].subject, ox.NamedNode("http://schema.org/keywords"), blank)]
    whole = ValidationDataset([*data, *with_blank])
    pieces = ValidationDataset()
    for start in range(0, len(data), 17):
        pieces.add(data[start : start + 17])
    pieces.add(with_blank)  # blank nodes keep their label: added as terms, not parsed
    pieces.close()
    assert set(pieces.store) == set(whole.store) and len(pieces.store) == len(set(data)) + 1
    assert any(q.object == blank for q in pieces.store)


def test_validating_a_dataset_filled_while_mapping_gives_the_same_report(fast: Validator, hub: Hub) -> None:
    data = records(hub)
    dataset = fast.start()
    for start in range(0, len(data), 23):
        dataset.add(data[start : start + 23])
    filled = fast.validate(data, dataset=dataset)
    direct = fast.validate(data)
    assert filled.findings == direct.findings
    assert {f.record for f in direct.findings} >= {str(hub.iri("initiative", "test", "i0"))}
    assert len(dataset.store) == 0, "the dataset lets its memory go once validated"
