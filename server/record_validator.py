"""One SHACL validator per web worker for the routes that check records: push and the public validator.

Building one compiles the shapes (about a second): it is made on first use and kept.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from carrefour.vocab import Hub

if TYPE_CHECKING:
    from loader.validation import Validator


@lru_cache(maxsize=4)
def record_validator(base: str, vocabulary: str) -> Validator:
    from loader.validation import Validator  # the loader only when a route needs it

    return Validator(Hub(base, vocabulary))
