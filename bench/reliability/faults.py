"""Faults under load: kill -9 of the harvester and of a web worker, a full disk during the dumps, bad partners.

    python -m bench.reliability.faults          # 20 harvester kills, a worker kill, disk full, bad partners

- **Harvester killed**: while wrk loads the server, ``carrefour harvest`` (of a feed
  edition that changes records) is killed with SIGKILL at a random moment of its
  run.  After each kill the store opens, holds exactly what was published before
  (every graph's canonical hash) or, when the kill came after the pointer moved,
  the complete new version; the server still serves it (manifest version, a dump
  whose SHA-256 matches); and the next harvest succeeds and cleans the leftovers.
- **Web worker killed**: SIGKILL to one gunicorn worker under load; the failed
  requests are counted beside the connections the worker held, the other workers
  go on, gunicorn starts a new one, and the worker's query processes go away.
- **Disk full during a dump**: the store on a small tmpfs (root only); when the
  harvest starts writing its dumps the disk is filled; the harvest fails clearly,
  the old version and its dumps are still served byte for byte, and once space is
  back the next harvest succeeds.
- **Bad partners**: one partner hangs, one resets the connection, one serves
  garbage, beside a good one: the good one is harvested and published, the others
  fail with a clear error and their published data stays as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.processes import descendants, survivors
from bench.published_hub import BASE
from bench.reliability.background import BackgroundLoad
from bench.reliability.bad_partners import bad_partner
from bench.reliability.common import Outcome, hub_from, parser
from bench.reliability.content import GraphFigures, store_figures
from bench.reliability.hub import FEED_PARTNERS, SuiteHub, build_hub, write_partner
from bench.reliability.mix import load_mix
from bench.reliability.server import Served, serve
from carrefour.store.embedded import COMMITTED, POINTER
from carrefour.vocab import Hub

# -- what the store holds ----------------------------------------------------------


def published_state(hub: SuiteHub) -> tuple[str, dict[str, GraphFigures]]:
    """(version, figures of every graph) of what the store publishes, read by a new handle (the store opens)."""
    store = hub.open_store()
    try:
        snapshot = store.snapshot()
        return snapshot.info.version, store_figures(snapshot)
    finally:
        store.close()


def data_figures(figures: dict[str, GraphFigures]) -> dict[str, GraphFigures]:
    """The feed partners' data graphs: what a harvest of one edition always gives."""
    terms = Hub(BASE)
    return {g: f for g, f in figures.items() if g in {terms.iri("graph", "partner", p) for p in FEED_PARTNERS}}


def served_version(served: Served) -> tuple[str, bool]:
    """The version the server serves, and whether a dump it lists downloads with the SHA-256 it lists."""
    manifest = requests.get(served.url + "/dumps/dumps.json", timeout=60).json()
    entry = next(f for f in manifest["files"] if f["file"] == "partner-feed-a.nt.gz")
    body = requests.get(served.url + "/dumps/" + entry["file"], timeout=60).content
    return manifest["version"], hashlib.sha256(body).hexdigest() == entry["sha256"]


def phase(hub: SuiteHub, known: set[str]) -> str:
    """How far the killed harvest had gone, from what it left in the store folder."""
    generations = hub.store_dir / "store" / "generations"
    new = [p for p in generations.iterdir() if p.name.isdigit() and p.name not in known]
    if not new:
        return "before the write session"
    folder = max(new)
    if (folder / COMMITTED).exists():
        return "publishing (committed)"
    dumps = folder / "artifacts" / "dumps"
    if dumps.exists() and any(dumps.iterdir()):
        return "writing the dumps"
    if (folder / "artifacts" / "search.sqlite").exists() or (folder / "artifacts" / "stats.json").exists():
        return "building the artifacts"
    return "reading, mapping, validating"


def leftovers(hub: SuiteHub) -> list[str]:
    """Unpublished generation folders and temporary files left in the store folder."""
    root = hub.store_dir / "store"
    generations = [p for p in (root / "generations").iterdir() if p.name.isdigit()]  # not the LAST marker
    found = [p.name for p in generations if not (p / COMMITTED).exists()]
    found += [p.name for p in root.glob(f".{POINTER}.*")]
    return found


# -- harvester killed ---------------------------------------------------------------


@dataclass
class KillTrial:
    delay: float
    phase: str
    store_opens: bool
    intact: bool  # the previous version untouched, or the new one complete
    published_new: bool
    served: bool
    next_harvest_ok: bool
    leftovers_cleaned: bool
    orphans: list[int] = field(default_factory=list)  # its processes (helper, resource tracker) still running after 5 s
    detail: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.store_opens
            and self.intact
            and self.served
            and self.next_harvest_ok
            and self.leftovers_cleaned
            and not self.orphans
        )


def kill_harvest_trials(hub: SuiteHub, served: Served, trials: int, seed: int, log: object = print) -> list[KillTrial]:
    """Kill ``trials`` harvests at random moments; after each, check the store, the server, the next harvest."""
    rng = random.Random(seed)
    expected: dict[int, dict[str, GraphFigures]] = {}
    durations = []
    for edition in (1, 0):  # a complete harvest of each edition: its duration and the data it publishes
        hub.use_edition(edition)
        started = time.perf_counter()
        hub.harvest()
        durations.append(time.perf_counter() - started)
        expected[edition] = data_figures(published_state(hub)[1])
    longest = max(durations)
    results = []
    edition = 0
    for number in range(trials):
        edition = 1 - edition
        hub.use_edition(edition)
        version, before = published_state(hub)
        known = {p.name for p in (hub.store_dir / "store" / "generations").iterdir()}
        delay = rng.uniform(0.0, longest * 1.05)
        process = hub.harvest_process(log=hub.folder / "killed-harvests.log")
        time.sleep(delay)
        killed_at = phase(hub, known) if process.poll() is None else "after its end (nothing to kill)"
        helpers = descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()
        trial = KillTrial(delay, killed_at, False, False, False, False, False, False, survivors(helpers))
        try:
            after_version, after = published_state(hub)
            trial.store_opens = True
            trial.published_new = after_version != version
            if trial.published_new:  # killed after the pointer moved: the new version must be whole
                trial.intact = data_figures(after) == expected[edition]
            else:
                trial.intact = after == before
            served_as, dump_ok = served_version(served)
            trial.served = served_as == after_version and dump_ok
            hub.harvest()
            next_version, next_figures = published_state(hub)
            trial.next_harvest_ok = next_version != after_version and data_figures(next_figures) == expected[edition]
            trial.leftovers_cleaned = not leftovers(hub)
        except Exception as exc:  # the trial failed: say how, go on with the others
            trial.detail = f"{type(exc).__name__}: {str(exc)[:300]}"
        results.append(trial)
        log(
            f"  kill {number + 1}/{trials} after {delay:5.1f} s ({killed_at}): {'ok' if trial.ok else 'FAILED'} "
            f"{trial.detail}"
        )
    return results


# -- web worker killed ------------------------------------------------------------------


@dataclass
class WorkerKill:
    requests: int
    failed: int
    socket_errors: int
    server_errors: int
    victim_connections: int  # sockets the killed worker held (its in-flight and kept-alive requests)
    replaced_after: float | None  # seconds until gunicorn ran as many workers again
    orphans: int  # query processes of the killed worker still running afterwards
    answering_after: bool


def _sockets(pid: int) -> int:
    count = 0
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd).startswith("socket:"):
                    count += 1
            except OSError:
                continue
    except OSError:
        pass
    return max(0, count - 1)  # less the listening socket every worker shares


def kill_worker_under_load(served: Served, mix: list, connections: int, seconds: float) -> WorkerKill:
    workers = served.wait_for_workers(len(served.workers()))
    with BackgroundLoad(served.url, mix, connections, chunk_seconds=seconds / 3) as load:
        time.sleep(seconds / 2)
        victim = workers[0]
        query_processes = descendants(victim)
        held = _sockets(victim)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        replaced_after = None
        try:
            served.wait_for_workers(len(workers), timeout=30, exclude=(victim,))
            replaced_after = time.monotonic() - killed
        except RuntimeError:
            pass
        time.sleep(seconds / 2)
    orphans = len(survivors(query_processes))
    answering = requests.get(served.url + "/", timeout=30).status_code == 200
    return WorkerKill(
        load.requests, load.failed, load.socket_errors, load.server_errors, held, replaced_after, orphans, answering
    )


# -- disk full during the dumps --------------------------------------------------------------


@dataclass
class DiskFull:
    filled_during: str
    harvest_failed_clearly: bool
    message: str
    version_kept: bool
    dumps_identical: bool
    next_harvest_ok: bool
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.skipped) or (
            self.harvest_failed_clearly and self.version_kept and self.dumps_identical and self.next_harvest_ok
        )


def _fill(folder: Path) -> Path:
    """Write zeros into ``folder`` until its file system is full."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 12, 1):
            chunk = bytes(size)
            try:
                while True:
                    handle.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler


def _downloads(served: Served, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: requests.get(served.url + "/dumps/" + name, timeout=60).content for name in names}


def disk_full_during_dumps(n: int, feed_records: int, size_mb: int = 96, log: object = print) -> DiskFull:
    """A hub on a tmpfs of ``size_mb``: fill it when the harvest writes its dumps (needs root)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return DiskFull("", False, "", False, False, False, skipped="needs root to mount a tmpfs")
    mountpoint = Path(tempfile.mkdtemp(prefix="carrefour-diskfull-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mountpoint)], check=True)
    try:
        hub = build_hub(mountpoint / "hub", n, feed_records, log=lambda *_: None)
        served = serve(hub, workers=2, threads=2)
        try:
            names = ("dumps.json", "carrefour.nq.gz", "partner-feed-a.nt.gz")
            before = _downloads(served, names)
            version = published_state(hub)[0]
            hub.use_edition(1)
            generations = hub.store_dir / "store" / "generations"
            known = {p.name for p in generations.iterdir()}
            process = subprocess.Popen(
                hub.command("harvest"), env=hub.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            filler = None
            while process.poll() is None and filler is None:
                for folder in (p for p in generations.iterdir() if p.name not in known):
                    dumps = folder / "artifacts" / "dumps"
                    if dumps.is_dir() and any(p.name.endswith(".partial") for p in dumps.iterdir()):
                        filler = _fill(mountpoint)
                        break
                time.sleep(0.002)
            output = process.communicate(timeout=600)[0].decode("utf-8", "replace")
            if filler is None:
                return DiskFull(
                    "", False, "", False, False, False, skipped="the harvest ended before its dumps could be caught"
                )
            message = next((line for line in output.splitlines() if "space" in line.lower()), output[-300:])
            clear = process.returncode != 0 and "Traceback" not in output and "space" in message.lower()
            kept = published_state(hub)[0] == version
            identical = _downloads(served, names) == before
            filler.unlink()
            log(f"  disk full: harvest exit {process.returncode}: {message.strip()[:160]}")
            next_ok = True
            try:
                hub.harvest()
            except RuntimeError:
                next_ok = False
            next_ok = next_ok and published_state(hub)[0] != version
            return DiskFull("writing the dumps", clear, message.strip(), kept, identical, next_ok)
        finally:
            served.stop()
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        shutil.rmtree(mountpoint, ignore_errors=True)


# -- bad partners -------------------------------------------------------------------------------


@dataclass
class BadPartners:
    good_published: bool
    failures: dict[str, str] = field(default_factory=dict)  # partner -> error shown
    bad_data_unchanged: bool = False
    exit_code: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        clear = all(message and message != "—" for message in self.failures.values())
        return self.good_published and self.bad_data_unchanged and clear and len(self.failures) == 3


def bad_partners_harvest(hub: SuiteHub) -> BadPartners:
    """Harvest feed-a beside three partners that hang, reset, serve garbage (feed-b's config, other sources)."""
    terms = Hub(BASE)
    with bad_partner("hang") as hang, bad_partner("reset") as reset, bad_partner("garbage") as garbage:
        folder = hub.partners_dir.parent / "bad-partners"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        bad = {"bad-hang": hang, "bad-reset": reset, "bad-garbage": garbage}
        alias = SuiteHub(hub.folder, hub.n, hub.feed_records)
        for partner in ("feed-a", *bad):
            write_partner(alias, partner)
            text = (alias.partners_dir / f"{partner}.toml").read_text(encoding="utf-8")
            if partner in bad:
                text = text.replace(str(hub.feeds_dir.resolve() / f"{partner}.json"), bad[partner])
                # the misbehaving servers stand for partner sites, on 127.0.0.1
                text = text.replace("[feed]\n", "[feed]\nallow_private_addresses = true\n", 1)
            (folder / f"{partner}.toml").write_text(text, encoding="utf-8")
            if partner in bad:
                (alias.partners_dir / f"{partner}.toml").unlink()
        store = hub.open_store()
        try:
            before = {p: store_figures(store.snapshot()).get(terms.iri("graph", "partner", p)) for p in bad}
            version = store.snapshot().info.version
        finally:
            store.close()
        hub.use_edition(1)
        env = hub.env(HARVEST_TIMEOUT="3", HARVEST_DELAY="0")
        env["CARREFOUR_PARTNERS_DIR"] = str(folder)
        started = time.perf_counter()
        done = subprocess.run(hub.command("harvest"), env=env, capture_output=True, text=True, timeout=900, check=False)
        seconds = time.perf_counter() - started
    store = hub.open_store()
    try:
        snapshot = store.snapshot()
        after = {p: store_figures(snapshot).get(terms.iri("graph", "partner", p)) for p in bad}
        good_published = snapshot.info.version != version
    finally:
        store.close()
    failures = {}
    for line in done.stdout.splitlines():
        for partner in bad:
            if f"│ {partner} " in line and "FAILED" in line:
                failures[partner] = line.split("FAILED:", 1)[1].strip(" │")
    result = BadPartners(good_published, failures, after == before, done.returncode, seconds)
    hub.use_edition(0)
    return result


# -- the run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> Outcome:
    options = parser(__doc__.splitlines()[0], n=5000, feed_records=1000)
    options.add_argument("--trials", type=int, default=20, help="harvester kills")
    options.add_argument("--connections", type=int, default=16, help="connections of the load during the faults")
    options.add_argument("--seed", type=int, default=6)
    args = options.parse_args(argv)
    hub = hub_from(args)
    out = run_faults(hub, args.trials, args.connections, args.seed)
    out.print()
    return out


def run_faults(
    hub: SuiteHub,
    trials: int,
    connections: int,
    seed: int,
    worker_seconds: float = 20.0,
    disk_hub: tuple[int, int] = (300, 100),
    log: object = print,
) -> Outcome:
    out = Outcome(f"Faults under load ({connections} connections)")
    mix = load_mix(hub)
    served = serve(hub)
    try:
        with BackgroundLoad(served.url, mix, connections) as load:
            kills = kill_harvest_trials(hub, served, trials, seed, log)
        phases: dict[str, int] = {}
        for trial in kills:
            phases[trial.phase] = phases.get(trial.phase, 0) + 1
        good = sum(1 for t in kills if t.ok)
        out.add("harvester kill -9 trials passed", f"{good} of {len(kills)}", "all", good == len(kills))
        out.add(
            "  store opens / intact / served",
            f"{sum(t.store_opens for t in kills)} / {sum(t.intact for t in kills)} / {sum(t.served for t in kills)}",
            "all",
            good == len(kills),
        )
        out.add(
            "  next harvest ok / leftovers cleaned",
            f"{sum(t.next_harvest_ok for t in kills)} / {sum(t.leftovers_cleaned for t in kills)}",
            "all",
            good == len(kills),
        )
        orphans = sum(len(t.orphans) for t in kills)
        out.add("  processes of the killed harvests still running 5 s after", str(orphans), "0", orphans == 0)
        out.add("  killed after publishing (new version whole)", str(sum(t.published_new for t in kills)), "", True)
        out.notes.append("harvests killed while " + ", ".join(f"{k}: {v}" for k, v in sorted(phases.items())))
        out.add(
            "load during the kills",
            f"{load.requests} requests, {load.failed} failed "
            f"({load.server_errors} 5xx, {load.socket_errors} socket errors)",
            "0 failed",
            load.failed == 0,
        )
        kill = kill_worker_under_load(served, mix, max(connections, 64), worker_seconds)
        out.add(
            "worker kill -9: failed requests",
            f"{kill.failed} of {kill.requests} ({kill.socket_errors} socket "
            f"errors, {kill.server_errors} 5xx); the worker held {kill.victim_connections} connections",
            "<= the killed worker's connections",
            kill.failed <= kill.victim_connections,
        )
        out.add(
            "worker kill -9: replaced by gunicorn",
            f"after {kill.replaced_after:.1f} s" if kill.replaced_after is not None else "not replaced",
            "< 30 s",
            kill.replaced_after is not None,
        )
        out.add("worker kill -9: its query processes gone", f"{kill.orphans} left", "0", kill.orphans == 0)
        out.add("worker kill -9: server answers after", str(kill.answering_after), "True", kill.answering_after)
    finally:
        served.stop()
    bad = bad_partners_harvest(hub)
    out.add("bad partners: good partner published", str(bad.good_published), "True", bad.good_published)
    out.add(
        "bad partners: each failed clearly",
        f"{len(bad.failures)} of 3 ({bad.seconds:.0f} s)",
        "3",
        len(bad.failures) == 3,
    )
    out.add("bad partners: their data unchanged", str(bad.bad_data_unchanged), "True", bad.bad_data_unchanged)
    out.notes += [f"{partner}: {message}" for partner, message in sorted(bad.failures.items())]
    disk = disk_full_during_dumps(*disk_hub, log=log)
    if disk.skipped:
        out.notes.append(f"disk full: skipped ({disk.skipped})")
    else:
        out.add(
            "disk full during the dumps: clear failure",
            disk.message[:60],
            "exit != 0, says why",
            disk.harvest_failed_clearly,
        )
        out.add(
            "disk full: old version and dumps served",
            f"version kept {disk.version_kept}, dumps identical {disk.dumps_identical}",
            "both",
            disk.version_kept and disk.dumps_identical,
        )
        out.add("disk full: next harvest once space is back", str(disk.next_harvest_ok), "True", disk.next_harvest_ok)
    return out


if __name__ == "__main__":
    main()
