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

from loader.validation.compiler import compile_shape
from loader.validation.dataset import ValidationDataset
from loader.validation.marks import MARKS
from loader.validation.regex import PYTHON_REGEX, python_regex
from loader.validation.report import Finding
from loader.validation.shapes import read_shapes

_FUNCTIONS = {PYTHON_REGEX: python_regex}


class CompiledShapes:
    """The shapes graph as queries; build it once, run it on any number of datasets."""

    def __init__(self, shapes: Iterable[ox.Quad | ox.Triple]) -> None:
        self.shapes = tuple(compile_shape(shape, number) for number, shape in enumerate(read_shapes(shapes)))

    def run(self, dataset: ValidationDataset) -> list[Finding]:
        targeted = [shape for shape in self.shapes if dataset.ask(shape.any_focus)]
        findings: list[Finding] = []
        for shape in targeted:
            for query in shape.sparql:
                findings.extend(query.findings(self._select(dataset, query.sparql)))
        for shape in targeted:
            dataset.construct_into(shape.focus_marks, MARKS)
        for mark in dict.fromkeys(mark for shape in targeted for mark in shape.instance_marks):
            dataset.construct_into(mark, MARKS)
        for shape in targeted:
            focus: set[str] | None = None
            for core in shape.core:
                found = list(core.findings(self._select(dataset, core.sparql)))
                if core.scans and found:
                    if focus is None:
                        focus = {solution["this"].value for solution in dataset.select(shape.focus)}
                    found = [finding for finding in found if finding.focus in focus]
                findings.extend(found)
        return sorted(findings, key=Finding.order)

    @staticmethod
    def _select(dataset: ValidationDataset, query: str) -> ox.QuerySolutions:
        return dataset.select(query, custom_functions=_FUNCTIONS)
