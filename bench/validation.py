"""Validation benchmark: the naive way (rdflib + pySHACL) against the compiled engine, same data, same run.

    .venv/bin/python -m bench.validation --n 40000

Generates the synthetic hub data (bench/synthetic.py: initiatives, actors, addresses,
injected violations) once as N-Triples, then runs each engine in its own child
process, so that each peak RSS is its own:

- naive: rdflib parses the file and the context, then one pySHACL run over the whole
  graph (as ../shared/BASELINES.md section e did).  pySHACL re-parses a SHACL-SPARQL
  constraint's text for every focus node (0.17 s for the SIRET check: hours at 40,000
  records), so the naive run uses the reference engine's parse-once graph, which only
  makes the naive figures better;
- fast: Oxigraph parses the file, then ``Validator(hub).validate(quads)``; then small
  batches through the same validator show what each further call costs.

It prints wall seconds, records per second and peak RSS of each, their ratios, and
checks that both reject the same records with the same findings (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bench.processes import measured_child
from carrefour.vocab import Hub
from loader.validation import Finding, Validator
from loader.validation.report import record_of

ENGINES = ("naive", "fast")
SMALL_BATCHES = (1, 100, 1000)  # records per batch, for the cost of one more call


@dataclass
class Run:
    engine: str
    read: float  # parse the data (and, naive, the context) into the engine's graph
    validate: float
    findings: list[Finding]
    wall: float = 0.0  # the whole child process, interpreter start included
    peak_rss_mib: float = 0.0
    peak_tree_rss_mib: float = 0.0  # with any helper process
    load: tuple[float, float] = (0.0, 0.0)  # machine load average before and after
    setup: float = 0.0  # fast: parse and compile the shapes
    batches: dict[str, float] = field(default_factory=dict)  # fast: seconds per call, by batch size

    @property
    def rejected(self) -> set[str]:
        return {f.record for f in self.findings if f.severity == "Violation"}


def write_data(hub: Hub, n: int, seed: int, path: Path) -> tuple[int, int, int]:
    """Write the synthetic data; returns (triples, records, injected violations)."""
    from bench.synthetic import generate

    data = generate(hub, n, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    ox.serialize([quad.triple for quad in data.quads], path, ox.RdfFormat.N_TRIPLES)
    records = {record_of(quad.subject.value) for quad in data.quads}
    return len(data.quads), len(records), len(data.broken)


def run_naive(hub: Hub, path: Path, context: Path | None = None) -> Run:
    """rdflib parses the records of ``path``, the hub's context and ``context`` (N-Triples), then one pySHACL run."""
    import pyshacl
    import rdflib

    from loader.geo import commune_triples
    from loader.validation.pyshacl_engine import ParsedOnce, findings_from_report, to_rdflib

    clock = time.perf_counter()
    graph = ParsedOnce()
    graph.parse(path, format="nt")
    subjects = {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}
    validator = Validator(hub, engine="pyshacl")
    to_rdflib(validator.context, graph)
    if context is not None:
        graph.parse(context, format="nt")
    prefix = hub.iri("territory", "commune") + "/"
    codes = {str(o)[len(prefix) :] for o in graph.objects() if isinstance(o, rdflib.URIRef) and o.startswith(prefix)}
    to_rdflib(commune_triples(hub, codes), graph)
    shapes = to_rdflib(validator.shapes)
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True, allow_infos=True)
    findings = findings_from_report(report, shapes, subjects)
    return Run("naive", read, time.perf_counter() - clock, findings)


def run_fast(hub: Hub, path: Path) -> Run:
    clock = time.perf_counter()
    quads = list(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    validator = Validator(hub)
    setup = time.perf_counter() - clock
    clock = time.perf_counter()
    report = validator.validate(quads)
    run = Run("fast", read, time.perf_counter() - clock, report.findings, setup=setup)
    by_record: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        by_record.setdefault(record_of(quad.subject.value), []).append(quad)
    groups = list(by_record.values())
    for size in SMALL_BATCHES:
        batch = [quad for group in groups[:size] for quad in group]
        clock = time.perf_counter()
        for _ in range(3):
            validator.validate(batch)
        run.batches[str(size)] = (time.perf_counter() - clock) / 3
    return run


def child(engine: str, hub: Hub, path: Path, out: Path, context: Path | None = None) -> None:
    run = run_naive(hub, path, context) if engine == "naive" else run_fast(hub, path)
    out.write_text(json.dumps(asdict(run)), encoding="utf-8")


def measure(engine: str, base_url: str, path: Path, context: Path | None = None) -> Run:
    """Run one engine in a child process: its wall time and peak RSS are its own.

    :param context: N-Triples the records may point to, looked up but not validated (naive engine only).
    """
    out = path.with_suffix(f".{engine}.json")
    command = [sys.executable, "-m", "bench.validation", "--child", engine, "--file", str(path), "--out", str(out)]
    if context is not None:
        command += ["--context", str(context)]
    load_before = os.getloadavg()[0]
    fields = measured_child([*command, "--base-url", base_url], out, f"the {engine} run")
    fields["findings"] = [Finding(**f) for f in fields["findings"]]
    fields["load"] = (load_before, os.getloadavg()[0])
    return Run(**fields)


def print_report(n: int, data: tuple[int, int, int], runs: dict[str, Run]) -> bool:
    triples, records, broken = data
    print(f"\n{n} initiatives: {records} records, {triples} triples, {broken} injected violations")
    print(f"{'engine':<8}{'read s':>9}{'validate s':>12}{'wall s':>9}{'records/s':>11}{'peak RSS MiB':>14}  load avg")
    for run in runs.values():
        print(
            f"{run.engine:<8}{run.read:>9.2f}{run.validate:>12.2f}{run.wall:>9.2f}"
            f"{records / run.validate:>11.0f}{run.peak_rss_mib:>14.0f}  {run.load[0]:.1f} -> {run.load[1]:.1f}"
        )
    agree = True
    if len(runs) == 2:
        naive, fast = runs["naive"], runs["fast"]
        print(
            f"naive / fast: validate {naive.validate / fast.validate:.1f}x, "
            f"read + validate {(naive.read + naive.validate) / (fast.read + fast.validate):.1f}x, "
            f"wall {naive.wall / fast.wall:.1f}x, peak RSS {naive.peak_rss_mib / fast.peak_rss_mib:.1f}x"
        )
        agree = naive.rejected == fast.rejected and naive.findings == fast.findings
        print(
            f"verdicts: fast {len(fast.rejected)} rejected records, {len(fast.findings)} findings; "
            f"naive {len(naive.rejected)}, {len(naive.findings)}: {'identical' if agree else 'DIFFERENT'}"
        )
        for finding in sorted(set(naive.findings) ^ set(fast.findings), key=Finding.order)[:20]:
            print(f"  {'naive' if finding in naive.findings else 'fast'} only: {finding}")
    if "fast" in runs:
        fast = runs["fast"]
        calls = ", ".join(f"{size} record(s) {seconds * 1000:.0f} ms" for size, seconds in fast.batches.items())
        print(f"fast: shapes parsed and compiled once in {fast.setup * 1000:.0f} ms; then one call per batch: {calls}")
    return agree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="initiatives to generate")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, among: naive, fast")
    parser.add_argument("--workdir", type=Path, default=Path("var/bench"))
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--context", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    hub = Hub(args.base_url)
    if args.child:
        child(args.child, hub, args.file, args.out, args.context)
        return
    engines = [engine for engine in args.engines.split(",") if engine]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    path = args.workdir / f"validation-{args.n}-{args.seed}.nt"
    data = write_data(hub, args.n, args.seed, path)
    runs = {engine: measure(engine, args.base_url, path) for engine in engines}
    if not print_report(args.n, data, runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
