"""Polling one host until a condition holds: passing states, lasting failures, stuck moves."""

import threading
import time
from typing import Any, Callable, NamedTuple, Optional

from . import events
from .hosts import FAILED, HostFailed, HostState, Interrupted, get_state

# The engine gives the host-deploy playbook this long (ovirt-engine.conf.in
# ANSIBLE_PLAYBOOK_EXEC_DEFAULT_TIMEOUT=120, minutes).
ENGINE_INSTALL_MINUTES = 120
# ovirt_host re-checks a non_responsive host 4 times 20 s apart before it fails
# (failed_state_after_reinstall, count 0..3).
UNRESPONSIVE_GRACE = 80.0
STILL_INSTALLING = (
    "the engine still reports it installing after {timeout:g} s; the install has not failed: "
    "the engine gives the host-deploy playbook up to {minutes} minutes, and it goes on "
    "without this command. Do not reinstall it now: rerun this command later (it waits for "
    "the running install), or give a longer --timeout")


class WaitOptions(NamedTuple):
    timeout: float
    poll_interval: float
    unresponsive_grace: float = UNRESPONSIVE_GRACE


class Waiter:
    """Polls one host until a condition holds, failing on error statuses, on non_responsive
    lasting longer than the grace, on a stuck move to maintenance, at timeout or at stop."""

    def __init__(self, connection: Any, name: str, options: WaitOptions,
                 stop: threading.Event, progress: Callable[[str], None]):
        self.connection = connection
        self.name = name
        self.options = options
        self.deadline = time.monotonic() + options.timeout
        self.stop = stop
        self.progress = progress
        self._last_line = ""

    def say(self, text: str) -> None:
        self.progress("{}: {}".format(self.name, text))

    def pause(self) -> None:
        if self.stop.wait(self.options.poll_interval):
            raise Interrupted(self.name)

    def check_time(self, what: str, last: str, host_id: Optional[str]) -> None:
        if self.stop.is_set():
            raise Interrupted(self.name)
        if time.monotonic() < self.deadline:
            return
        if last.startswith("installing"):
            raise HostFailed(self.name, STILL_INSTALLING.format(
                timeout=self.options.timeout, minutes=ENGINE_INSTALL_MINUTES), host_id)
        raise HostFailed(self.name, "timed out after {:g} s waiting for the host to be {} "
                         "(last seen: {})".format(self.options.timeout, what, last), host_id)

    def show(self, state: HostState) -> None:
        line = state.describe()
        if line != self._last_line:
            self.say(line)
            self._last_line = line

    def until(self, host_id: str, done: Callable[[HostState], bool], what: str,
              stale_status: Optional[str] = None, maintenance_since: Optional[int] = None,
              confirm_since: Optional[int] = None) -> HostState:
        """Poll until done(state).

        stale_status: the status before an action, which the engine may still report for a
        moment; a failed status equal to it counts only once the host was seen in another.
        maintenance_since: watch events after this index for a stuck move to maintenance.
        confirm_since: done only counts once the host was seen in another status than
        stale_status, or the engine logged the end of an install after this index.
        """
        moved = False
        unresponsive_since: Optional[float] = None
        while True:
            self.check_time(what, self._last_line, host_id)
            state = get_state(self.connection, host_id)
            self.show(state)
            moved = moved or state.status != stale_status
            if done(state) and (confirm_since is None or moved or events.install_finished(
                    self.connection, host_id, self.name, confirm_since)):
                return state
            if state.status in FAILED and moved:
                raise HostFailed(self.name, "the engine reports status {} while waiting for "
                                 "the host to be {}".format(state.status, what), host_id)
            if state.status == "non_responsive":
                now = time.monotonic()
                unresponsive_since = now if unresponsive_since is None else unresponsive_since
                if now - unresponsive_since > self.options.unresponsive_grace:
                    raise HostFailed(self.name, "the engine has reported it non_responsive for "
                                     "more than {:g} s (it cannot reach vdsm on the host); "
                                     "check that the host is running and reachable from the "
                                     "engine, then rerun".format(
                                         self.options.unresponsive_grace), host_id)
            else:
                unresponsive_since = None
            if maintenance_since is not None:
                maintenance_since = self._check_maintenance(host_id, maintenance_since)
            self.pause()

    def _check_maintenance(self, host_id: str, index: int) -> int:
        """Fail on a stuck move to maintenance logged after index; else the index to go on
        from (each poll looks only at new events)."""
        stuck, newest = events.maintenance_failure(self.connection, host_id, self.name, index)
        if stuck is None:
            return newest
        raise HostFailed(self.name, "its move to maintenance is stuck: the engine logged {} "
                         "({}): {}. The host stays preparing_for_maintenance while VMs still "
                         "run on it: migrate or shut them down by hand (or activate the host "
                         "to cancel maintenance), then rerun".format(
                             events.MAINTENANCE_FAILURES[stuck.code or 0], stuck.code,
                             stuck.description), host_id)
