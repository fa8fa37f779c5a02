"""What deploy, remove and none do on a host, as one pure description both plugins and CLI use."""

from typing import Mapping, NamedTuple, Optional, Tuple

from . import envkeys, keyvalue, render
from .unit import ValidUnit

HE_PACKAGES: Tuple[str, ...] = ("ovirt-hosted-engine-setup",)
AGENT = "ovirt-ha-agent"
BROKER = "ovirt-ha-broker"
# Stop the agent before the broker it talks to; start the broker first, it reads the conf
# only when it starts.
STOP_ORDER: Tuple[str, ...] = (AGENT, BROKER)
START_ORDER: Tuple[str, ...] = (BROKER, AGENT)

CONF_MODE = 0o440
HA_CONF_MODE = 0o644
PREVIOUS_SUFFIX = ".previous"
UNDEPLOYED_SUFFIX = ".undeployed"

LOCAL_MAINTENANCE = "local_maintenance"
LOCAL_MAINTENANCE_MANUAL = "local_maintenance_manual"

SERVICE_LOGS = {
    AGENT: "/var/log/ovirt-hosted-engine-ha/agent.log",
    BROKER: "/var/log/ovirt-hosted-engine-ha/broker.log",
}


class HostSettings(NamedTuple):
    """Where things live on this host (env keys, so tests and manual runs can move them)."""

    conf_file: str
    conf_owner: str
    conf_group: str
    ha_conf_file: str
    lock_file: str

    @classmethod
    def from_environment(cls, env: Mapping[str, object]) -> "HostSettings":
        return cls(
            conf_file=str(envkeys.setting(env, envkeys.CONF_FILE)),
            conf_owner=str(envkeys.setting(env, envkeys.CONF_OWNER)),
            conf_group=str(envkeys.setting(env, envkeys.CONF_GROUP)),
            ha_conf_file=str(envkeys.setting(env, envkeys.HA_CONF_FILE)),
            lock_file=str(envkeys.setting(env, envkeys.LOCK_FILE)),
        )


class FileWrite(NamedTuple):
    """A file to write atomically, keeping at most one previous copy."""

    path: str
    content: bytes  # may hold the CHAP password: never in env dumps (see __repr__)
    owner: str
    group: str
    mode: int
    keep_previous_as: Optional[str] = None
    remove_on_commit: Tuple[str, ...] = ()

    def __repr__(self) -> str:
        return "FileWrite(path={!r}, {} bytes, {}:{} {:04o})".format(
            self.path, len(self.content), self.owner, self.group, self.mode)


class FileRemoval(NamedTuple):
    """A file to remove, its last content kept under another name."""

    path: str
    keep_as: str
    owner: str
    group: str
    mode: int
    also_remove: Tuple[str, ...] = ()


class MaintenanceChange(NamedTuple):
    """ha.conf keys to set when the deploy commits, and when it is aborted."""

    path: str
    on_commit: Tuple[Tuple[str, str], ...]
    on_abort: Tuple[Tuple[str, str], ...]
    owner: str
    group: str
    mode: int = HA_CONF_MODE

    def apply(self, text: str, changes: Tuple[Tuple[str, str], ...]) -> str:
        return keyvalue.update(text, dict(changes))


class Plan(NamedTuple):
    """Everything one action does to a host, in order."""

    action: str
    packages: Tuple[str, ...] = ()
    stop_before: Tuple[str, ...] = ()
    writes: Tuple[FileWrite, ...] = ()
    removals: Tuple[FileRemoval, ...] = ()
    maintenance: Optional[MaintenanceChange] = None
    enable: Tuple[str, ...] = ()
    restart: Tuple[str, ...] = ()
    must_run: Tuple[str, ...] = ()
    stop_after: Tuple[str, ...] = ()
    disable: Tuple[str, ...] = ()

    @property
    def does_nothing(self) -> bool:
        return self.action == envkeys.ACTION_NONE


def maintenance_change(settings: HostSettings) -> MaintenanceChange:
    """Clear local maintenance when the deploy lands; set it when the deploy is aborted."""
    return MaintenanceChange(
        path=settings.ha_conf_file,
        on_commit=((LOCAL_MAINTENANCE, "False"), (LOCAL_MAINTENANCE_MANUAL, "False")),
        on_abort=((LOCAL_MAINTENANCE, "True"),),
        owner=settings.conf_owner,
        group=settings.conf_group,
    )


def build(unit: ValidUnit, settings: HostSettings) -> Plan:
    """The plan for a checked unit on a host with these settings."""
    if unit.action == envkeys.ACTION_DEPLOY:
        conf = FileWrite(
            path=settings.conf_file,
            content=render.render_conf(unit).encode("ascii"),
            owner=settings.conf_owner, group=settings.conf_group, mode=CONF_MODE,
            keep_previous_as=settings.conf_file + PREVIOUS_SUFFIX,
            # A copy from an earlier undeploy is stale now, and holds the CHAP password.
            remove_on_commit=(settings.conf_file + UNDEPLOYED_SUFFIX,),
        )
        return Plan(
            action=unit.action, packages=HE_PACKAGES, stop_before=STOP_ORDER,
            writes=(conf,), maintenance=maintenance_change(settings),
            enable=START_ORDER, restart=START_ORDER, must_run=START_ORDER,
        )
    if unit.action == envkeys.ACTION_REMOVE:
        removal = FileRemoval(
            path=settings.conf_file, keep_as=settings.conf_file + UNDEPLOYED_SUFFIX,
            owner=settings.conf_owner, group=settings.conf_group, mode=CONF_MODE,
            also_remove=(settings.conf_file + PREVIOUS_SUFFIX,),
        )
        return Plan(action=unit.action, removals=(removal,), stop_after=STOP_ORDER,
                    disable=STOP_ORDER)
    return Plan(action=unit.action)


def describe(plan: Plan) -> str:
    """The plan as lines an admin reads before anything happens."""
    if plan.does_nothing:
        return "Action none: Hosted Engine is left as it is on this host.\n"
    lines = ["Action {}:".format(plan.action)]
    step = 0

    def add(text: str) -> None:
        nonlocal step
        step += 1
        lines.append("  {}. {}".format(step, text))

    if plan.stop_before:
        add("stop {} where they exist".format(", ".join(plan.stop_before)))
    if plan.packages:
        add("install or update {}".format(", ".join(plan.packages)))
    for write in plan.writes:
        add("write {} ({} bytes, {}:{} {:04o}){}".format(
            write.path, len(write.content), write.owner, write.group, write.mode,
            ", previous content kept as " + write.keep_previous_as
            if write.keep_previous_as else "")
            + "".join(", stale {} removed".format(path) for path in write.remove_on_commit))
    if plan.maintenance:
        add("in {}: set {} when the deploy commits; {} if it is aborted".format(
            plan.maintenance.path,
            ", ".join("{}={}".format(k, v) for k, v in plan.maintenance.on_commit),
            ", ".join("{}={}".format(k, v) for k, v in plan.maintenance.on_abort)))
    for removal in plan.removals:
        add("move {} to {} ({}:{} {:04o}){}".format(
            removal.path, removal.keep_as, removal.owner, removal.group, removal.mode,
            "".join(", remove " + path for path in removal.also_remove)))
    if plan.enable:
        add("enable {}".format(", ".join(plan.enable)))
    if plan.restart:
        add("restart {}, in this order".format(", ".join(plan.restart)))
    if plan.must_run:
        add("check that {} keep running".format(", ".join(plan.must_run)))
    if plan.stop_after:
        add("stop {}".format(", ".join(plan.stop_after)))
    if plan.disable:
        add("disable {}".format(", ".join(plan.disable)))
    return "\n".join(lines) + "\n"


def service_failure(service: str, problem: str) -> str:
    """What an admin reads when an HA service does not start or stay up after a deploy."""
    log = SERVICE_LOGS.get(service)
    return ("{} {}. See 'journalctl -u {}'{}. Local maintenance was set on this host so it "
            "is not chosen to run the engine VM; fix the cause and reinstall the host with "
            "Hosted Engine deploy.".format(
                service, problem, service, " and " + log if log else ""))
