"""Giving memory back to the system after a large, short-lived structure is gone.

glibc keeps the memory that freed objects held (an in-memory store of a million
records, their Python terms) for later allocations instead of returning it, so a
harvest's resident size stays at its highest point for the rest of the run.
``malloc_trim`` hands the free pages back; elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    return getattr(ctypes.CDLL(name), "malloc_trim", None)


def release_free_memory() -> None:
    """Collect garbage, then return the free heap pages to the system (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
