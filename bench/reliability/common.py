"""What every run of the suite shares: its command-line options, its hub, its figures."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from bench.reliability import wrk
from bench.reliability.hub import SuiteHub, build_hub

FULL_N = 40000  # synthetic initiatives of the load's hub (the full-size run)


@dataclass
class Figure:
    """One line of the summary: what was measured, its value, the target and whether it holds."""

    name: str
    value: str
    target: str
    ok: bool
    command: str = ""


@dataclass
class Outcome:
    """What a run found: its figures and the failures it saw."""

    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: str, target: str, ok: bool) -> None:
        self.figures.append(Figure(name, value, target, ok))

    def add_logged_errors(self, errors: list[str], kind: str = "errors") -> None:
        """The server log's errors: a figure (none is the target) and the first few as notes."""
        self.add(f"{kind} in the server log", str(len(errors)), "0", not errors)
        self.notes += errors[:5]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.figures)

    def print(self) -> None:
        print(f"\n== {self.title}")
        width = max((len(f.name) for f in self.figures), default=10)
        for f in self.figures:
            print(f"{'ok  ' if f.ok else 'FAIL'} {f.name:<{width}}  {f.value:<44} target: {f.target}")
        for note in self.notes:
            print(f"     {note}")


def warm_up_seconds(seconds: float) -> float:
    """How long the mix runs on a fresh server before the measured runs (a quarter of a run, 15 s at most)."""
    return min(15.0, seconds / 4)


def add_warm_up(out: Outcome, result: wrk.WrkResult) -> None:
    """The warm-up's figures: not the steady state the runs measure, but no request may fail in it either."""
    out.add("warm-up on the fresh server", result.summary(), "", True)
    out.add("warm-up: failed", str(result.failed), "0", result.failed == 0)


def parser(description: str, n: int = FULL_N, feed_records: int = 2000) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=description)
    options.add_argument("--n", type=int, default=n, help="synthetic initiatives in the hub")
    options.add_argument("--feed-records", type=int, default=feed_records, help="records of each harvested feed")
    options.add_argument("--folder", type=Path, help="where the hub lives (default var/reliability/hub-N)")
    return options


def hub_from(args: argparse.Namespace) -> SuiteHub:
    folder = args.folder or Path("var/reliability") / f"hub-{args.n}-{args.feed_records}"
    return build_hub(folder, args.n, args.feed_records)
