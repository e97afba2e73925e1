"""Public queries as the endpoint hands them to a store: past the gate."""

from __future__ import annotations

from carrefour.sparql.gate import GatePolicy, gate
from carrefour.store.base import PublicQuery

POLICY = GatePolicy.of("http://example.org/", (), {})


def public_query(text: str, **limits: object) -> PublicQuery:
    """``text`` through the gate (no SERVICE host allowed, no prefix known without PREFIX), with these limits."""
    return PublicQuery(gate(text, POLICY), **limits)  # type: ignore[arg-type]
