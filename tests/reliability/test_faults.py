"""Faults under load: the harvester and a web worker killed with SIGKILL, a full disk, misbehaving partners."""

from __future__ import annotations

import os

import pytest

from bench.reliability.background import BackgroundLoad
from bench.reliability.faults import (
    bad_partners_harvest,
    disk_full_during_dumps,
    kill_harvest_trials,
    kill_worker_under_load,
)
from bench.reliability.hub import SuiteHub
from bench.reliability.server import Served
from bench.reliability.wrk import Request


def test_a_killed_harvest_loses_nothing_and_the_next_one_succeeds(
    suite_hub: SuiteHub, served: Served, mix: list[Request], wrk_installed: None
) -> None:
    with BackgroundLoad(served.url, mix, connections=8) as load:
        trials = kill_harvest_trials(suite_hub, served, trials=2, seed=3, log=print)
    for trial in trials:
        assert trial.ok, trial
    assert load.requests > 0 and load.failed == 0, [r.statuses for r in load.results]


def test_a_killed_worker_is_replaced_and_the_others_go_on(
    served: Served, mix: list[Request], wrk_installed: None
) -> None:
    kill = kill_worker_under_load(served, mix, connections=32, seconds=8)
    print(f"\nworker kill: {kill}")
    assert kill.replaced_after is not None
    assert kill.failed <= kill.victim_connections, kill
    assert kill.requests > kill.failed * 20
    assert kill.orphans == 0 and kill.answering_after


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_during_the_dumps_keeps_the_old_version_and_its_dumps() -> None:
    disk = disk_full_during_dumps(300, 100, size_mb=80, log=print)
    assert not disk.skipped, disk.skipped
    assert disk.harvest_failed_clearly, disk.message
    assert disk.version_kept and disk.dumps_identical and disk.next_harvest_ok, disk


def test_partners_that_hang_reset_or_serve_garbage_fail_alone(suite_hub: SuiteHub) -> None:
    bad = bad_partners_harvest(suite_hub)
    assert bad.exit_code == 2
    assert bad.good_published and bad.bad_data_unchanged
    assert set(bad.failures) == {"bad-hang", "bad-reset", "bad-garbage"}, bad.failures
    assert "no answer within 3 s" in bad.failures["bad-hang"]
    assert "reset" in bad.failures["bad-reset"].lower()
