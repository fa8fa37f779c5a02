"""servicewait: a deadline for the HA services to be running, driven by a fake clock."""

import pytest

from ovirt_he_deploy import servicewait


class FakeTime:
    """A clock that moves only when the code sleeps, and a scripted status per service."""

    def __init__(self, script):
        self.now = 0.0
        self.script = {name: list(states) for name, states in script.items()}
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def is_running(self, name):
        states = self.script[name]
        return states.pop(0) if len(states) > 1 else states[0]


SERVICES = ("ovirt-ha-broker", "ovirt-ha-agent")


def wait(fake, seconds, progress=None):
    return servicewait.wait_running(SERVICES, fake.is_running, seconds,
                                    progress=progress or (lambda text: None),
                                    clock=fake.clock, sleep=fake.sleep)


def test_all_running_at_the_first_check_is_done_at_once():
    fake = FakeTime({"ovirt-ha-broker": [True], "ovirt-ha-agent": [True]})
    result = wait(fake, 180)
    assert result.failed is None and fake.sleeps == []


def test_an_agent_that_systemd_restarts_once_is_waited_for():
    # ovirt-ha-agent exits while the broker's socket is not up; systemd restarts it 10 s
    # later (RestartSec=10s): "not running" for a while, then running.
    fake = FakeTime({"ovirt-ha-broker": [True], "ovirt-ha-agent": [False] * 6 + [True]})
    result = wait(fake, 180)
    assert result.failed is None
    assert result.states["ovirt-ha-agent"] == servicewait.ServiceState(
        "ovirt-ha-agent", 7, 1, True)
    assert fake.now == pytest.approx(6 * 2.0)


def test_a_service_that_never_runs_fails_at_the_deadline_naming_what_was_seen():
    fake = FakeTime({"ovirt-ha-broker": [True], "ovirt-ha-agent": [False]})
    result = wait(fake, 60)
    failed = result.failed
    assert failed.name == "ovirt-ha-agent" and not failed.running_at_end
    assert fake.now == pytest.approx(60.0)
    assert failed.problem(result.seconds) == (
        "is not running 60 s after its restart: not running at any of {} checks".format(
            failed.checks))


def test_a_service_that_keeps_exiting_says_so():
    # Never both running at one check: the agent keeps dying and coming back.
    fake = FakeTime({"ovirt-ha-broker": [False, True] * 50,
                     "ovirt-ha-agent": [True, False] * 50})
    result = wait(fake, 10)
    assert result.failed.problem(result.seconds) == (
        "is not running 10 s after its restart: it was running at 10 of 21 checks but not at "
        "the last one (it keeps exiting)")
    assert "it keeps exiting" in result.failed.problem(result.seconds)


def test_zero_seconds_checks_once():
    fake = FakeTime({"ovirt-ha-broker": [False], "ovirt-ha-agent": [True]})
    result = wait(fake, 0)
    assert result.failed.name == "ovirt-ha-broker" and fake.sleeps == []


def test_long_waits_report_progress_every_30_seconds():
    fake = FakeTime({"ovirt-ha-broker": [True], "ovirt-ha-agent": [False] * 40 + [True]})
    lines = []
    result = wait(fake, 180, progress=lines.append)
    assert result.failed is None
    assert lines and all(line.startswith("waiting for ovirt-ha-agent to be running")
                         for line in lines)
    assert len(lines) == 2


@pytest.mark.parametrize("seconds, interval", [(0, 0.1), (1, 0.1), (10, 0.5), (180, 2.0)])
def test_the_check_interval_fits_the_deadline(seconds, interval):
    assert servicewait.interval_for(seconds) == interval
