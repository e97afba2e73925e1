"""The line of a partner file a configuration mistake is on.

The TOML reader gives plain tables, without positions; the checks of the mapping and
of the feed name the place of a mistake in words (``entity 'place' field #3``,
``[taxonomy.type] concept 'x'``, ``[feed]``) and quote what is wrong (``unknown
transform 'trimm'``).  This finds the line from them: the table the place names (the
n-th ``[[entities]]``, the one whose ``id`` is named, ``[taxonomy.x]``…), then, within
it, the first line holding the quoted value, else the table's own line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_QUOTED = re.compile(r"""'([^']+)'|"([^"]+)\"""")


def _tables(lines: list[str]) -> list[tuple[str, int]]:
    """Each table header of the file, with its line number (1-based); the top level is ``""`` at line 1."""
    found = [("", 1)]
    for number, line in enumerate(lines, 1):
        match = _HEADER.match(line)
        if match:
            found.append((match.group(1), number))
    return found


def _table_span(lines: list[str], place: str) -> tuple[int, int] | None:
    """First and last line of the table ``place`` is about."""
    tables = _tables(lines)
    ends = [number for _, number in tables[1:]] + [len(lines) + 1]
    spans = [(name, start, end - 1) for (name, start), end in zip(tables, ends, strict=True)]
    if match := re.match(r"entity #(\d+)", place):
        blocks = [span for span in spans if span[0] == "entities"]
        index = int(match.group(1)) - 1
        return blocks[index][1:] if index < len(blocks) else None
    if match := re.match(r"entity '([^']+)'", place):
        for name, start, end in spans:
            if name == "entities" and any(re.match(rf"""\s*id\s*=\s*["']{re.escape(match.group(1))}["']""", line)
                                          for line in lines[start:end]):  # fmt: skip
                return start, end
        return None
    if match := re.match(r"\[\[(\w+)\]\] #(\d+)", place):
        blocks = [span for span in spans if span[0] == match.group(1)]
        index = int(match.group(2)) - 1
        return blocks[index][1:] if index < len(blocks) else None
    if match := re.match(r"\[([\w.-]+)\]", place):
        inside = [span for span in spans if span[0] == match.group(1) or span[0].startswith(match.group(1) + ".")]
        return (inside[0][1], inside[-1][2]) if inside else None
    return spans[0][1:]  # the top level: id, name, licence…


def line_of(text: str, place: str, message: str) -> int | None:
    """The line of the partner file ``text`` that the mistake at ``place`` described by ``message`` is on."""
    lines = text.splitlines()
    span = _table_span(lines, place)
    if span is None:
        return None
    start, end = span
    if match := re.search(r"\b(field|category) #(\d+)", place):  # the n-th field or category of an entity
        key = "property" if match.group(1) == "field" else "taxonomy"
        holding = [n for n in range(start, end + 1) if re.search(rf"\b{key}\s*=", lines[n - 1])]
        index = int(match.group(2)) - 1
        start = end = holding[index] if index < len(holding) else start
    for quoted in _QUOTED.finditer(message):
        token = quoted.group(1) or quoted.group(2)
        for number in range(start, end + 1):
            if token in lines[number - 1]:
                return number
    return start
