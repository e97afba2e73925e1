"""Ranges of one file appended to another, copied by the kernel where it can (``copy_file_range``): the bytes a new
version keeps of the previous one's files are neither read nor written again by the process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

_CHUNK = 8 << 20


def copy_range(source: IO[bytes], output: IO[bytes], start: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``start`` appended to ``output`` (flushed first: its end is where they
    go); a source that ends before them is a ValueError."""
    output.flush()
    output.seek(0, os.SEEK_END)
    try:
        while length > 0:
            sent = os.copy_file_range(source.fileno(), output.fileno(), length, start)
            if sent == 0:
                raise ValueError(f"{source.name} ends before {start + length} bytes")
            start, length = start + sent, length - sent
    except OSError:  # a file system the kernel cannot copy between: read and written
        source.seek(start)
        for data in pieces(source, length):
            output.write(data)
        output.flush()
    output.seek(0, os.SEEK_END)


def pieces(source: IO[bytes], length: int) -> Iterator[bytes]:
    """``length`` bytes of ``source`` from where it is, a few MiB at a time; ending early is a ValueError."""
    while length > 0 and (data := source.read(min(_CHUNK, length))):
        length -= len(data)
        yield data
    if length > 0:
        raise ValueError(f"{source.name} ends {length} bytes early")
