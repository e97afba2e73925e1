"""Validate records against the hub's shapes, with the reference data as context."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pyoxigraph as ox

from carrefour.vocab import Graphs, Hub
from loader.geo import commune_triples, referenced_commune_codes
from loader.reference import parse_files, reference_sources
from loader.validation.pyshacl_engine import validate_with_pyshacl
from loader.validation.report import Finding, Report

__all__ = ["Finding", "Report", "Validator"]

ENGINES = ("pyshacl",)


class Validator:
    """Shapes and context parsed once, applied to as many batches of records as needed."""

    def __init__(self, hub: Hub, engine: str = "pyshacl") -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown validation engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.hub = hub
        self.engine = engine
        sources = {s.graph.value: s for s in reference_sources(Graphs(hub))}
        self._shape_files = sources.pop(Graphs(hub).shapes.value).files
        self._context_files = tuple(f for s in sources.values() for f in s.files)

    @cached_property
    def shapes(self) -> list[ox.Quad]:
        return parse_files(self._shape_files, self.hub.base)

    @cached_property
    def context(self) -> list[ox.Quad]:
        """Vocabulary, concept schemes, regions and départements."""
        return parse_files(self._context_files, self.hub.base)

    def validate(
        self, data: Sequence[ox.Quad | ox.Triple], extra_context: Sequence[ox.Quad | ox.Triple] = ()
    ) -> Report:
        """Validate ``data``; the communes it points to are added to the context."""
        communes = commune_triples(self.hub, referenced_commune_codes(self.hub, list(data)))
        context = [*self.context, *communes, *extra_context]
        return Report(validate_with_pyshacl(data, self.shapes, context))
