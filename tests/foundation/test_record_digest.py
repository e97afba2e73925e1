"""A feed record's content hash (loader.record_memo): the same record hashes alike, two records never do."""

from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from loader.content_hashes import memo_hash, published_hash
from loader.feeds.items import Record
from loader.record_memo import record_digest

FINGERPRINT = "f" * 64
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
FIELDS = st.dictionaries(st.text(max_size=6), VALUES, max_size=4)


def test_records_that_differ_hash_apart() -> None:
    """Among them what a fast writer of JSON would confuse: a float that is not a number and null, a number
    past 64 bits and its digits as text, no page and an empty one."""
    records = [{"a": float("nan")}, {"a": None}, {"a": [float("nan")]}, {"a": [None]}, {"a": 2**70},
               {"a": str(2**70)}, {"a": 1.0}, {"a": 1}, {"a": "1"}, {"a": {"b": None}}]  # fmt: skip
    digests = {record_digest(FINGERPRINT, Record(fields, "$[0]")) for fields in records}
    pages = {record_digest(FINGERPRINT, Record({"a": 1}, "$[0]", url)) for url in (None, "", "null", "https://p/1")}
    assert len(digests) == len(records) and len(pages) == 4


@given(
    st.dictionaries(st.text(max_size=6), VALUES, max_size=4), st.dictionaries(st.text(max_size=6), VALUES, max_size=4)
)
def test_a_record_hashes_as_its_content_wherever_it_is(first: dict[str, object], second: dict[str, object]) -> None:
    """Its keys' order and its place in the feed do not count; its content does."""
    reordered = dict(reversed(list(first.items())))
    assert record_digest(FINGERPRINT, Record(first, "$[0]")) == record_digest(FINGERPRINT, Record(reordered, "$[9]"))
    if json.dumps(first, sort_keys=True) != json.dumps(second, sort_keys=True):
        assert record_digest(FINGERPRINT, Record(first, "$[0]")) != record_digest(FINGERPRINT, Record(second, "$[0]"))


@given(st.binary(min_size=32, max_size=32))
def test_a_hash_is_published_in_base_32_and_read_back_as_the_memo_keys_it(raw: bytes) -> None:
    published = published_hash(raw.hex())
    assert published == base64.b32encode(raw).decode("ascii").rstrip("=").lower() and len(published) == 52
    assert memo_hash(published) == raw.hex()


def test_a_published_value_that_is_no_hash_is_kept_as_it_is_and_matches_no_record() -> None:
    for value in ("not a hash!", "0189", "a" * 51):
        assert memo_hash(value) == value  # a hexadecimal SHA-256 has 64 digits: no digest is ever one of these
