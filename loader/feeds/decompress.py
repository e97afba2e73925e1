"""Decompressing partner data without trusting it: output is bounded while it is produced.

A gzip bomb is a few kilobytes that inflate to gigabytes.  Each input chunk is
inflated in bounded steps (``max_length``), so the size limit is enforced on the
decompressed bytes before they exist in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from carrefour.errors import HarvestError

STEP = 1 << 20  # bytes of output produced at most per step
GZIP_MAGIC = b"\x1f\x8b"


def _inflate(chunks: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    decoder = zlib.decompressobj(wbits)
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = decoder.decompress(data, STEP)
            except zlib.error as exc:
                raise HarvestError(f"corrupt compressed data: {exc}") from exc
            if out:
                yield out
            if decoder.eof:  # a gzip file may hold several members, one after the other
                data = decoder.unused_data
                decoder = zlib.decompressobj(wbits)
            else:
                data = decoder.unconsumed_tail
    tail = decoder.flush()
    if tail:
        yield tail


def decoded(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """The bytes of ``chunks`` decoded from ``encoding`` (gzip, deflate or identity), in bounded pieces.

    :raises HarvestError: an unsupported or corrupt encoding.
    """
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        yield from chunks
    elif encoding in ("gzip", "x-gzip"):
        yield from _inflate(chunks, 16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        yield from _inflate(chunks, zlib.MAX_WBITS)
    else:
        raise HarvestError(f"unsupported content encoding {encoding!r}")


def limited(
    chunks: Iterable[bytes], max_bytes: int, what: str, limit_name: str = "HARVEST_MAX_BYTES"
) -> Iterator[bytes]:
    """Pass ``chunks`` through, failing as soon as more than ``max_bytes`` went by.

    :param limit_name: the setting that sets ``max_bytes``, named in the error.
    :raises HarvestError: the data is larger than the limit.
    """
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise HarvestError(
                f"{what} is larger than the limit of {max_bytes:,} bytes ({limit_name}), "
                "counted after decompression: not read"
            )
        yield chunk
