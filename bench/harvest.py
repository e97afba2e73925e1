"""Harvest benchmark: a synthetic partner feed of N initiatives through the real harvest, beside the naive validation.

    .venv/bin/python -m bench.harvest --n 40000      # --quick: 2,000 records, a smoke run

1. bench/feeds.py writes a feed shaped like the Hub du Sud JSON export; a partner
   file copied from partners/hub-du-sud.toml, its source pointed at that feed, goes
   into a temporary PARTNERS_DIR (configuration only, as for any partner);
2. ``carrefour init`` publishes the hub's own graphs into a fresh store;
3. a child process harvests the partner through the real harvest code
   (``loader.harvest.harvest`` and the report files ``carrefour harvest`` writes), and
   reports the time of each phase; its wall time and peak RSS are its own;
4. a second child harvests the same feed again (everything unchanged), a third after
   1 % of the feed's records changed (``--change``), and the published result is compared
   with a harvest of the changed feed into a fresh store (exit status 1 if they differ);
5. the naive way, in its own child (bench/validation.py's naive path): the same mapped
   records, written as N-Triples, parsed by rdflib with the same context, then one
   whole-graph pySHACL run.

It prints records/s per phase, wall time and peak RSS of each harvest, the naive way
beside the harvest's validation with their ratio, whether both reject the same records
with the same findings (exit status 1 if not), the targets, and what else used the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from bench.feeds import change, generate
from bench.processes import measured_child
from bench.validation import Run, measure
from carrefour import paths
from carrefour.artifacts.build import HELPED, builder_name
from carrefour.vocab import Hub
from loader.validation import Finding

PARTNER = "hub-du-sud"
TARGET_SPEEDUP = 10.0  # validation at least 10x faster than the naive way
TARGET_RECORDS = 40000
TARGET_SECONDS = 30.0  # the whole first harvest of 40,000 records
TARGET_RSS_MIB = 1024
TARGET_UNCHANGED = 10.0  # the same feed again
TARGET_CHANGED = 12.0  # after 1 % of its records changed
PARTNER_PHASES = ("read+map", "validate", "diff+provenance")
PHASE_LABELS = {
    **{name: f"  {name} (shared)" for name in (builder_name(b) for b in HELPED)},
    "artifacts": "artifacts, wall",
}


@dataclass
class HarvestRun:
    """One harvest child: phase seconds, counts and findings."""

    phases: dict[str, float]
    counts: dict[str, int]
    findings: list[Finding]
    total: float  # in-process, from opening the store to the last report file
    wall: float = 0.0  # the whole child process, interpreter start and imports included
    peak_rss_mib: float = 0.0
    peak_tree_rss_mib: float = 0.0  # the harvest process and its helper process together
    version: str | None = None

    @property
    def rejected(self) -> set[str]:
        return {f.record for f in self.findings if f.severity == "Violation"}


# -- the machine -------------------------------------------------------------------------


def cpu_busy_seconds() -> float:
    """CPU seconds every process of the machine has used since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and the children it has waited for."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# -- setting up ----------------------------------------------------------------------------


def write_partner(folder: Path, feed: Path) -> Path:
    """The project's Hub du Sud partner file, its feed source pointed at ``feed`` (nothing else changes)."""
    text = (paths.PARTNERS_DIR / f"{PARTNER}.toml").read_text(encoding="utf-8")
    text, replaced = re.subn(r'(?m)^source = ".*"$', f"source = {json.dumps(str(feed.resolve()))}", text, count=1)
    if replaced != 1:
        raise SystemExit(f"partners/{PARTNER}.toml has no source line to point at the synthetic feed")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PARTNER}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def environment(partners: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
    env.update(CARREFOUR_PARTNERS_DIR=str(partners), CARREFOUR_LOG_LEVEL="WARNING")
    return env


def carrefour_init(store: Path, base_url: str, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "carrefour", "--store", str(store), "--base-url", base_url, "init"]
    clock = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - clock


def export_mapped(partner_file: Path, hub: Hub, folder: Path) -> tuple[Path, Path, int]:
    """The records exactly as the harvest maps them (a fresh store mints the same IRIs), as N-Triples files.

    :returns: the records file, the context file (the partner's taxonomy) and the triple count.
    """
    from carrefour.config import load_config
    from loader.feeds import FetchSettings
    from loader.harvest import PartnerHarvest, map_feed
    from loader.mapping.engine import RecordMapper
    from loader.mapping.minting import Minter
    from loader.partners import load_partner, taxonomy_triples

    spec = load_partner(partner_file)
    mapper = RecordMapper(spec, hub, Minter(hub, spec.id, {}))
    settings = FetchSettings.from_config(load_config(environ={}))
    result = PartnerHarvest(spec, started=datetime.now(UTC))
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    triples = map_feed(spec, mapper, settings, folder / "cache", result)
    taxonomy = taxonomy_triples(spec, hub, mapper.categories_seen, mapper.concept_languages)
    records, context = folder / "mapped.nt", folder / "taxonomy.nt"
    ox.serialize(triples, records, ox.RdfFormat.N_TRIPLES)
    ox.serialize(taxonomy, context, ox.RdfFormat.N_TRIPLES)
    return records, context, len(triples)


# -- the harvest child -----------------------------------------------------------------------


def harvest_child(store_dir: Path, base_url: str, out: Path) -> None:
    """What ``carrefour harvest`` does (config, partners, harvest, report files), with its phases timed."""
    from carrefour.config import load_config
    from carrefour.store import open_store
    from loader.harvest import harvest
    from loader.harvest_report import write_report_files
    from loader.partners import load_partners, partners_dir
    from loader.validation import Validator

    started = time.perf_counter()
    config = load_config(overrides={"STORE": str(store_dir), "BASE_URL": base_url})
    hub = Hub(config.base_url)
    store = open_store(config)
    specs = load_partners(partners_dir(config["PARTNERS_DIR"]))
    clock = time.perf_counter()
    validator = Validator(hub)
    phases = {"setup": time.perf_counter() - clock}
    timings: dict[str, float] = {}
    results, version = harvest(store, hub, config, specs, specs, validator, timings=timings)
    clock = time.perf_counter()
    for result in results:
        write_report_files(result, config.store_path / "harvest", hub)
    timings["reports"] = time.perf_counter() - clock
    store.close()
    (result,) = results
    if not result.ok:
        raise SystemExit(f"the harvest failed: {result.error}")
    phases.update(result.seconds)
    phases.update(timings)
    run = HarvestRun(phases, result.counts(), result.report.findings, time.perf_counter() - started, version=version)
    out.write_text(json.dumps(asdict(run)), encoding="utf-8")


def measure_harvest(store: Path, base_url: str, env: dict[str, str], out: Path) -> HarvestRun:
    command = [sys.executable, "-m", "bench.harvest", "--child", "--store", str(store), "--out", str(out)]
    fields = measured_child([*command, "--base-url", base_url], out, "the harvest child", env)
    fields["findings"] = [Finding(**f) for f in fields["findings"]]
    return HarvestRun(**fields)


# -- the report ---------------------------------------------------------------------------------


def _rate(records: int, seconds: float) -> str:
    return f"{records / seconds:>11,.0f}" if seconds >= 0.01 else f"{'—':>11}"


def print_harvests(records: int, runs: dict[str, HarvestRun]) -> None:
    """A column of seconds and records/s per harvest (``runs``: label -> run)."""
    print("\n" + f"{'phase':<20}" + "".join(f"{label + ' s':>8}{'records/s':>11}" for label in runs))
    first = next(iter(runs.values()))
    publication = [p for p in first.phases if p not in (*PARTNER_PHASES, "setup")]

    def row(label: str, figures: list[float]) -> None:
        print(f"{label:<20}" + "".join(f"{value:>8.2f}{_rate(records, value)}" for value in figures))

    for phase in ("setup", *PARTNER_PHASES, *publication):
        row(PHASE_LABELS.get(phase, phase), [run.phases.get(phase, 0.0) for run in runs.values()])
    print("(shared): built by the helper process or by this one, whichever is free first, beside this one's other "
          "artifacts; links: a checkpoint for the helper, waiting for the links it finds, writing them")  # fmt: skip
    row("harvest, in-process", [run.total for run in runs.values()])
    row("process wall", [run.wall for run in runs.values()])
    print(f"{'peak RSS MiB':<20}" + "".join(f"{run.peak_rss_mib:>8.0f}{'':>11}" for run in runs.values())
          + "   (harvest process)")  # fmt: skip
    print(f"{'  with its helper':<20}" + "".join(f"{run.peak_tree_rss_mib:>8.0f}{'':>11}" for run in runs.values())
          + "   (sampled sum of both processes)")  # fmt: skip
    for label, run in runs.items():
        print(f"{label} counts: " + ", ".join(f"{name} {value}" for name, value in run.counts.items()))


def published_partner(store_dir: Path, base_url: str) -> dict[str, set[ox.Quad]]:
    """What a store publishes of the partner: its data and taxonomy graphs."""
    from carrefour.config import load_config
    from carrefour.store import open_store

    hub = Hub(base_url)
    store = open_store(load_config(overrides={"STORE": str(store_dir), "BASE_URL": base_url}))
    try:
        view = store.snapshot()
        return {kind: set(view.quads(graph=hub.graph(kind, PARTNER))) for kind in ("partner", "taxonomy")}
    finally:
        store.close()


def same_as_fresh(store: Path, fresh: Path, base_url: str) -> bool:
    """Whether the re-harvested store publishes exactly what a harvest from scratch of the same feed does."""
    ours, theirs = published_partner(store, base_url), published_partner(fresh, base_url)
    agree = True
    for kind in ours:
        extra, missing = ours[kind] - theirs[kind], theirs[kind] - ours[kind]
        agree = agree and not extra and not missing
        print(f"  {kind} graph: {len(ours[kind])} quads re-harvested, {len(theirs[kind])} from scratch, "
              f"{len(extra)} only re-harvested, {len(missing)} only from scratch")  # fmt: skip
        for quad in sorted(extra | missing, key=str)[:10]:
            print(f"    {'re-harvested' if quad in extra else 'from scratch'} only: {quad}")
    return agree


def measure_naive(partner_file: Path, hub: Hub, folder: Path) -> tuple[int, Run]:
    """The naive way over the records as the harvest maps them: (mapped triples, run)."""
    records_file, context_file, triples = export_mapped(partner_file, hub, folder)
    return triples, measure("naive", hub.base, records_file, context_file)


def print_validation(records: int, triples: int, naive: Run, fast: HarvestRun) -> tuple[float, bool]:
    validate = fast.phases["validate"]
    print(f"\nvalidation of {records} records ({triples} mapped triples):")
    print(f"  harvest (compiled shapes on Oxigraph): {validate:.2f} s, {records / validate:,.0f} records/s")
    naive_total = naive.read + naive.validate
    print(
        f"  naive (rdflib graph {naive.read:.2f} s + one pySHACL run {naive.validate:.2f} s): {naive_total:.2f} s, "
        f"{records / naive_total:,.0f} records/s; process wall {naive.wall:.2f} s, "
        f"peak RSS {naive.peak_rss_mib:.0f} MiB"
    )
    speedup = naive_total / validate
    print(f"  naive / harvest: {speedup:.1f}x (pySHACL run alone: {naive.validate / validate:.1f}x)")
    agree = naive.rejected == fast.rejected and sorted(naive.findings) == sorted(fast.findings)
    print(
        f"  verdicts: harvest {len(fast.rejected)} rejected records, {len(fast.findings)} findings; "
        f"naive {len(naive.rejected)}, {len(naive.findings)}: {'identical' if agree else 'DIFFERENT'}"
    )
    for finding in sorted(set(naive.findings) ^ set(fast.findings), key=Finding.order)[:20]:
        print(f"    {'naive' if finding in naive.findings else 'harvest'} only: {finding}")
    return speedup, agree


def print_targets(
    records: int, runs: dict[str, HarvestRun], speedup: float | None, agree: bool | None, same: bool
) -> None:
    print(f"\ntargets (the harvest times are targets for {TARGET_RECORDS:,} records):")
    first, unchanged, changed = runs.values()

    def in_time(run: HarvestRun, target: float) -> bool | None:
        return run.wall <= target if records == TARGET_RECORDS else None

    compared = None if speedup is None else speedup >= TARGET_SPEEDUP and bool(agree)
    checks = (
        (f"validation >= {TARGET_SPEEDUP:.0f}x the naive way, same verdicts", compared,
         "not measured (--no-naive)" if speedup is None
         else f"{speedup:.1f}x, verdicts {'identical' if agree else 'different'}"),
        (f"first harvest within {TARGET_SECONDS:.0f} s (process wall)", in_time(first, TARGET_SECONDS),
         f"{first.wall:.1f} s"),
        (f"peak RSS under {TARGET_RSS_MIB:.0f} MiB (harvest and helper processes together)",
         first.peak_tree_rss_mib < TARGET_RSS_MIB, f"{first.peak_tree_rss_mib:.0f} MiB"),
        (f"unchanged re-harvest within {TARGET_UNCHANGED:.0f} s", in_time(unchanged, TARGET_UNCHANGED),
         f"{unchanged.wall:.1f} s"),
        (f"re-harvest after a 1 % change within {TARGET_CHANGED:.0f} s, as published as from scratch",
         in_time(changed, TARGET_CHANGED) and same if records == TARGET_RECORDS else None,
         f"{changed.wall:.1f} s, {'the same' if same else 'DIFFERENT'}"),
    )  # fmt: skip
    for label, ok, figure in checks:
        verdict = "n/a    " if ok is None else "met    " if ok else "MISSED "
        print(f"  {verdict} {label}: {figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40000, help="records in the synthetic feed")
    parser.add_argument("--quick", action="store_true", help="a smoke run of 2,000 records")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive run (quick iterations)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--change", type=float, default=0.01, help="share of the records changed before the third")
    parser.add_argument("--workdir", type=Path, default=Path("var/bench"))
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harvest_child(args.store, args.base_url, args.out)
        return
    n = 2000 if args.quick else args.n
    print(f"before: {uptime()}")
    busy, own, clock = cpu_busy_seconds(), own_cpu_seconds(), time.perf_counter()
    folder = args.workdir / f"harvest-{n}-{args.seed}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    feed_records, broken = generate(n, args.seed)
    feed = folder / "feed.json"
    feed.write_text(json.dumps(feed_records, ensure_ascii=False, indent=1), encoding="utf-8")
    partner_file = write_partner(folder / "partners", feed)
    env = environment(partner_file.parent)
    store = folder / "var"
    init = carrefour_init(store, args.base_url, env)
    print(f"{n} records ({len(broken)} broken on purpose), {feed.stat().st_size / 2**20:.1f} MiB; "
          f"carrefour init {init:.1f} s")  # fmt: skip
    runs = {
        "1st": measure_harvest(store, args.base_url, env, folder / "harvest-1.json"),
        "2nd": measure_harvest(store, args.base_url, env, folder / "harvest-2.json"),
    }
    changed = change(feed_records, args.change, args.seed)
    feed.write_text(json.dumps(feed_records, ensure_ascii=False, indent=1), encoding="utf-8")
    del feed_records
    runs["3rd"] = measure_harvest(store, args.base_url, env, folder / "harvest-3.json")
    fresh = folder / "fresh"
    carrefour_init(fresh, args.base_url, env)
    measure_harvest(fresh, args.base_url, env, folder / "harvest-fresh.json")
    naive = None if args.no_naive else measure_naive(partner_file, Hub(args.base_url), folder)
    elapsed = time.perf_counter() - clock
    others = cpu_busy_seconds() - busy - (own_cpu_seconds() - own)
    print_harvests(n, runs)
    print(f"(2nd: the same feed, unchanged; 3rd: after {changed} records ({args.change:.0%}) changed)")
    print("\nthe 3rd harvest against a harvest of the same feed into a fresh store:")
    same = same_as_fresh(store, fresh, args.base_url)
    speedup, agree = print_validation(n, *naive, runs["1st"]) if naive else (None, None)
    print_targets(n, runs, speedup, agree, same)
    print(f"\nafter: {uptime()}")
    print(
        f"other processes used {max(others, 0.0):.0f} CPU-seconds during the {elapsed:.0f} s of the benchmark "
        f"({max(others, 0.0) / elapsed:.2f} of the {os.cpu_count()} cores on average)"
    )
    if agree is False or not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
