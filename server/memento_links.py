"""Which IRIs are records with a history, and the ``Link`` naming their TimeGate and TimeMap (RFC 7089, 2.2).

Shared by the record pages (:mod:`server.pages`, which send the links with every
answer) and the Memento routes (:mod:`server.memento`).
"""

from __future__ import annotations

RECORD_KINDS = ("initiative", "actor", "call", "offer")  # always records; others (a partner's taxonomy concepts) may be
HISTORY_KINDS = (*RECORD_KINDS, "taxonomy")
LINK_FORMAT = "application/link-format"


def is_record_path(path: str, kinds: tuple[str, ...] = RECORD_KINDS) -> bool:
    """``path`` (relative to the base) names a resource of one of ``kinds``."""
    return path.split("/", 1)[0] in kinds and "/" in path


def memento_links(record: str, hub_base: str) -> str:
    """The record as its own TimeGate (RFC 7089, 4.1.1) and its TimeMap."""
    timemap = hub_base + "timemap/" + record[len(hub_base) :]
    return f'<{record}>; rel="original timegate", <{timemap}>; rel="timemap"; type="{LINK_FORMAT}"'
