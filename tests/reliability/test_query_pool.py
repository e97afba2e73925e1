"""A runaway public query gives up its place in the pool: a cheap query beside it still gets a process."""

from __future__ import annotations

import threading

from bench.reliability.hub import SuiteHub
from carrefour.errors import QueryTimeout
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
