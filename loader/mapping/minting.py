"""Minting resource IRIs: stable, readable, never colliding.

An IRI is ``{base}{kind}/{partner}/{slug}``: readable (the slug of the name the
resource had when first seen, personal data taken out), scoped by partner (two partners never collide), and
stable across re-harvests because the store is the registry: each published
resource carries its record key (``cf:recordKey``), and a key seen before gets its
IRI back even if the name changed since.  A key seen for the first time gets the
name's slug, suffixed ``-2``, ``-3``… if another resource of the partner has it.
"""

from __future__ import annotations

import hashlib

from carrefour.vocab import Hub, slugify
from loader.geo import fold
from loader.privacy import scrub

KIND_PATHS = {"Initiative": "initiative", "SupportProgramme": "initiative", "Actor": "actor"}


def content_key(values: list[str]) -> str:
    """A key for partners that give no identifier: a digest of the folded key fields."""
    digest = hashlib.sha256("\x1f".join(fold(v) for v in values).encode()).hexdigest()[:16]
    return f"content:{digest}"


def concept_slug(code: str) -> str:
    """The last segment of the IRI of a partner's category ``code`` (its taxonomy's own identifier)."""
    return slugify(code)


class Minter:
    """IRIs for one partner, reusing those the registry already holds."""

    def __init__(self, hub: Hub, partner_id: str, registry: dict[tuple[str, str], str]) -> None:
        self.hub = hub
        self.partner_id = partner_id
        self.registry = dict(registry)  # (kind path, record key) -> IRI
        self.taken = set(self.registry.values())

    def mint(self, entity_type: str, key: str, name: str | None) -> str:
        kind = KIND_PATHS[entity_type]
        existing = self.registry.get((kind, key))
        if existing is not None:
            return existing
        stem = slugify(scrub(name)) if name else ""  # never a slug of an e-mail or a phone number
        if not stem or stem == "x":
            stem = slugify(key)
        prefix = self.hub.iri(kind, self.partner_id) + "/"
        iri = prefix + stem
        number = 2
        while iri in self.taken:
            iri = f"{prefix}{stem}-{number}"
            number += 1
        self.registry[(kind, key)] = iri
        self.taken.add(iri)
        return iri
