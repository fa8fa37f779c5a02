"""SIGKILL at every point between preparing and committing the conf, and two runs at once.

Each run is a subprocess of the double stopped at a he-test-fakes pause hook
(HE_FAKES_PAUSE + HE_FAKES_PAUSE_FILE), then killed with SIGKILL or resumed."""

import os
import signal
import time

import pytest
from he_host import expected_conf

from .support import (
    OLD_CONF,
    assert_no_secret_in_dir,
    assert_no_secret_in_text,
    example,
    start_paused,
    temp_files,
)

ISCSI = example("iscsi-chap.conf")

# point, what the conf must hold after the kill, whether temp files exist at the point
POINTS = [
    ("STAGE_PACKAGES:PRIORITY_LAST", "old", False),
    ("STAGE_MISC:PRIORITY_DEFAULT", "old", False),  # the group stages its files last in MISC
    ("STAGE_TRANSACTION_END:PRIORITY_HIGH", "old", True),
    ("STAGE_TRANSACTION_END:PRIORITY_LOW", "new", False),
    ("STAGE_CLOSEUP:PRIORITY_HIGH", "new", False),
    ("STAGE_CLOSEUP:PRIORITY_LOW", "new", False),
]


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return out, err


def assert_no_secret_left(host, *texts):
    assert_no_secret_in_text(*texts)
    assert_no_secret_in_dir(host.logdir)


@pytest.mark.parametrize("point,holds,temps", POINTS, ids=[p[0].lower() for p in POINTS])
def test_sigkill_leaves_old_or_new_conf_and_a_rerun_converges(deployed, point, holds, temps):
    host = deployed
    new = expected_conf(ISCSI)
    proc, _pause, pid = start_paused(host, ISCSI, point)
    assert pid == proc.pid
    staged = temp_files(host)
    assert bool(staged) == temps, staged
    for name in staged:  # staged copies hold the password: never readable by others
        assert os.stat(os.path.join(host.root, name)).st_mode & 0o037 == 0, name
    out, err = kill(proc)
    assert host.read(host.conf) == (OLD_CONF if holds == "old" else new)
    assert_no_secret_left(host, out, err)

    rerun = host.run(ISCSI)
    assert rerun.exit_code == 0, rerun.stdout[-3000:]
    assert host.read(host.conf) == new
    assert host.read(host.conf + ".previous") == OLD_CONF
    assert temp_files(host) == [], "the rerun removes what the killed run staged"
    if host.ha_values()["local_maintenance"] == "True":
        # Killed after the packages stage set it: the rerun keeps it (set before it);
        # clearLocalMaintenance clears it.
        assert "was in local maintenance before this run" in rerun.stdout
        assert host.run(ISCSI, "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True").exit_code == 0
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}
    assert_no_secret_left(host, rerun.stdout)


def test_stale_temps_are_removed_by_a_remove_too(deployed):
    host = deployed
    proc, _pause, _pid = start_paused(host, ISCSI, "STAGE_TRANSACTION_END:PRIORITY_HIGH")
    kill(proc)
    assert temp_files(host)
    result = host.run(None, "HOSTED_ENGINE/action=str:remove")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.read(host.conf) is None
    # The kept copy is the old conf with the CHAP password blanked.
    assert host.read(host.conf + ".undeployed") == OLD_CONF.replace(b"password=Old-Pw.1",
                                                                    b"password=")
    assert temp_files(host) == []


def test_second_run_fails_fast_naming_the_holder(deployed):
    host = deployed
    proc, pause, pid = start_paused(host, ISCSI, "STAGE_TRANSACTION_END:PRIORITY_HIGH")
    try:
        started = time.monotonic()
        second = host.run(ISCSI)
        took = time.monotonic() - started
        assert second.exit_code == 1
        assert "another Hosted Engine deploy is running on this host (pid {}".format(pid) \
            in second.stdout
        assert host.lock in second.stdout
        assert took < 10
        assert not [call for call in second.calls
                    if call.startswith(("packages", "misc", "closeup"))]
        assert host.read(host.conf) == OLD_CONF
    finally:
        os.unlink(pause)  # resume the first run
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out[-3000:]
    assert host.read(host.conf) == expected_conf(ISCSI)
    assert_no_secret_left(host, second.stdout, out, err)


def test_the_lock_does_not_outlive_a_killed_run(deployed):
    host = deployed
    proc, _pause, _pid = start_paused(host, ISCSI, "STAGE_VALIDATION:PRIORITY_LOW")
    kill(proc)
    assert os.path.exists(host.lock)
    second = host.run(ISCSI)
    assert second.exit_code == 0, second.stdout[-3000:]
    assert host.read(host.conf) == expected_conf(ISCSI)
