"""The hub's event stream, replicated by the LDES reference client over HTTP.

A partner replicating the stream from scratch ends with exactly the hub's records;
after a harvest that updates, adds and removes records, its next run from its saved
state reads only what is new (the immutable pages it read stay unread) and ends with
the hub's records again, the removal included.
"""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.support.ldes import Replica, hub_records, run_client
from tests.sync.conftest import ServedHub

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples" / "hub-du-sud-mednum-json"
SAMPLE = next(SAMPLES.glob("*.json"))


def current_records(served: ServedHub) -> dict[str, str]:
    store = served.store()
    try:
        return hub_records(store.snapshot(), served.hub)
    finally:
        store.close()


def changed_feed(folder: Path) -> Path:
    """hub-du-sud's sample with one place moved (an update), one new place and one place gone."""
    records = json.loads(SAMPLE.read_text(encoding="utf-8"))
    records[0]["adresse"] = "1 place de la Mairie"
    added = dict(records[1], id="nouveau-lieu-de-mediation", nom="Nouveau lieu de médiation")
    del records[3]
    records.append(added)
    target = folder / SAMPLE.parent.name / SAMPLE.name
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(records), encoding="utf-8")
    return folder


def stream_paths(served: ServedHub, since: int) -> list[str]:
    return [r.path for r in served.requests()[since:] if r.path.startswith("/stream/") and r.status == 200]


def test_replicate_then_sync(served_hub: ServedHub, tmp_path: Path) -> None:
    state = tmp_path / "client-state"
    replica = Replica()
    replica.apply(run_client(served_hub.url("stream/hub"), state))
    hub = current_records(served_hub)
    assert len(replica.records) == len(hub)
    assert replica.records == hub

    pages = {path for path in stream_paths(served_hub, 0) if "/page/" in path}
    assert pages
    policies = {path: requests.head(served_hub.url(path), timeout=10).headers["Cache-Control"] for path in pages}
    immutable = {path for path, policy in policies.items() if "immutable" in policy}
    assert immutable, "a full page is immutable"
    before = len(served_hub.requests())

    served_hub.run("harvest", "hub-du-sud", "--feeds", str(changed_feed(tmp_path / "feeds")))
    after = current_records(served_hub)
    removed = set(hub) - set(after)
    assert removed and set(after) - set(hub), "the harvest should remove and add records"

    members = run_client(served_hub.url("stream/hub"), state)
    replica.apply(members)
    assert replica.records == after
    assert not removed & set(replica.records)
    assert {m.record for m in members if m.kind == "Delete"} == removed

    read_again = {path for path in stream_paths(served_hub, before) if "/page/" in path}
    assert read_again, "the new members are on pages the client reads"
    assert not read_again & immutable, f"immutable pages read again: {sorted(read_again & immutable)}"
