"""What a prospective partner submits to the public validator: a file, or a feed URL fetched as a harvest would.

Nothing here writes to the store.  A URL is fetched under the harvester's egress rules
(public addresses only, its user agent, its timeout), capped at the web server's
body limit; a submission without a partner's mapping must be RDF in the hub's
vocabulary, validated as it is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox

from carrefour import formats
from carrefour.config import Config
from carrefour.errors import CarrefourError
from carrefour.store.base import Snapshot
from carrefour.vocab import Hub
from loader.feeds import FetchSettings
from loader.feeds.egress import EgressPolicy
from loader.feeds.fetch import Fetcher
from loader.mapping.spec import PartnerSpec
from loader.push import Checked, Outcome, PushRefused, check_records, findings_of
from loader.records import group_by_record
from loader.validation import Validator


def fetch_submission(url: str, config: Config) -> tuple[bytes, str]:
    """The body and media type at ``url``, fetched as the harvester would, no larger than ``MAX_REQUEST_BYTES``.

    :raises PushRefused: refused by the egress rules, unreachable, an HTTP error, too large (422).
    """
    settings = FetchSettings.from_config(config)
    with tempfile.TemporaryDirectory(prefix="carrefour-validate-") as scratch:
        fetcher = Fetcher(settings, Path(scratch), EgressPolicy.for_urls([url]))
        try:
            fetched = fetcher.fetch(url, max_bytes=int(config["MAX_REQUEST_BYTES"]), limit_name="MAX_REQUEST_BYTES")
            return fetched.path.read_bytes(), fetched.content_type
        except CarrefourError as exc:
            raise PushRefused(f"cannot read {url}: {exc}", 422) from exc
        finally:
            fetcher.close()


def check_rdf(hub: Hub, validator: Validator, body: bytes, media_type: str) -> Checked:
    """RDF in the hub's vocabulary, validated as it is (no mapping).

    :raises PushRefused: not an RDF type (415), or not parseable (400).
    """
    info = formats.from_media_type(media_type)
    if info is None:
        raise PushRefused("without a partner's mapping, send RDF in the hub's vocabulary (Turtle, JSON-LD…)", 415)
    try:
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(body, format=info.oxigraph, base_iri=hub.base)]  # fmt: skip
    except SyntaxError as exc:
        raise PushRefused(f"the {info.name} cannot be read: {exc}") from exc
    records = group_by_record(triples)
    report = validator.validate(triples)
    rejected = report.rejected_records()
    outcomes = {
        iri: Outcome("", "rejected" if iri in rejected else "accepted", iri, None, findings_of(report, iri))
        for iri in records
    }
    return Checked(records, report, outcomes, [], [])


def check_submission(
    hub: Hub, validator: Validator, config: Config, body: bytes, media_type: str,
    spec: PartnerSpec | None = None, published: Snapshot | None = None,
) -> Checked:  # fmt: skip
    """What the hub would make of a submission: through ``spec``'s mapping when given, else as RDF."""
    if spec is None:
        return check_rdf(hub, validator, body, media_type)
    return check_records(spec, hub, validator, published, body, media_type, config)
