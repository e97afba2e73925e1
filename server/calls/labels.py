"""Names the brokerage pages show: concepts of the schemes calls use, territories, publishers."""

from __future__ import annotations

from dataclasses import dataclass

from carrefour.artifacts.calls import Concepts, Names


@dataclass
class Labels:
    concepts: Concepts  # scheme → code → language → label
    names: Names  # IRI (territories, publishers) → language → name

    def of(self, scheme: str, code: str, lang: str) -> str:
        found = self.concepts.get(scheme, {}).get(code, {})
        return found.get(lang) or found.get("fr") or code

    def name(self, iri: str, lang: str) -> str:
        found = self.names.get(iri, {})
        return found.get(lang) or found.get("fr") or found.get("") or iri

    def options(self, scheme: str, lang: str) -> list[tuple[str, str]]:
        """(code, label) of every concept of the scheme, in the order of their labels."""
        return sorted(((code, self.of(scheme, code, lang)) for code in self.concepts.get(scheme, {})),
                      key=lambda pair: pair[1].casefold())  # fmt: skip
