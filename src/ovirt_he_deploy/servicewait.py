"""Wait for the HA services to be running after their restart, the way systemd brings them up.

ovirt-ha-agent.service has Restart=always and RestartSec=10s, and the agent exits while the
broker's socket is not there yet (the broker sleeps about 2 s before it creates it) or the
storage is not connected yet: a healthy start can report "not running" for 10 s or more. So
the check is a deadline, not a watch: done as soon as every service runs at one check, failed
only if one still does not run when the deadline has passed.
"""

import time

from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import Callable, Dict, Optional, Sequence

MAX_INTERVAL = 2.0
MIN_INTERVAL = 0.1
PROGRESS_EVERY = 30.0


class ServiceState(Record):
    """What the checks saw of one service."""

    __slots__ = ("name", "checks", "running_checks", "running_at_end")

    def __init__(self, name, checks, running_checks, running_at_end):
        # type: (str, int, int, bool) -> None
        self.name = name
        self.checks = checks
        self.running_checks = running_checks
        self.running_at_end = running_at_end

    def problem(self, seconds):
        # type: (float) -> str
        """Why the service counts as failed, for the admin."""
        if self.running_checks:
            return ("is not running {:.0f} s after its restart: it was running at {} of {} "
                    "checks but not at the last one (it keeps exiting)".format(
                        seconds, self.running_checks, self.checks))
        return "is not running {:.0f} s after its restart: not running at any of {} checks".format(
            seconds, self.checks)


class WaitResult(Record):
    """How long the wait took and what it saw of each service, in the order given."""

    __slots__ = ("seconds", "states")

    def __init__(self, seconds, states):
        # type: (float, Dict[str, ServiceState]) -> None
        self.seconds = seconds
        self.states = states

    @property
    def failed(self):
        # type: () -> Optional[ServiceState]
        """The first service (in the order given) that was not running at the end."""
        for state in self.states.values():
            if not state.running_at_end:
                return state
        return None


def interval_for(seconds):
    # type: (float) -> float
    """Check often enough to see a short deadline through, at most every 2 s."""
    return min(MAX_INTERVAL, max(MIN_INTERVAL, seconds / 20.0))


def wait_running(
    services,  # type: Sequence[str]
    is_running,  # type: Callable[[str], bool]
    seconds,  # type: float
    progress=lambda text: None,  # type: Callable[[str], None]
    clock=time.monotonic,  # type: Callable[[], float]
    sleep=time.sleep,  # type: Callable[[float], None]
):
    # type: (...) -> WaitResult
    """Check the services until all run at once or `seconds` have passed (0: check once)."""
    seconds = max(0.0, float(seconds))
    interval = interval_for(seconds)
    start = clock()
    next_progress = start + PROGRESS_EVERY
    checks = {name: 0 for name in services}
    running = {name: 0 for name in services}
    last = {}  # type: Dict[str, bool]
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
