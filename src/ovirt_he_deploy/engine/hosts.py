"""Hosts and their Hosted Engine state as the engine reports them; waiting for a state; events."""

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

# Statuses from which the engine accepts install (VDS_CANNOT_INSTALL_STATUS_ILLEGAL otherwise).
REINSTALLABLE = ("maintenance", "install_failed", "non_operational")
FAILED = ("install_failed", "non_operational", "error")
PROBLEM_SEVERITIES = ("warning", "error", "alert")


class HostFailed(RuntimeError):
    """One host did not reach the wanted state; carries its engine id when known."""

    def __init__(self, name: str, message: str, host_id: Optional[str] = None):
        super().__init__("{}: {}".format(name, message))
        self.name = name
        self.host_id = host_id


class Interrupted(RuntimeError):
    """The command is being stopped (Ctrl-C); workers give up at their next poll."""


def enum_text(value: Any) -> str:
    """An SDK enum as the API spells it ('up', 'install_failed'), 'unknown' when absent."""
    if value is None:
        return "unknown"
    return str(getattr(value, "value", value))


@dataclass(frozen=True)
class HeInfo:
    """The engine's view of the HA agent on a host (types.HostedEngine)."""

    configured: bool
    active: bool
    score: int
    local_maintenance: bool
    global_maintenance: bool

    @classmethod
    def from_sdk(cls, he: Any) -> Optional["HeInfo"]:
        if he is None:
            return None
        return cls(bool(he.configured), bool(he.active), int(he.score or 0),
                   bool(he.local_maintenance), bool(he.global_maintenance))


@dataclass(frozen=True)
class HostState:
    """Name, id, status and Hosted Engine fields of one host at one moment."""

    name: str
    id: str
    status: str
    he: Optional[HeInfo]

    @classmethod
    def from_sdk(cls, host: Any) -> "HostState":
        return cls(str(host.name), str(host.id), enum_text(host.status),
                   HeInfo.from_sdk(host.hosted_engine))

    @property
    def he_configured(self) -> bool:
        return self.he is not None and self.he.configured

    @property
    def he_ready(self) -> bool:
        """The engine's own test for a usable HE host (HostedEngineHelper), after status up."""
        he = self.he
        return (self.status == "up" and he is not None and he.configured and he.active
                and not he.local_maintenance and he.score > 0)

    def describe(self) -> str:
        he = self.he
        if he is None or not he.configured:
            return "{}, no Hosted Engine".format(self.status)
        flags = ["active" if he.active else "agent not active", "score {}".format(he.score)]
        if he.local_maintenance:
            flags.append("local maintenance")
        if he.global_maintenance:
            flags.append("global maintenance")
        return "{}, Hosted Engine configured, {}".format(self.status, ", ".join(flags))

    def as_dict(self) -> Dict[str, Any]:
        he = self.he
        return {"name": self.name, "id": self.id, "status": self.status,
                "hosted_engine": None if he is None else {
                    "configured": he.configured, "active": he.active, "score": he.score,
                    "local_maintenance": he.local_maintenance,
                    "global_maintenance": he.global_maintenance}}


def list_states(connection: Any) -> List[HostState]:
    """Every host, sorted by name; all_content is what makes the engine send hosted_engine."""
    hosts = connection.system_service().hosts_service().list(all_content=True)
    return sorted((HostState.from_sdk(host) for host in hosts), key=lambda state: state.name)


def get_state(connection: Any, host_id: str) -> HostState:
    host = connection.system_service().hosts_service().host_service(host_id).get(
        all_content=True)
    return HostState.from_sdk(host)


def find_host(connection: Any, name: str) -> Optional[Any]:
    """The host with exactly this name (the engine's search matches patterns, so re-check)."""
    hosts = connection.system_service().hosts_service().list(search="name={}".format(name))
    for host in hosts:
        if host.name == name:
            return host
    return None


def format_table(states: List[HostState]) -> str:
    header = ("HOST", "STATUS", "HE", "ACTIVE", "SCORE", "LOCAL-MAINT", "GLOBAL-MAINT")
    rows = [header]
    for state in states:
        he = state.he
        if he is None or not he.configured:
            rows.append((state.name, state.status, "no", "-", "-", "-", "-"))
        else:
            rows.append((state.name, state.status, "yes", _yes(he.active), str(he.score),
                         _yes(he.local_maintenance), _yes(he.global_maintenance)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                   + "\n" for row in rows)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class Waiter:
    """Polls one host until a condition holds, failing on error statuses, timeout or stop."""

    def __init__(self, connection: Any, name: str, timeout: float, poll_interval: float,
                 stop: threading.Event, progress: Callable[[str], None]):
        self.connection = connection
        self.name = name
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.stop = stop
        self.progress = progress
        self._last_line = ""

    def until(self, host_id: str, done: Callable[[HostState], bool], what: str,
              stale_status: Optional[str] = None) -> HostState:
        """Poll until done(state). A failed status equal to stale_status (the status before the
        action, which the engine may still report for a moment) only counts once the host has
        been seen in another status."""
        moved = False
        while True:
            if self.stop.is_set():
                raise Interrupted(self.name)
            state = get_state(self.connection, host_id)
            line = state.describe()
            if line != self._last_line:
                self.progress("{}: {}".format(self.name, line))
                self._last_line = line
            if done(state):
                return state
            moved = moved or state.status != stale_status
            if state.status in FAILED and moved:
                raise HostFailed(self.name, "the engine reports status {} while waiting for "
                                 "the host to be {}".format(state.status, what), host_id)
            if time.monotonic() >= self.deadline:
                raise HostFailed(self.name, "timed out after {:g} s waiting for the host to be "
                                 "{} (last seen: {})".format(self.timeout, what, line), host_id)
            if self.stop.wait(self.poll_interval):
                raise Interrupted(self.name)


def last_event_index(connection: Any) -> int:
    """The index of the newest event, so later failures show only what happened since."""
    events = connection.system_service().events_service().list(max=1)
    return max((_event_index(event) for event in events), default=0)


def _event_index(event: Any) -> int:
    if event.index is not None:
        return int(event.index)
    return int(event.id) if str(event.id or "").isdigit() else 0


def host_problems(connection: Any, host_id: str, since: int) -> List[str]:
    """The host's WARNING/ERROR events after index since, oldest first, one line each."""
    events = connection.system_service().events_service().list(from_=since)
    lines = []
    for event in sorted(events, key=_event_index):
        severity = enum_text(event.severity)
        host = event.host
        if (_event_index(event) <= since or host is None or host.id != host_id
                or severity not in PROBLEM_SEVERITIES):
            continue
        when = event.time.isoformat(timespec="seconds") if event.time is not None else "-"
        lines.append("{} {} {}".format(severity.upper(), when, event.description or ""))
    return lines
