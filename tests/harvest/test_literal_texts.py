"""The catalogue's texts read once per predicate are those read each time they are asked for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyoxigraph as ox

from carrefour.artifacts.search import DESCRIPTIONS_OF, NAMES, OTHER_NAMES, LiteralTexts, literal_texts
from carrefour.store.base import Snapshot, Store
from carrefour.vocab import SCHEMA, SKOS


class CountingView:
    """A snapshot that counts the patterns it is asked for."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.asked: Counter[str] = Counter()

    def quads(self, subject: object = None, predicate: ox.NamedNode | None = None, *rest: object) -> Iterator[ox.Quad]:
        self.asked[predicate.value if predicate is not None else ""] += 1
        return self.snapshot.quads(subject, predicate, *rest)  # type: ignore[arg-type]


def test_each_predicate_is_read_once_and_every_answer_is_the_same(bundled_store: Store) -> None:
    snapshot = bundled_store.snapshot()
    view = CountingView(snapshot)
    texts = LiteralTexts(view)  # type: ignore[arg-type]
    asked = [NAMES, OTHER_NAMES, DESCRIPTIONS_OF, (SKOS + "prefLabel", SCHEMA + "name"), (SKOS + "prefLabel",), NAMES]
    for predicates in asked:
        expected = literal_texts(snapshot, predicates)
        found = texts(predicates)
        assert found == expected and list(found) == list(expected), predicates  # the same texts, in the same order
        assert all(list(found[s]) == list(expected[s]) for s in expected), "each subject's texts in the same order"
    assert len(texts(NAMES)) > 100, "the bundled data names its records"
    assert set(view.asked.values()) == {1}, view.asked
    first = texts((SCHEMA + "name",))
    first[next(iter(first))]["changed by the caller"] = "fr"
    assert "changed by the caller" not in str(texts((SCHEMA + "name",))), "callers get their own dictionaries"
