"""A record's content hash in its two forms: hexadecimal where the harvest keys its memo, base 32 where it is
published (``cf:contentHash``).

Published in base 32 (letters and 2 to 7): a hash never reads like a phone number, as hexadecimal digits may.
Kept in hexadecimal by the harvest (its memo and its index of what a partner published), which every re-harvest
makes for every feed record: ``hexdigest`` is written by OpenSSL, where base 32 is a Python loop (0.45 s of every
re-harvest of 40,000 records); only the records published again are written in base 32.
"""

from __future__ import annotations

import base64
import binascii


def published_hash(digest: str) -> str:
    """The hash as published, of a hexadecimal SHA-256."""
    return base64.b32encode(bytes.fromhex(digest)).decode("ascii").rstrip("=").lower()


def memo_hash(published: str) -> str:
    """The hexadecimal SHA-256 of a hash as published; a value that is no such hash is kept as it is (no feed
    record's hash is ever that: its record is mapped again)."""
    try:
        return base64.b32decode(published.upper() + "=" * (-len(published) % 8)).hex()
    except (binascii.Error, ValueError):
        return published
