"""Partners without a feed push records over HTTP: per-record reports, a new version each, in the stream at once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from carrefour.artifacts.stale import stale_of
from tests.support.served import SAMPLE, carrefour
from tests.sync.conftest import ServedHub, serve_hub

PUSH_PER_MINUTE = 12


@pytest.fixture(scope="module")
def push_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedHub]:
    settings = {"PUSH_PER_MINUTE": str(PUSH_PER_MINUTE), "MAX_REQUEST_BYTES": "200000", "PUSH_REFRESH_SECONDS": "1"}
    with serve_hub(tmp_path_factory.mktemp("push-hub"), settings) as served:
        yield served


def token(served: ServedHub, partner: str) -> str:
    return carrefour(served.store_dir, served.base, "partners", "token", partner).strip()


def sample(number: int, **changes: str) -> dict[str, object]:
    return dict(json.loads(SAMPLE.read_text(encoding="utf-8"))[number], **changes)


def test_push_one_record_then_a_batch_then_remove_it(push_hub: ServedHub) -> None:
    secret = token(push_hub, "hub-du-sud")
    auth = {"Authorization": f"Bearer {secret}"}
    url = push_hub.url("partners/hub-du-sud/records")
    record = sample(5, id="pousse-1", nom="Espace numérique poussé")
    put = requests.put(f"{url}/pousse-1", json=record, headers=auth, timeout=60)
    assert put.status_code == 201, put.text
    [outcome] = put.json()["records"]
    assert outcome["status"] == "created" and outcome["key"] == "pousse-1"
    iri = outcome["iri"]
    assert requests.get(iri, headers={"Accept": "text/turtle"}, timeout=10).status_code == 200
    [created] = push_hub.versions(iri)
    assert created.kind == "Create"
    stream = requests.get(push_hub.url("stream/partner/hub-du-sud"), headers={"Accept": "text/turtle"}, timeout=10)
    assert stream.status_code == 200

    again = requests.put(f"{url}/pousse-1", json=record, headers=auth, timeout=60)
    assert again.status_code == 200 and again.json()["records"][0]["status"] == "unchanged"
    assert again.json()["version"] is None

    harvested = sample(0, adresse="2 place du Marché")  # a record the harvest published, moved
    moved = requests.put(f"{url}/{harvested['id']}", json=harvested, headers=auth, timeout=60)
    assert moved.status_code == 201 and moved.json()["records"][0]["status"] == "updated", moved.text

    mismatch = requests.put(f"{url}/autre-cle", json=record, headers=auth, timeout=60)
    assert mismatch.status_code == 400

    bad = sample(6, id="pousse-2", nom="")
    good = sample(7, id="pousse-3", nom="Troisième lieu poussé")
    batch = requests.post(url, data=json.dumps([good, bad]), headers=auth | {"Content-Type": "application/json"},
                          timeout=60)  # fmt: skip
    assert batch.status_code == 201, batch.text
    statuses = {r["key"] or r["origin"]: r for r in batch.json()["records"]}
    assert statuses["pousse-3"]["status"] == "created"
    refused = [r for r in batch.json()["records"] if r["status"] not in ("created",)]
    assert refused and all(r["findings"] for r in refused)
    assert all(f["message_fr"] and f["message_en"] for r in refused for f in r["findings"])

    removed = requests.delete(f"{url}/pousse-1", headers=auth, timeout=60)
    assert removed.status_code == 201 and removed.json()["records"][0]["status"] == "removed"
    assert requests.get(iri, headers={"Accept": "text/turtle"}, timeout=10).status_code == 410
    assert [v.kind for v in push_hub.versions(iri)] == ["Create", "Delete"]
    assert requests.delete(f"{url}/pousse-1", headers=auth, timeout=60).status_code == 404


def search_names(served: ServedHub, text: str) -> list[str]:
    answer = requests.get(served.url("search"), params={"q": text, "format": "json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [card["name"] for card in answer.json()["results"]]


def test_a_push_reaches_search_counts_and_dumps_once_pushes_pause(push_hub: ServedHub) -> None:
    hub_du_sud = {"Authorization": f"Bearer {token(push_hub, 'hub-du-sud')}"}
    record = sample(8, id="pousse-refresh", nom="Atelier Quenouille poussé")
    put = requests.put(push_hub.url("partners/hub-du-sud/records/pousse-refresh"), json=record, headers=hub_du_sud,
                       timeout=60)  # fmt: skip
    assert put.status_code == 201, put.text
    pushed = put.json()["version"]
    assert requests.get(put.json()["records"][0]["iri"], timeout=10).status_code == 200  # its page at once
    deadline = time.monotonic() + 120
    while "Atelier Quenouille poussé" not in search_names(push_hub, "quenouille") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "Atelier Quenouille poussé" in search_names(push_hub, "quenouille")
    store = push_hub.store()
    try:
        info = store.snapshot().info
    finally:
        store.close()
    assert info.version != pushed and stale_of(info.artifacts) is None  # a version of its own, artifacts rebuilt
    manifest = requests.get(push_hub.url("dumps/"), headers={"Accept": "application/json"}, timeout=30)
    assert manifest.status_code == 200 and manifest.json()["version"] == info.version  # dumps of the data now


def test_pushes_are_refused_without_the_token_a_readable_body_or_beyond_limits(push_hub: ServedHub) -> None:
    url = push_hub.url("partners/hub-du-sud/records")
    record = sample(8, id="pousse-9")
    assert requests.put(f"{url}/pousse-9", json=record, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.put(f"{url}/pousse-9", json=record, headers=wrong, timeout=10).status_code == 401
    other = token(push_hub, "maplabbzh")  # another partner's token is not this one's
    assert requests.put(f"{url}/pousse-9", json=record, headers={"Authorization": f"Bearer {other}"},
                        timeout=10).status_code == 401  # fmt: skip
    auth = {"Authorization": f"Bearer {token(push_hub, 'hub-du-sud')}"}
    assert requests.post(push_hub.url("partners/nobody/records"), headers=auth, timeout=10).status_code == 404
    odd = requests.post(url, data=b"<x/>", headers=auth | {"Content-Type": "application/pdf"}, timeout=10)
    assert odd.status_code == 415
    huge = requests.post(url, data=b"[" + b" " * 300_000 + b"]", headers=auth | {"Content-Type": "application/json"},
                         timeout=10)  # fmt: skip
    assert huge.status_code == 413
    # each web worker counts its own minute: twice the limit and one more reaches it on one of the two
    tries = 2 * PUSH_PER_MINUTE + 1
    answers = [requests.delete(f"{url}/absent-{n}", headers=auth, timeout=30).status_code for n in range(tries)]
    assert 429 in answers and set(answers) <= {404, 429}
