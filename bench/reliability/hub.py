"""The hub the reliability suite attacks: a real store on disk, filled the way operators fill it.

``carrefour init``, then a bulk of synthetic initiatives over partner graphs (what the
load reads), then partner feeds harvested by the real ``carrefour harvest`` command:
two synthetic feeds in the national schema of digital-mediation places (mapped by a
copy of ``partners/hub-du-sud.toml``), one of them with a hostile share of records
(markup, script, quotes in every text field).  Each feed exists in two editions that
differ by a few records, so that alternating them makes every harvest a real change.

Everything lives under one folder: ``var/`` (the store), ``partners/``, ``feeds/``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import feeds
from bench.published_hub import BASE
from bench.synthetic import publish_synthetic
from carrefour import paths
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub
from loader.initialise import initialise
from loader.validation import Validator

FEED_PARTNERS = ("feed-a", "feed-b")
TEMPLATE = paths.PARTNERS_DIR / "hub-du-sud.toml"
# Probes put in partner text: each carries a marker the HTML checks look for in tags and attributes.
XSS_PROBES = (
    "<script>alert('xss-{n}')</script>",
    '"><img src=x onerror="alert(\'xss-{n}\')">',
    "'><svg onload=alert('xss-{n}')>",
    "</title></script><iframe src=javascript:alert('xss-{n}')>",
    "<a href=\"javascript:alert('xss-{n}')\">xss-{n}</a>",
    "{{{{7*7}}}} xss-{n} <b onmouseover=alert(1)>",
    "<!-- xss-{n} --><style>*{{}}</style>",
    "\u2028</script><script>alert('xss-{n}')</script>",
)


@dataclass(frozen=True)
class SuiteHub:
    """Where the suite's hub lives and how to run the ``carrefour`` command on it."""

    folder: Path
    n: int
    feed_records: int

    @property
    def store_dir(self) -> Path:
        return self.folder / "var"

    @property
    def partners_dir(self) -> Path:
        return self.folder / "partners"

    @property
    def feeds_dir(self) -> Path:
        return self.folder / "feeds"

    def env(self, **settings: str) -> dict[str, str]:
        """The environment ``carrefour`` runs in: only this hub's settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARREFOUR_")}
        env["CARREFOUR_PARTNERS_DIR"] = str(self.partners_dir)
        env["CARREFOUR_LOG_LEVEL"] = "WARNING"
        env.update({f"CARREFOUR_{k}": v for k, v in settings.items()})
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "carrefour", "--store", str(self.store_dir), "--base-url", BASE, *args]

    def harvest_process(self, *partners: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        """``carrefour harvest`` started in the background (the fault trials kill it)."""
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
        try:
            return subprocess.Popen(self.command("harvest", *partners), env=self.env(), stdout=out, stderr=out)
        finally:
            if log:
                out.close()  # type: ignore[union-attr]

    def harvest(self, *partners: str) -> subprocess.CompletedProcess[str]:
        """``carrefour harvest`` to its end; raises with its output when it fails."""
        done = subprocess.run(
            self.command("harvest", *partners),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"carrefour harvest failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def use_edition(self, edition: int) -> None:
        """Point every feed partner at edition 0 or 1 of its feed (the next harvest reads it)."""
        for partner in FEED_PARTNERS:
            source = self.feeds_dir / f"{partner}-{edition}.json"
            (self.feeds_dir / f"{partner}.json").write_bytes(source.read_bytes())

    def stable_keys(self) -> set[str]:
        """Record ids found in both editions of the feeds (never removed by alternating them)."""
        editions = [
            {
                r["id"]
                for partner in FEED_PARTNERS
                for r in json.loads((self.feeds_dir / f"{partner}-{n}.json").read_text())
            }
            for n in (0, 1)
        ]
        return editions[0] & editions[1]

    def open_store(self) -> EmbeddedStore:
        return EmbeddedStore(self.store_dir / "store", BASE)


def feed_records(n: int, seed: int, hostile: bool) -> list[dict[str, Any]]:
    """``n`` records in the national schema; with ``hostile``, one in ten carries XSS probes."""
    records, _ = feeds.generate(n, seed=seed)
    if hostile:
        rng = random.Random(seed)
        for number, record in enumerate(records[::10]):
            probe = XSS_PROBES[number % len(XSS_PROBES)].format(n=number)
            record["nom"] = f"Lieu {number} {probe}"
            record["adresse"] = f"{number} rue {probe}"
            record["services"] = f"Aide aux démarches administratives|{probe}"
            record["publics_accueillis"] = f"Adultes;{probe}"
            record["site_web"] = rng.choice((f"javascript:alert('xss-{number}')", f"https://x.example.org/?q={probe}"))
    return records


def edition(records: list[dict[str, Any]], number: int) -> list[dict[str, Any]]:
    """Edition 1 drops one record in fifty and renames one in fifty: removals and updates for the next harvest."""
    if number == 0:
        return records
    changed = []
    for position, record in enumerate(records):
        if position % 50 == 7:
            continue
        if position % 50 == 21:
            record = {**record, "nom": record["nom"] + " (nouveau nom)"}
        changed.append(record)
    return changed


def write_partner(hub: SuiteHub, partner: str) -> None:
    """A copy of the Hub du Sud configuration reading this suite's feed file."""
    text = TEMPLATE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    source = data["feed"]["source"]
    text = text.replace(f'id = "{data["id"]}"', f'id = "{partner}"', 1)
    text = text.replace(f'name = "{data["name"]}"', f'name = "Flux synthétique {partner}"', 1)
    text = text.replace(f'source = "{source}"', f'source = "{hub.feeds_dir.resolve() / (partner + ".json")}"', 1)
    (hub.partners_dir / f"{partner}.toml").write_text(text, encoding="utf-8")


def build_hub(folder: Path, n: int, feed_records_per_partner: int, log: Any = print) -> SuiteHub:
    """The suite's hub in ``folder`` (built once for given sizes, reused after)."""
    hub = SuiteHub(folder, n, feed_records_per_partner)
    marker = folder / "suite.json"
    wanted = {"n": n, "feed_records": feed_records_per_partner, "base": BASE, "folder": str(folder.resolve())}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        hub.use_edition(0)
        return hub
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    for sub in (hub.partners_dir, hub.feeds_dir):
        sub.mkdir(parents=True)
    clock = time.perf_counter()
    for seed, partner in enumerate(FEED_PARTNERS):
        records = feed_records(feed_records_per_partner, seed=100 + seed, hostile=partner == "feed-b")
        for number in (0, 1):
            path = hub.feeds_dir / f"{partner}-{number}.json"
            path.write_text(json.dumps(edition(records, number), ensure_ascii=False), encoding="utf-8")
        write_partner(hub, partner)
    hub.use_edition(0)
    store = hub.open_store()
    try:
        hubterms = Hub(BASE)
        initialise(store, hubterms, Validator(hubterms))
        publish_synthetic(store, hubterms, n, partners=20)
    finally:
        store.close()
    hub.harvest()
    marker.write_text(json.dumps(wanted))
    log(
        f"built the hub: {n} synthetic initiatives + {len(FEED_PARTNERS)} harvested feeds of "
        f"{feed_records_per_partner} records in {time.perf_counter() - clock:.0f} s -> {folder}"
    )
    return hub
