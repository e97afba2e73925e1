"""Where each subject's lines lie in a graph's dump, so that an amendment goes straight to the few it changes.

Amending a partner's dumps for a 1 % change at 40,000 records reads its previous N-Triples (173 MiB, a million
lines) and Turtle (91 MiB) to find the 80,000 subjects' blocks, of which some 1,200 change: the regular
expression engine finds them all, and the interpreter looks at each (0.35 s for the N-Triples, 0.2 s for the
Turtle).  A harvest's helper process finds them ahead, while the session maps
(:mod:`carrefour.artifacts.read_ahead`); the session then reads only the changed subjects' blocks and checks
each against its subject before using it.

The N-Triples are read as runs of lines of one subject (its lines are together, as the store writes them; an
amendment appends the lines of a subject that only gained statements: a second run), the Turtle as blocks, each
from a line beginning with a term to the next such line (the store's Turtle writer begins every other line of a
block with a tab and escapes line breaks in literals).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Collection, Iterable
from dataclasses import dataclass

Found = tuple[int, int, bytes, bool]  # start, end (in a chunk), subject of a block, and whether it begins there

SUBJECT_RUN = re.compile(rb"(?m)^([^ \n]+) [^\n]*\n(?:\1 [^\n]*\n)*")  # N-Triples: lines of one subject together
BLOCK_START = re.compile(rb"\n(?!\t)([^ \n]*)")  # Turtle: a line that does not go on a block, its first term


@dataclass
class Located:
    """The blocks of a text, in order: each one's subject (as written, ``<iri>``), offset and length.

    Three flat buffers: a helper process hands over the 80,000 blocks of a partner's N-Triples in 0.02 s, where a
    dictionary of lists took 0.66 s to rebuild (in the session's process, which maps meanwhile).
    """

    subjects: bytes  # one a line
    offsets: array[int]
    lengths: array[int]

    @classmethod
    def of(cls, subjects: list[bytes], offsets: array[int], lengths: array[int]) -> Located:
        return cls(b"".join(subject + b"\n" for subject in subjects), offsets, lengths)

    def named(self) -> list[bytes]:
        """Each block's subject, in order."""
        return self.subjects.split(b"\n")[:-1]


def subject_runs(chunks: Iterable[bytes]) -> Located:
    """Each subject's runs of lines in N-Triples given in chunks of whole lines (a run a chunk cuts is one)."""
    subjects: list[bytes] = []
    offsets, lengths = array("q"), array("q")
    base = 0
    for chunk in chunks:
        for run in SUBJECT_RUN.finditer(chunk):
            start = base + run.start()
            if subjects and subjects[-1] == run[1] and offsets[-1] + lengths[-1] == start:  # it goes on
                lengths[-1] += run.end() - run.start()
            else:
                subjects.append(run[1])
                offsets.append(start)
                lengths.append(run.end() - run.start())
        base += len(chunk)
    return Located.of(subjects, offsets, lengths)


def turtle_blocks(chunks: Iterable[bytes]) -> Located:
    """Each subject's blocks in Turtle given in chunks of whole lines."""
    subjects: list[bytes] = []
    offsets = array("q")
    base = 0
    for chunk in chunks:
        for block in BLOCK_START.finditer(b"\n" + chunk, 0, len(chunk)):
            subjects.append(block[1])
            offsets.append(base + block.start())
        base += len(chunk)
    ends = [*offsets[1:], base] if offsets else []  # each block goes on to the next one, the last to the end
    lengths = array("q", (end - start for start, end in zip(offsets, ends, strict=True)))
    return Located.of(subjects, offsets, lengths)


class BlocksInChunks:
    """The blocks of some subjects, chunk after chunk: each cut to the chunk it is read in."""

    def __init__(self, located: Located, subjects: Collection[bytes]) -> None:
        wanted = set(subjects)
        self._blocks = [(at, at + length, subject) for subject, at, length
                        in zip(located.named(), located.offsets, located.lengths, strict=True)
                        if subject in wanted]  # fmt: skip
        self._next, self._base = 0, 0
        self.covered = sum(located.lengths)  # the length of the text they were found in

    def whole(self) -> bool:
        """Whether the chunks read were the text the blocks were found in (as long, every block read)."""
        return self._base == self.covered and self._next == len(self._blocks)

    def chunk(self, length: int) -> list[Found]:
        """The blocks in the next ``length`` bytes (positions in them), in order."""
        base, end = self._base, self._base + length
        found = []
        while self._next < len(self._blocks) and self._blocks[self._next][0] < end:
            start, stop, subject = self._blocks[self._next]
            found.append((max(start, base) - base, min(stop, end) - base, subject, start >= base))
            if stop > end:  # it goes on in the next chunk
                break
            self._next += 1
        self._base = end
        return found


def is_run(chunk: bytes, start: int, end: int, subject: bytes) -> bool:
    """Whether ``chunk[start:end]`` is whole lines of ``subject`` only (in N-Triples)."""
    text = chunk[start:end]
    prefix = subject + b" "
    return (
        (start == 0 or chunk[start - 1] == 0x0A)
        and text.endswith(b"\n")
        and text.startswith(prefix)
        and text.count(b"\n") == text.count(b"\n" + prefix) + 1
    )


def is_block(chunk: bytes, start: int, end: int, subject: bytes, begins: bool) -> bool:
    """Whether ``chunk[start:end]`` is whole lines of a Turtle block of ``subject`` (its first line when it
    ``begins`` there, else lines that go on from the chunk before), up to the next block or the end of the chunk."""
    text = chunk[start:end]
    return (
        (start == 0 or chunk[start - 1] == 0x0A)
        and text.endswith(b"\n")
        and (text.startswith(subject + b" ") if begins else text.startswith(b"\t"))
        and b"\n" not in text[:-1].replace(b"\n\t", b"")
        and (end == len(chunk) or chunk[end] != 0x09)
    )
