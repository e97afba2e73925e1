"""A runaway public query gives up its place in the pool, and one past the memory limit loses its process."""

from __future__ import annotations

import threading

import pytest

from bench.reliability.hub import SuiteHub
from carrefour.errors import QueryOverLimit, QueryTimeout
from carrefour.store.query_pool import QueryPool
from tests.support.queries import public_query

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "SELECT ?s WHERE { ?s a ?type } LIMIT 3"


def test_a_cheap_query_is_answered_while_a_runaway_holds_the_only_process(suite_hub: SuiteHub) -> None:
    store = suite_hub.open_store()
    pool = QueryPool(1)
    try:
        path = str(store.snapshot().store_path)
        pool.warm()
        outcome: list[BaseException | None] = []

        def runaway() -> None:
            try:
                pool.run(path, public_query(RUNAWAY, timeout=20))
                outcome.append(None)
            except QueryTimeout as exc:
                outcome.append(exc)

        thread = threading.Thread(target=runaway)
        thread.start()
        answer = pool.run(path, public_query(CHEAP, timeout=15))  # waits for the runaway's demotion, then spawns
        assert answer.form == "SELECT" and answer.count == 3
        thread.join()
        assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout), outcome
        assert pool._runaways == 0 and pool._started <= 1
    finally:
        pool.close()
        store.close()


def test_a_query_past_the_memory_limit_is_cut_and_its_process_replaced(suite_hub: SuiteHub) -> None:
    """A 1 KB query doubling a string 30 times would need 16 GiB: at 256 MiB its process dies, the query gets 503."""
    store = suite_hub.open_store()
    pool = QueryPool(1, memory_mb=256)
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(30))
    hungry = f'SELECT (STRLEN(?x30) AS ?n) WHERE {{ BIND("aaaaaaaaaaaaaaaa" AS ?x0) {binds} }}'
    try:
        path = str(store.snapshot().store_path)
        pool.warm()
        first = pool._idle[0].process
        with pytest.raises(QueryOverLimit, match="more than 256 MiB"):
            pool.run(path, public_query(hungry, timeout=60))
        assert not first.is_alive()
        answer = pool.run(path, public_query(CHEAP, timeout=15))  # a new process answers
        assert answer.count == 3 and pool._idle[0].process is not first
    finally:
        pool.close()
        store.close()
