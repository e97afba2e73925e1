"""What a harvest finds again after writing: identity links and communes only when a statement they read changed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import SCHEMA, Hub
from loader.harvest import effective_statements, links_stale, territories_stale
from tests.conftest import DEFAULT_BASE

HUB = Hub(DEFAULT_BASE)
ONE = HUB.node("initiative", "alpha", "one")
ADDRESS = ox.NamedNode(ONE.value + "#address")


def record(street: str, postal: str, commune: str) -> list[ox.Triple]:
    return [
        ox.Triple(ONE, ox.NamedNode(SCHEMA + "name"), ox.Literal("Le Relais")),
        ox.Triple(ONE, ox.NamedNode(SCHEMA + "address"), ADDRESS),
        ox.Triple(ADDRESS, ox.NamedNode(SCHEMA + "streetAddress"), ox.Literal(street)),
        ox.Triple(ADDRESS, ox.NamedNode(SCHEMA + "postalCode"), ox.Literal(postal)),
        ox.Triple(ONE, HUB.term("locatedIn"), HUB.node("territory", "commune", commune)),
    ]


def stale_after(tmp_path: Path, new: list[ox.Triple]) -> tuple[bool, bool]:
    """(links stale, communes stale) after a session rewriting the record as ``new``."""
    store = EmbeddedStore(tmp_path / "store", HUB.base)
    graph = HUB.graph("partner", "alpha")
    old = record("1 rue de la Paix", "35000", "35238")
    with store.writer() as writer:
        writer.replace_graph(graph, old)
        writer.replace_graph(HUB.graph("territories"), [ox.Triple(ONE, HUB.term("name"), ox.Literal("x"))])
    with store.writer() as writer:
        writer.amend_graph(graph, new, old)  # how a re-harvest rewrites a changed record
        effective = effective_statements(writer)
        assert effective is not None
        return links_stale(writer, HUB, effective), territories_stale(writer, HUB, effective)


def test_a_record_rewritten_as_it_was_changes_nothing(tmp_path: Path) -> None:
    assert stale_after(tmp_path, record("1 rue de la Paix", "35000", "35238")) == (False, False)


def test_a_new_street_changes_neither_links_nor_communes(tmp_path: Path) -> None:
    assert stale_after(tmp_path, record("2 rue de la Paix", "35000", "35238")) == (False, False)


def test_a_new_postal_code_and_commune_change_both(tmp_path: Path) -> None:
    assert stale_after(tmp_path, record("1 rue de la Paix", "29200", "29019")) == (True, True)


def test_a_new_commune_alone_changes_the_communes_only(tmp_path: Path) -> None:
    assert stale_after(tmp_path, record("1 rue de la Paix", "35000", "35001")) == (False, True)
