"""Reading partners' feeds: CSV/TSV, JSON/GeoJSON, RDF files, web pages, SPARQL endpoints.

    for item in read_feed(FeedSpec.from_table(partner.feed), FetchSettings.from_config(config), cache_dir):
        ...  # a Record (fields, origin, url) or a Problem (origin, message)

Readers yield plain data (strings, lists, nested dicts, JSON-LD value objects); the
mapping turns it into triples.  Options of each format: docs/feeds.md.
"""

from __future__ import annotations

from loader.feeds.items import Problem, Record
from loader.feeds.reader import read_feed
from loader.feeds.settings import FetchSettings
from loader.feeds.spec import FeedSpec

__all__ = ["FeedSpec", "FetchSettings", "Problem", "Record", "read_feed"]
