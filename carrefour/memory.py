"""Memory: given back to the system after a large, short-lived structure is gone, and not scanned while a
batch builds one (:func:`collection_paused`).

glibc keeps the memory that freed objects held (an in-memory store of a million
records, their Python terms) for later allocations instead of returning it, so a
harvest's resident size stays at its highest point for the rest of the run.
``malloc_trim`` hands the free pages back; elsewhere than glibc it does nothing.

The structures given up are freed by reference counting as they go: a full collection of
the two million objects a 40,000-record harvest holds found nothing to free, at 0.5 to
1.2 s a call (three calls a harvest, while the helper process waits), so only the young
generations are collected (a few milliseconds), where cycles of the work just done would be.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    return getattr(ctypes.CDLL(name), "malloc_trim", None)


def release_free_memory() -> None:
    """Collect the young generations' garbage, then return the free heap pages to the system (glibc only).

    While collection is paused (:func:`collection_paused`) the young generations hold everything made since the
    pause began: collecting them would scan it all (0.3 s of a 1 % change at 40,000 records), so they are left.
    """
    if gc.isenabled():
        gc.collect(1)
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch builds millions of short-lived, acyclic objects.

    Python collects the oldest generation each time the objects alive grew by a quarter:
    an index built from 75,000 records' entries paid for five or six scans of everything
    alive (13.4 s with them, 10.4 s without, for the catalogue of a 1 % change at 40,000
    records).  What the batch frees goes by reference counting as ever; a cycle it left
    waits for the next collection, once this is over.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
