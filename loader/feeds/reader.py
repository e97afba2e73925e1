"""``read_feed``: any partner feed, as a stream of records and problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from loader.feeds.csv_reader import read_csv
from loader.feeds.fetch import Fetcher
from loader.feeds.items import Problem, Record
from loader.feeds.json_reader import read_json
from loader.feeds.rdf_reader import read_rdf
from loader.feeds.settings import FetchSettings
from loader.feeds.source import check_not_html, local_feed
from loader.feeds.sparql_reader import read_sparql
from loader.feeds.spec import FeedSpec

ACCEPT = {
    "csv": "text/csv, text/plain;q=0.5, */*;q=0.1",
    "tsv": "text/tab-separated-values, text/plain;q=0.5, */*;q=0.1",
    "json": "application/json, */*;q=0.1",
    "geojson": "application/geo+json, application/json;q=0.9, */*;q=0.1",
    "rdf": "text/turtle, application/rdf+xml, application/n-triples, application/ld+json, */*;q=0.1",
}
EXPECTED = {"csv": "a CSV file", "tsv": "a TSV file", "json": "JSON", "geojson": "GeoJSON", "rdf": "RDF"}


def read_feed(spec: FeedSpec, settings: FetchSettings, cache_dir: Path) -> Iterator[Record | Problem]:
    """Records of a partner's feed, in feed order, with problems where parts cannot be read.

    :raises HarvestError: the feed cannot be read at all (raised while iterating).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    fetcher = Fetcher(settings, cache_dir, spec.egress())
    try:
        if spec.format == "webpages":
            # imported here: its HTML extractors take 0.3 s to import, which no other kind of feed needs
            from loader.feeds.webpages import read_webpages

            yield from read_webpages(spec, fetcher)
            return
        if spec.format == "sparql":
            yield from read_sparql(spec, fetcher)
            return
        feed = local_feed(spec, fetcher, cache_dir, ACCEPT[spec.format])
        check_not_html(feed.path, feed.name, EXPECTED[spec.format], feed.content_type)
        if spec.format in ("csv", "tsv"):
            yield from read_csv(spec, feed.path, feed.name)
        elif spec.format in ("json", "geojson"):
            yield from read_json(spec, feed.path, feed.name)
        else:
            yield from read_rdf(spec, feed.path, feed.name, feed.content_type)
    finally:
        fetcher.close()
