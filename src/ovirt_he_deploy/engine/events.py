"""The engine's audit events: where a command starts, what went wrong on a host since then."""

import re
from typing import Any, List, NamedTuple, Optional, Tuple

from .hosts import enum_text

PROBLEM_SEVERITIES = ("warning", "error", "alert")
# Event codes (AuditLogType) that mean a move to maintenance is stuck; ovirt_host watches
# 17, 65, 140 and 166. Also 602 and 1111, the other two "not all VMs migrated" codes.
MAINTENANCE_FAILURES = {
    17: "VDS_MAINTENANCE_FAILED",
    65: "VM_MIGRATION_FAILED",
    140: "VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE",
    166: "VM_MIGRATION_NO_VDS_TO_MIGRATE_TO",
    602: "USER_VDS_MAINTENANCE_MIGRATION_FAILED",
    1111: "VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE_NO_DESTINATION_VDS",
}
# Logged when a move to maintenance is accepted (MaintenanceVdsCommand.getAuditLogTypeValue).
MAINTENANCE_STARTED = (15, 600, 620)
# How far back to look for the start of a move to maintenance begun before this command.
RECENT_EVENTS = 200


class Event(NamedTuple):
    number: int
    code: Optional[int]
    severity: str
    description: str
    host_id: Optional[str]
    time: str

    @classmethod
    def from_sdk(cls, event: Any) -> "Event":
        host = event.host
        when = event.time.isoformat(timespec="seconds") if event.time is not None else "-"
        return cls(_index(event), None if event.code is None else int(event.code),
                   enum_text(event.severity), event.description or "",
                   None if host is None or host.id is None else str(host.id), when)

    def about(self, host_id: str, name: str) -> bool:
        """The event's host is this one, or (migration events name the source host in the
        text, as ovirt_host matches them) its description names it."""
        if self.host_id is not None:
            return self.host_id == host_id
        return re.search(r"\b{}\b".format(re.escape(name)), self.description) is not None

    def line(self) -> str:
        return "{} {} {}".format(self.severity.upper(), self.time, self.description)


def _index(event: Any) -> int:
    if event.index is not None:
        return int(event.index)
    return int(event.id) if str(event.id or "").isdigit() else 0


def last_index(connection: Any) -> int:
    """The index of the newest event, so later failures show only what happened since."""
    events = connection.system_service().events_service().list(max=1)
    return max((_index(event) for event in events), default=0)


def since(connection: Any, index: int) -> List[Event]:
    """Events after index, oldest first."""
    events = connection.system_service().events_service().list(from_=index)
    return sorted((Event.from_sdk(event) for event in events if _index(event) > index),
                  key=lambda event: event.number)


def host_problems(connection: Any, host_id: str, name: str, index: int) -> List[str]:
    """The host's WARNING/ERROR events after index, oldest first, one line each."""
    return [event.line() for event in since(connection, index)
            if event.about(host_id, name) and event.severity in PROBLEM_SEVERITIES]


def maintenance_failure(connection: Any, host_id: str, name: str,
                        index: int) -> Tuple[Optional[Event], int]:
    """The first event after index that says the host's move to maintenance is stuck, and the
    newest index looked at (where the next check can start)."""
    newest = index
    for event in since(connection, index):
        if event.code in MAINTENANCE_FAILURES and event.about(host_id, name):
            return event, event.number
        newest = max(newest, event.number)
    return None, newest


def maintenance_started(connection: Any, host_id: str, name: str, default: int) -> int:
    """For a host found preparing for maintenance: the index just before its move was
    accepted, so migration failures from before this command still count."""
    events = connection.system_service().events_service().list(max=RECENT_EVENTS)
    starts = [Event.from_sdk(event) for event in events]
    starts = [event for event in starts
              if event.code in MAINTENANCE_STARTED and event.about(host_id, name)]
    if not starts:
        return default
    return min(default, max(event.number for event in starts) - 1)


def install_finished(connection: Any, host_id: str, name: str, index: int) -> bool:
    """True once the engine logged the end of an install started after index (VDS_INSTALL
    504 or VDS_INSTALL_FAILED 505)."""
    return any(event.code in (504, 505) and event.about(host_id, name)
               for event in since(connection, index))
