"""The whole reliability suite, one run after the other, and a summary table of every figure.

    python -m bench.reliability                 # load and expensive queries on 40,000 initiatives; the rest on 2,000
    python -m bench.reliability --quick         # every run, small and short (a few minutes)

The faults, the hostile input and the final comparison share one hub (the one the
kills abuse), so that "nothing lost" is checked after everything else was done to it.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.reliability import expensive, faults, fuzz, gate_fuzz, hostile, load, lost
from bench.reliability.common import Outcome


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="small hubs, short runs, few trials")
    args = options.parse_args(argv)
    quick = args.quick
    big = ["--n", "2000", "--feed-records", "500"] if quick else []
    small = ["--n", "1000", "--feed-records", "200"] if quick else ["--n", "2000", "--feed-records", "500"]
    seconds = ["--seconds", "10"] if quick else []
    runs: list[tuple[str, object, list[str]]] = [
        ("python -m bench.reliability.load", load.main, [*big, *seconds]),
        ("python -m bench.reliability.expensive", expensive.main, [*big, *seconds]),
        ("python -m bench.reliability.faults", faults.main, [*small, "--trials", "4" if quick else "20"]),
        ("python -m bench.reliability.fuzz", fuzz.main, [*small, "--examples", "200" if quick else "1000"]),
        (
            "python -m bench.reliability.gate_fuzz",
            gate_fuzz.main,
            ["--examples", "3000", "--virtuoso", "600"] if quick else [],
        ),
        ("python -m bench.reliability.hostile", hostile.main, small),
        ("python -m bench.reliability.lost", lost.main, small),
    ]
    outcomes: list[tuple[str, Outcome, float]] = []
    for command, run, arguments in runs:
        started = time.perf_counter()
        outcomes.append((" ".join([command, *arguments]), run(arguments), time.perf_counter() - started))  # type: ignore[operator]
    print("\n== Summary")
    print(f"{'':4} {'figure':<52} {'value':<60} target")
    for command, outcome, seconds_taken in outcomes:
        print(f"\n{outcome.title}  [{command}, {seconds_taken:.0f} s]")
        for f in outcome.figures:
            print(f"{'ok' if f.ok else 'FAIL':4} {f.name:<52} {f.value[:60]:<60} {f.target}")
    failed = [f.name for _, o, _ in outcomes for f in o.figures if not f.ok]
    print(f"\n{len(failed)} figure(s) off target" + (": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
