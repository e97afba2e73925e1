"""The public validator and the page to join: what the hub would make of a submission, nothing published."""

from __future__ import annotations

import json

import rdflib
import requests

from tests.support.served import SAMPLE
from tests.sync.conftest import ServedHub


def records(*numbers: int, **changes: dict[str, str]) -> bytes:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return json.dumps([dict(sample[n], **changes.get(f"r{n}", {})) for n in numbers]).encode()


def test_a_submission_through_a_partners_mapping_is_checked_not_published(served_hub: ServedHub) -> None:
    total = requests.get(served_hub.url("stream/hub.nt"), timeout=10).text
    body = records(10, 11, r10={"id": "candidat-1", "nom": "Lieu candidat"}, r11={"id": "candidat-2", "nom": ""})
    url = served_hub.url("validate?partner=hub-du-sud")
    answer = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert not report["conforms"] and report["rejected"] >= 1
    kept = [o for o in report["outcomes"] if o["status"] == "accepted"]
    assert [o["key"] for o in kept] == ["candidat-1"]
    refused = [o for o in report["outcomes"] if o["status"] != "accepted"]
    assert refused and all(f["message_fr"] and f["message_en"] for o in refused for f in o["findings"])
    assert "Lieu candidat" in report["turtle"]
    assert requests.get(kept[0]["iri"], timeout=10).status_code == 404  # nothing was published
    assert requests.get(served_hub.url("stream/hub.nt"), timeout=10).text == total

    turtle = requests.post(url, data=body, headers={"Content-Type": "application/json", "Accept": "text/turtle"},
                           timeout=60)  # fmt: skip
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(kept[0]["iri"]), None, None) in graph


def test_rdf_in_the_hubs_vocabulary_a_form_and_the_limits(served_hub: ServedHub) -> None:
    base = served_hub.base
    turtle = f"<{base}initiative/essai/x> a <{served_hub.hub.term('Initiative').value}> .".encode()
    answer = requests.post(served_hub.url("validate"), data=turtle, headers={"Content-Type": "text/turtle"},
                           timeout=60)  # fmt: skip
    assert answer.status_code == 200 and not answer.json()["conforms"]  # no name, no description…
    form = requests.post(served_hub.url("validate"), files={"file": ("fiches.json", records(12))},
                         data={"partner": "hub-du-sud", "format": "application/json"},
                         headers={"Accept": "text/html"}, timeout=60)  # fmt: skip
    assert form.status_code == 200 and "section-result" in form.text and '<pre class="turtle">' in form.text

    private = requests.post(served_hub.url("validate"), data={"url": served_hub.url("stream/hub.ttl")}, timeout=60)
    assert private.status_code == 422, private.text  # the harvester's egress rules: no private address
    unknown = requests.post(served_hub.url("validate?partner=nobody"), data=b"[]",
                            headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert unknown.status_code == 404
    csv = requests.post(served_hub.url("validate"), data=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"},
                        timeout=10)  # fmt: skip
    assert csv.status_code == 415
    huge = requests.post(served_hub.url("validate?partner=hub-du-sud"), data=b" " * 2_000_000,
                         headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert huge.status_code == 413

    join = requests.get(served_hub.url("rejoindre"), timeout=10)
    assert join.status_code == 200 and "/validate" in join.text and "hub-du-sud" in join.text
    english = requests.get(served_hub.url("rejoindre?lang=en"), timeout=10)
    assert "Join the Carrefour" in english.text
    assert "<form" in requests.get(served_hub.url("validate"), timeout=10).text
