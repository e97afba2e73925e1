"""Minting resource IRIs: stable, readable, never colliding.

An IRI is ``{base}{kind}/{partner}/{slug}``: readable (the slug of the name the
resource had when first seen, personal data taken out), scoped by partner (two partners never collide), and
stable across re-harvests because the store is the registry: each published
resource carries its record key (``cf:recordKey``), and a key seen before gets its
IRI back even if the name changed since.  A key seen for the first time gets the
name's slug, suffixed ``-2``, ``-3``… if another resource of the partner has it.

A name whose letters were lost upstream (U+FFFD, see ``loader.damage``) would make a
misspelt slug forever (``bibliothque``): such a resource is named after its record key
instead, and an IRI minted from a damaged name before this rule is minted again.
"""

from __future__ import annotations

import hashlib
import re

from carrefour.vocab import Hub, slugify
from loader.damage import is_damaged
from loader.geo import fold
from loader.mapping.spec import CALL_TYPES
from loader.privacy import scrub

KIND_PATHS = {"Initiative": "initiative", "SupportProgramme": "initiative", "Actor": "actor", "Offer": "offer",
              **dict.fromkeys(CALL_TYPES, "call")}  # fmt: skip


def content_key(values: list[str]) -> str:
    """A key for partners that give no identifier: a digest of the folded key fields."""
    digest = hashlib.sha256("\x1f".join(fold(v) for v in values).encode()).hexdigest()[:16]
    return f"content:{digest}"


def concept_slug(code: str) -> str:
    """The last segment of the IRI of a partner's category ``code`` (its taxonomy's own identifier).

    A code that lost letters upstream is named by a digest of it: stable, and no misspelt word.
    """
    if is_damaged(code):
        return "code-" + hashlib.sha256(code.encode()).hexdigest()[:12]
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
        damaged = name is not None and is_damaged(name)
        existing = self.registry.get((kind, key))
        if existing is not None and not (damaged and _minted_from(existing, name or "")):
            return existing
        # never a slug of an e-mail or a phone number, nor of a name that lost letters
        stem = slugify(scrub(name)) if name and not damaged else ""
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


def _minted_from(iri: str, name: str) -> bool:
    """Whether ``iri`` is the slug of ``name``, suffixed or not (``-2``…)."""
    slug = re.escape(slugify(scrub(name)))
    return re.fullmatch(slug + r"(-\d+)?", iri.rsplit("/", 1)[-1]) is not None
