"""A graph's dump amended for what a session changed is, byte for byte, what the line-by-line definition writes,
however the previous dump comes in chunks (the amendment finds lines and blocks a chunk at a time), and the same
when where each subject's lines are was found ahead, in other chunks; where they are found wrong, it says so."""

from __future__ import annotations

import io
from array import array

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from carrefour.artifacts.dump_blocks import Located, subject_runs, turtle_blocks
from carrefour.artifacts.dumps import _blocks, amended_triples, amended_turtle

PREDICATES = [ox.NamedNode(f"http://schema.test/p{number}") for number in range(3)]
VALUES = [ox.Literal("A"), ox.Literal("deux\nlignes"), ox.Literal("B", language="fr"), ox.NamedNode("http://x.test/o")]


def _subject(number: int) -> ox.NamedNode:
    return ox.NamedNode(f"http://x.test/s{number}")


triples = st.sets(
    st.builds(lambda s, p, o: ox.Triple(_subject(s), p, o), st.integers(0, 6), st.sampled_from(PREDICATES),
              st.sampled_from(VALUES)),
    max_size=20,
)  # fmt: skip


def _lines(found: list[ox.Triple]) -> list[bytes]:
    return ox.serialize(found, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True) if found else []


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut after some of its lines."""
    ends = [index + 1 for index, byte in enumerate(data) if byte == ord("\n")]
    chosen = sorted({ends[cut % len(ends)] for cut in cuts}) if ends else []
    return [data[start:end] for start, end in zip([0, *chosen], [*chosen, len(data)], strict=True) if end > start]


def _triples_by_definition(previous: bytes, removed: list[ox.Triple], added: list[ox.Triple]) -> bytes:
    gone, pending, kept = set(_lines(removed)), {}, []
    for line in _lines(added):
        pending.setdefault(line[: line.index(b" ")], []).append(line)
    for line in previous.splitlines(keepends=True):
        kept += pending.pop(line[: line.index(b" ")], []) if line in gone else [line]
    return b"".join(kept + [line for lines in pending.values() for line in lines])


def _turtle_by_definition(previous: bytes, now: dict[bytes, bytes]) -> bytes:
    pending, kept, replaced = dict(now), [], False
    for line in previous.splitlines(keepends=True):
        if line[:1] != b"\t":
            replaced = line[: line.find(b" ")] in now
            kept += [pending.pop(line[: line.find(b" ")], b"")] if replaced else []
        kept += [] if replaced else [line]
    return b"".join(kept + list(pending.values()))


@settings(max_examples=200, deadline=None)
@given(before=triples, after=triples, cuts=st.lists(st.integers(0, 100), max_size=6))
def test_amended_ntriples_are_the_definitions(before: set[ox.Triple], after: set[ox.Triple], cuts: list[int]) -> None:
    ordered = sorted(before, key=str)
    previous = ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES) if ordered else b""
    removed, added = sorted(before - after, key=str), sorted(after - before, key=str)
    output, lines_of = io.BytesIO(), {}
    assert amended_triples(_chunks(previous, cuts), removed, added, output, lines_of) == len(after)
    assert output.getvalue() == _triples_by_definition(previous, removed, added)
    counted = io.BytesIO()  # the previous lines' number given, not counted: the same count, the same bytes
    assert amended_triples(_chunks(previous, cuts), removed, added, counted, {}, lines=len(before)) == len(after)
    assert counted.getvalue() == output.getvalue()
    # the lines each subject changed holds now, those its Turtle block is made from
    changed = {str(t.subject).encode() for t in before ^ after}
    assert lines_of.keys() == changed
    now = _lines(sorted(after, key=str))
    for subject, lines in lines_of.items():
        held = b"".join(lines).splitlines(keepends=True)  # kept in runs: a block left whole is one item
        assert sorted(held) == sorted(line for line in now if line.startswith(subject + b" "))
    turtle = ox.serialize(ordered, format=ox.RdfFormat.TURTLE) if ordered else b""
    amended = io.BytesIO()
    amended_turtle(_chunks(turtle, cuts), _blocks(lines_of), amended)
    assert set(ox.parse(amended.getvalue(), format=ox.RdfFormat.TURTLE)) == {ox.Quad(*t) for t in after}


@settings(max_examples=200, deadline=None)
@given(before=triples, after=triples, cuts=st.lists(st.integers(0, 100), max_size=6))
def test_amended_turtle_is_the_definition(before: set[ox.Triple], after: set[ox.Triple], cuts: list[int]) -> None:
    ordered = sorted(before, key=str)
    previous = ox.serialize(ordered, format=ox.RdfFormat.TURTLE) if ordered else b""
    changed = {t.subject for t in before ^ after}
    now = {str(s).encode(): ox.serialize(sorted((t for t in after if t.subject == s), key=str),
                                         format=ox.RdfFormat.TURTLE) for s in sorted(changed, key=str)}  # fmt: skip
    output = io.BytesIO()
    amended_turtle(_chunks(previous, cuts), now, output)
    assert output.getvalue() == _turtle_by_definition(previous, now)
    assert set(ox.parse(output.getvalue(), format=ox.RdfFormat.TURTLE)) == {ox.Quad(*t) for t in after}


def _covered(located: Located, text: bytes, starts: bytes) -> None:
    """The blocks, in order, are the whole text, each beginning with its subject (then a space)."""
    subjects = located.named()
    assert len(subjects) == len(located.offsets) == len(located.lengths)
    assert list(located.offsets) == [0, *(at + n for at, n in zip(located.offsets, located.lengths, strict=True))][:-1]
    assert sum(located.lengths) == len(text)
    for subject, at, length in zip(subjects, located.offsets, located.lengths, strict=True):
        assert text[at : at + length].startswith(subject + b" ")
        assert all(line.startswith(starts or subject + b" ") for line in text[at : at + length].splitlines()[1:])


@settings(max_examples=200, deadline=None)
@given(before=triples, after=triples, cuts=st.lists(st.integers(0, 100), max_size=6),
       other_cuts=st.lists(st.integers(0, 100), max_size=6), order=st.randoms(use_true_random=False))  # fmt: skip
def test_amendments_of_blocks_found_ahead_are_the_same(
    before: set[ox.Triple], after: set[ox.Triple], cuts: list[int], other_cuts: list[int], order
) -> None:
    """A subject's statements may lie in several runs (an amendment appends those of a subject that only gained)."""
    ordered = sorted(before, key=str)
    order.shuffle(ordered)
    removed, added = sorted(before - after, key=str), sorted(after - before, key=str)
    previous = ox.serialize(ordered, format=ox.RdfFormat.N_TRIPLES) if ordered else b""
    runs = subject_runs(_chunks(previous, other_cuts))
    _covered(runs, previous, b"")
    scanned, found = (io.BytesIO(), io.BytesIO()), ({}, {})
    counts = [amended_triples(_chunks(previous, cuts), removed, added, output, lines_of, located)
              for output, lines_of, located in zip(scanned, found, (None, runs), strict=True)]  # fmt: skip
    assert counts[0] == counts[1] == len(after)
    assert scanned[0].getvalue() == scanned[1].getvalue() and found[0] == found[1]
    turtle = ox.serialize(ordered, format=ox.RdfFormat.TURTLE) if ordered else b""
    blocks = turtle_blocks(_chunks(turtle, other_cuts))
    _covered(blocks, turtle, b"\t")
    amended = io.BytesIO(), io.BytesIO()
    assert amended_turtle(_chunks(turtle, cuts), _blocks(found[0]), amended[0])
    assert amended_turtle(_chunks(turtle, cuts), _blocks(found[0]), amended[1], blocks)
    assert amended[0].getvalue() == amended[1].getvalue()


def test_blocks_found_wrong_are_refused() -> None:
    """Spans of another text (a byte off) are caught where they are read: the amendment gives up."""
    first, second = _subject(1), _subject(2)
    before = [ox.Triple(s, p, ox.Literal(f"{s.value} {p.value}")) for s in (first, second) for p in PREDICATES]
    removed, added = [before[0], before[4]], [ox.Triple(first, PREDICATES[0], ox.Literal("B"))]
    previous = ox.serialize(before, format=ox.RdfFormat.N_TRIPLES)
    found = subject_runs([previous])
    shifted = Located(found.subjects, array("q", (at + 1 for at in found.offsets)), found.lengths)
    assert amended_triples([previous], removed, added, io.BytesIO(), {}, shifted) is None
    assert amended_triples([previous], removed, added, io.BytesIO(), {}, subject_runs([previous])) == 5
    extra = b'<http://x.test/s9> <http://schema.test/p0> "C" .\n'  # the text is not the one the runs were found in
    assert amended_triples([previous + extra], removed, added, io.BytesIO(), {}, subject_runs([previous])) is None
    turtle = ox.serialize(before, format=ox.RdfFormat.TURTLE)
    blocks = turtle_blocks([turtle])
    other = Located(blocks.subjects, blocks.offsets, array("q", (length - 1 for length in blocks.lengths)))
    now = {str(first).encode(): b""}
    assert not amended_turtle([turtle], now, io.BytesIO(), other), "a block cut short"
    assert amended_turtle([turtle], now, io.BytesIO(), blocks)
    assert not amended_turtle([turtle + extra], now, io.BytesIO(), blocks)
