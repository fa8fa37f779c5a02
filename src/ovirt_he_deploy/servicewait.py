"""Wait for the HA services to be running after their restart, the way systemd brings them up.

ovirt-ha-agent.service has Restart=always and RestartSec=10s, and the agent exits while the
broker's socket is not there yet (the broker sleeps about 2 s before it creates it) or the
storage is not connected yet: a healthy start can report "not running" for 10 s or more. So
the check is a deadline, not a watch: done as soon as every service runs at one check, failed
only if one still does not run when the deadline has passed.
"""

import time
from typing import Callable, Dict, Optional, Sequence

from .records import Record

MAX_INTERVAL = 2.0
MIN_INTERVAL = 0.1
PROGRESS_EVERY = 30.0


class ServiceState(Record):
    """What the checks saw of one service."""

    name: str
    checks: int
    running_checks: int
    running_at_end: bool
    __slots__ = tuple(__annotations__)

    def __init__(self, name: str, checks: int, running_checks: int,
                 running_at_end: bool) -> None:
        self._init(name, checks, running_checks, running_at_end)

    def problem(self, seconds: float) -> str:
        """Why the service counts as failed, for the admin."""
        if self.running_checks:
            return ("is not running {:.0f} s after its restart: it was running at {} of {} "
                    "checks but not at the last one (it keeps exiting)".format(
                        seconds, self.running_checks, self.checks))
        return "is not running {:.0f} s after its restart: not running at any of {} checks".format(
            seconds, self.checks)


class WaitResult(Record):
    """How long the wait took and what it saw of each service, in the order given."""

    seconds: float
    states: "Dict[str, ServiceState]"
    __slots__ = tuple(__annotations__)

    def __init__(self, seconds: float, states: "Dict[str, ServiceState]") -> None:
        self._init(seconds, states)

    @property
    def failed(self) -> "Optional[ServiceState]":
        """The first service (in the order given) that was not running at the end."""
        for state in self.states.values():
            if not state.running_at_end:
                return state
        return None


def interval_for(seconds: float) -> float:
    """Check often enough to see a short deadline through, at most every 2 s."""
    return min(MAX_INTERVAL, max(MIN_INTERVAL, seconds / 20.0))


def wait_running(
    services: "Sequence[str]",
    is_running: "Callable[[str], bool]",
    seconds: float,
    progress: "Callable[[str], None]" = lambda text: None,
    clock: "Callable[[], float]" = time.monotonic,
    sleep: "Callable[[float], None]" = time.sleep,
) -> WaitResult:
    """Check the services until all run at once or `seconds` have passed (0: check once)."""
    seconds = max(0.0, float(seconds))
    interval = interval_for(seconds)
    start = clock()
    next_progress = start + PROGRESS_EVERY
    checks = {name: 0 for name in services}
    running = {name: 0 for name in services}
    last: Dict[str, bool] = {}
    while True:
        for name in services:
            last[name] = bool(is_running(name))
            checks[name] += 1
            running[name] += last[name]
        now = clock()
        if all(last.values()) or now - start >= seconds:
            break
        if now >= next_progress:
            waiting = [name for name in services if not last[name]]
            progress("waiting for {} to be running ({:.0f} s of {:.0f} s)".format(
                ", ".join(waiting), now - start, seconds))
            next_progress = now + PROGRESS_EVERY
        sleep(interval)
    return WaitResult(
        seconds=seconds,
        states={name: ServiceState(name, checks[name], running[name], last[name])
                for name in services},
    )
