"""Validate records against the hub's shapes, with the reference data as context."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pyoxigraph as ox

from carrefour.memory import release_free_memory
from carrefour.vocab import Graphs, Hub
from loader.geo import commune_triples, referenced_commune_codes
from loader.reference import reference_sources
from loader.validation.dataset import ValidationDataset, default_graph_quads
from loader.validation.oxigraph_engine import CompiledShapes
from loader.validation.report import Finding, Report
from loader.validation.shapes import UnsupportedShapes

RELEASE_AFTER = 100_000  # statements validated before memory is handed back: a full collection costs 0.1 s or more

__all__ = ["ENGINES", "Finding", "Report", "UnsupportedShapes", "Validator"]

ENGINES = ("oxigraph", "pyshacl")  # the compiled fast engine (default), and pySHACL as the reference


class Validator:
    """Shapes and context parsed (and, for the fast engine, compiled) once, applied to many batches.

    :raises UnsupportedShapes: the fast engine cannot compile the shapes (it never skips a constraint).
    """

    def __init__(self, hub: Hub, engine: str = "oxigraph") -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown validation engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.hub = hub
        self.engine = engine
        sources = {s.graph.value: s for s in reference_sources(Graphs(hub))}
        self._shape_source = sources.pop(Graphs(hub).shapes.value)
        self._context_sources = tuple(sources.values())
        if engine == "oxigraph":
            self._compiled = CompiledShapes(self.shapes)

    @cached_property
    def shapes(self) -> list[ox.Quad]:
        return self._shape_source.parse(self.hub)

    @cached_property
    def context(self) -> list[ox.Quad]:
        """Vocabulary, concept schemes, regions and départements."""
        return [quad for source in self._context_sources for quad in source.parse(self.hub)]

    @cached_property
    def _context_quads(self) -> list[ox.Quad]:
        return default_graph_quads(self.context)

    def start(self) -> ValidationDataset:
        """A dataset to add records to while they are being mapped, for ``validate(…, dataset=)``."""
        return ValidationDataset()

    def validate(
        self,
        data: Sequence[ox.Quad | ox.Triple],
        extra_context: Sequence[ox.Quad | ox.Triple] = (),
        dataset: ValidationDataset | None = None,
    ) -> Report:
        """Validate ``data``; the communes it points to are added to the context.

        :param dataset: from ``start``, holding ``data`` already (added as it was mapped).
        """
        data = data if isinstance(data, list) else list(data)
        communes = commune_triples(self.hub, referenced_commune_codes(self.hub, data))
        if dataset is None:
            dataset = ValidationDataset(data)
        dataset.close([self._context_quads, [*communes, *extra_context]])
        if self.engine == "pyshacl":
            from loader.validation.pyshacl_engine import validate_with_pyshacl  # the reference, not the default

            report = Report(validate_with_pyshacl(dataset, self.shapes))
        else:
            report = Report(self._compiled.run(dataset))
        dataset.clear()
        del communes
        if len(data) >= RELEASE_AFTER:
            release_free_memory()  # the dataset held as much memory as the records themselves
        return report
