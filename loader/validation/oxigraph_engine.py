"""The fast engine: the shapes compiled once into SPARQL, run on an in-memory Oxigraph store.

It gives the findings pySHACL gives (same focus nodes, paths, severities, shapes,
components, values and messages) for every SHACL feature the project's shapes use,
and refuses the rest when it is built (see ``shapes``).  Compiling happens once per
``Validator``; each call only loads its records into a fresh store and runs the
queries.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from loader.validation.compiler import CompiledShape, compile_shape
from loader.validation.dataset import ValidationDataset
from loader.validation.regex import PYTHON_REGEX, python_regex
from loader.validation.report import Finding
from loader.validation.shapes import read_shapes

_FUNCTIONS = {PYTHON_REGEX: python_regex}


class CompiledShapes:
    """The shapes graph as queries; build it once, run it on any number of datasets."""

    def __init__(self, shapes: Iterable[ox.Quad | ox.Triple]) -> None:
        self.shapes: tuple[CompiledShape, ...] = tuple(compile_shape(shape) for shape in read_shapes(shapes))

    def run(self, dataset: ValidationDataset) -> list[Finding]:
        findings: list[Finding] = []
        for shape in self.shapes:
            if not dataset.ask(shape.any_focus):
                continue
            for query in shape.queries:
                findings.extend(query.findings(dataset.select(query.sparql, custom_functions=_FUNCTIONS)))
        return sorted(findings)
