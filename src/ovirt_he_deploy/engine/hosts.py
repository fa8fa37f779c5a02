"""Hosts and their Hosted Engine state as the engine reports them."""

from typing import Any, Dict, List, NamedTuple, Optional

# Statuses from which the engine accepts install (UpdateHostValidator;
# VDS_CANNOT_INSTALL_STATUS_ILLEGAL otherwise).
REINSTALLABLE = ("maintenance", "install_failed", "non_operational")
# Statuses that end a wait as a failure (ovirt_host's failed_state_after_reinstall).
FAILED = ("install_failed", "non_operational", "error")
# Statuses the engine moves a host through on its own; they are waited for, not refused
# (ovirt_host's control_state waits out the same ones). non_responsive only for a grace time.
PASSING = ("connecting", "initializing", "installing", "installing_os", "reboot",
           "preparing_for_maintenance", "non_responsive", "unassigned")


class HostFailed(RuntimeError):
    """One host did not reach the wanted state; carries its engine id when known."""

    def __init__(self, name: str, message: str, host_id: Optional[str] = None):
        super().__init__("{}: {}".format(name, message))
        self.name = name
        self.message = message
        self.host_id = host_id


class Interrupted(RuntimeError):
    """The command is being stopped (Ctrl-C); workers give up at their next poll."""


def enum_text(value: Any) -> str:
    """An SDK enum as the API spells it ('up', 'install_failed'), 'unknown' when absent."""
    if value is None:
        return "unknown"
    return str(getattr(value, "value", value))


def link_id(link: Any) -> Optional[str]:
    """The id of a linked entity (host.cluster, vm.host), None when absent."""
    if link is None or link.id is None:
        return None
    return str(link.id)


class HeInfo(NamedTuple):
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


class HostState(NamedTuple):
    """Name, id, status, cluster and Hosted Engine fields of one host at one moment."""

    name: str
    id: str
    status: str
    he: Optional[HeInfo]
    cluster_id: Optional[str] = None

    @classmethod
    def from_sdk(cls, host: Any) -> "HostState":
        return cls(str(host.name), str(host.id), enum_text(host.status),
                   HeInfo.from_sdk(host.hosted_engine), link_id(host.cluster))

    @property
    def he_configured(self) -> bool:
        return self.he is not None and self.he.configured

    @property
    def he_ready(self) -> bool:
        """The engine's own test for a usable HE host (HostedEngineHelper
        .haveHostsAvailableForHE: configured, active, not in local maintenance, score > 0),
        on a host that is up."""
        he = self.he
        return (self.status == "up" and he is not None and he.configured and he.active
                and not he.local_maintenance and he.score > 0)

    @property
    def passing(self) -> bool:
        return self.status in PASSING

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


# The HA whiteboard has 2000 slots (host ids 1..2000); ids are handed out lowest-free first
# per data center (AddVdsSpmIdCommand), so a scan from 1 finds a host's id quickly.
MAX_HOST_ID = 2000


def find_spm_id(connection: Any, host_id: str, host_count: int) -> Optional[int]:
    """The host's vds_spm_id (its Hosted Engine host_id). The API does not show it on the
    host, but the host search has a field for it (spm_id, engine 4.2+:
    VdsConditionFieldAutoCompleter.SPM_ID) that compares only with '='. Every host holds
    exactly one id, so once host_count hosts were seen the scan is over."""
    hosts_service = connection.system_service().hosts_service()
    seen = 0
    for candidate in range(1, MAX_HOST_ID + 1):
        found = hosts_service.list(search="spm_id={}".format(candidate))
        if any(str(host.id) == host_id for host in found):
            return candidate
        seen += len(found)
        if seen >= host_count:
            return None
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
