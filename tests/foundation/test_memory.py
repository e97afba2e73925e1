"""The cyclic collector is paused for a batch and comes back as it was, whatever the batch did."""

from __future__ import annotations

import gc
import weakref

import pytest

from carrefour.memory import collection_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_collection_is_paused_for_the_batch_and_resumes_after_it() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle left behind by the batch
        gone = weakref.ref(first)
        del first, second
    assert gc.isenabled()
    gc.collect()
    assert gone() is None  # collected once the batch is over


def test_a_failing_batch_resumes_collection_and_a_paused_one_stays_paused() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("the builder failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
