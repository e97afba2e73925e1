"""A process with busy children, for the tests that kill it with SIGKILL.

    python -m tests.support.lingering session STORE   a write session whose helper works for minutes
    python -m tests.support.lingering queries STORE   a web worker's query pool: one query running for minutes, one idle

It prints ``ready`` once its children are at work, then waits to be killed.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from carrefour.store.base import Snapshot
from carrefour.store.embedded import EmbeddedStore
from carrefour.store.helper import Helper
from tests.support.queries import public_query

BASE = "http://lingering.test/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def linger(view: Snapshot, seconds: float) -> None:
    """Work for the helper process: hold its checkpoint for ``seconds``."""
    time.sleep(seconds)


def published(root: Path) -> EmbeddedStore:
    store = EmbeddedStore(root, BASE, query_workers=2)
    name = ox.NamedNode(f"{BASE}p")
    triples = [ox.Triple(ox.NamedNode(f"{BASE}r/{n}"), name, ox.Literal(str(n))) for n in range(300)]
    with store.writer() as writer:
        writer.replace_graph(ox.NamedNode(f"{BASE}graph/x"), triples)
    return store


def session(root: Path) -> None:
    store = published(root)
    with store.writer() as writer, Helper(writer, processes=1) as helper:
        pending = helper.submit(linger, 600)
        print("ready", flush=True)
        pending.result()


def queries(root: Path) -> None:
    store = published(root)
    snapshot = store.snapshot()
    store.pool.warm()
    thread = threading.Thread(target=snapshot.run_public_query, args=(public_query(RUNAWAY, timeout=600),))
    thread.start()
    time.sleep(1)  # the query is sent to one of the processes
    print("ready", flush=True)
    thread.join()


if __name__ == "__main__":
    {"session": session, "queries": queries}[sys.argv[1]](Path(sys.argv[2]))
