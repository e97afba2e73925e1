"""Push tokens: one secret per partner, of which the hub keeps only a SHA-256 hash.

``carrefour partners token ID`` makes a new token (the previous one stops working),
prints it once, and writes its hash to ``STORE/push-tokens.json``: web machines of a
remote store need a copy of that file, as of the artifacts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

TOKENS = "push-tokens.json"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _read(path: Path) -> dict[str, str]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def new_token(store_path: Path, partner_id: str) -> str:
    """A new token for ``partner_id``; only its hash is written (atomically, readable by its owner alone)."""
    token = secrets.token_urlsafe(32)
    path = store_path / TOKENS
    hashes = _read(path) | {partner_id: _digest(token)}
    store_path.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{TOKENS}.{os.getpid()}")
    temporary.write_text(json.dumps(hashes, indent=2, sort_keys=True), encoding="utf-8")
    temporary.chmod(0o600)
    os.replace(temporary, path)
    return token


def token_matches(store_path: Path, partner_id: str, token: str) -> bool:
    """Whether ``token`` is ``partner_id``'s (compared in constant time)."""
    expected = _read(store_path / TOKENS).get(partner_id)
    return expected is not None and hmac.compare_digest(expected, _digest(token))
