"""What deploy, remove and none do on a host, as one pure description both plugins and CLI use."""

from typing import TYPE_CHECKING

from . import envkeys, keyvalue
from .records import Record
from .unit import ValidUnit

if TYPE_CHECKING:
    from typing import Mapping, Optional, Tuple

HE_PACKAGES = ("ovirt-hosted-engine-setup",)  # type: Tuple[str, ...]
AGENT = "ovirt-ha-agent"
BROKER = "ovirt-ha-broker"
# Stop the agent before the broker it talks to; start the broker first, it reads the conf
# only when it starts.
STOP_ORDER = (AGENT, BROKER)  # type: Tuple[str, ...]
START_ORDER = (BROKER, AGENT)  # type: Tuple[str, ...]

CONF_MODE = 0o440
HA_CONF_MODE = 0o644
PREVIOUS_SUFFIX = ".previous"
UNDEPLOYED_SUFFIX = ".undeployed"
# Keys blanked in the copy a remove keeps: no file this group leaves holds the CHAP password.
REDACTED_KEYS = ("password",)  # type: Tuple[str, ...]

LOCAL_MAINTENANCE = "local_maintenance"
LOCAL_MAINTENANCE_MANUAL = "local_maintenance_manual"
CLEAR_MANUAL_MAINTENANCE = "hosted-engine --set-maintenance --mode=none"
CLEAN_METADATA = "hosted-engine --clean-metadata --host-id={}"

SERVICE_LOGS = {
    AGENT: "/var/log/ovirt-hosted-engine-ha/agent.log",
    BROKER: "/var/log/ovirt-hosted-engine-ha/broker.log",
}


class HostSettings(Record):
    """Where things live on this host (env keys, so tests and manual runs can move them)."""

    conf_file: str
    conf_owner: str
    conf_group: str
    ha_conf_file: str
    lock_file: str
    __slots__ = tuple(__annotations__)

    def __init__(self, conf_file: str, conf_owner: str, conf_group: str, ha_conf_file: str,
                 lock_file: str) -> None:
        self._init(conf_file, conf_owner, conf_group, ha_conf_file, lock_file)

    @classmethod
    def from_environment(cls, env: "Mapping[str, object]") -> "HostSettings":
        return cls(
            conf_file=str(envkeys.setting(env, envkeys.CONF_FILE)),
            conf_owner=str(envkeys.setting(env, envkeys.CONF_OWNER)),
            conf_group=str(envkeys.setting(env, envkeys.CONF_GROUP)),
            ha_conf_file=str(envkeys.setting(env, envkeys.HA_CONF_FILE)),
            lock_file=str(envkeys.setting(env, envkeys.LOCK_FILE)),
        )


class HostFacts(Record):
    """What the host has before the run, read once (hostfs.read_facts) before the plan."""

    conf_exists: bool
    # host_id in the hosted-engine.conf already on the host (what a remove frees).
    conf_host_id: "Optional[str]"
    ha_state_dir_exists: bool
    # ha.conf says local_maintenance_manual=True: the admin's own local maintenance.
    manual_maintenance: bool
    __slots__ = tuple(__annotations__)

    def __init__(self, conf_exists: bool = False, conf_host_id: "Optional[str]" = None,
                 ha_state_dir_exists: bool = False, manual_maintenance: bool = False) -> None:
        self._init(conf_exists, conf_host_id, ha_state_dir_exists, manual_maintenance)


class FileWrite(Record):
    """A file to write atomically, keeping at most one previous copy."""

    path: str
    content: bytes  # may hold the CHAP password: never in env dumps (see __repr__)
    owner: str
    group: str
    mode: int
    keep_previous_as: "Optional[str]"
    remove_on_commit: "Tuple[str, ...]"
    __slots__ = tuple(__annotations__)

    def __init__(self, path: str, content: bytes, owner: str, group: str, mode: int,
                 keep_previous_as: "Optional[str]" = None,
                 remove_on_commit: "Tuple[str, ...]" = ()) -> None:
        self._init(path, content, owner, group, mode, keep_previous_as, remove_on_commit)

    def __repr__(self) -> str:
        return "FileWrite(path={!r}, {} bytes, {}:{} {:04o})".format(
            self.path, len(self.content), self.owner, self.group, self.mode)


class FileRemoval(Record):
    """A file to remove, its last content kept under another name with secrets blanked."""

    path: str
    keep_as: str
    owner: str
    group: str
    mode: int
    also_remove: "Tuple[str, ...]"
    redact: "Tuple[str, ...]"
    __slots__ = tuple(__annotations__)

    def __init__(self, path: str, keep_as: str, owner: str, group: str, mode: int,
                 also_remove: "Tuple[str, ...]" = (),
                 redact: "Tuple[str, ...]" = REDACTED_KEYS) -> None:
        self._init(path, keep_as, owner, group, mode, also_remove, redact)

    def kept_content(self, old: bytes) -> bytes:
        """The copy that is kept: every line as it was, the redacted keys' values blanked."""
        text = old.decode("ascii", errors="surrogateescape")
        present = keyvalue.parse(text)
        blanked = {key: "" for key in self.redact if key in present}
        if not blanked:
            return old
        return keyvalue.update(text, blanked).encode("ascii", errors="surrogateescape")


class MaintenanceChange(Record):
    """ha.conf keys to set when the deploy commits, and when it is aborted."""

    path: str
    on_commit: "Tuple[Tuple[str, str], ...]"
    on_abort: "Tuple[Tuple[str, str], ...]"
    owner: str
    group: str
    mode: int
    __slots__ = tuple(__annotations__)

    def __init__(self, path: str, on_commit: "Tuple[Tuple[str, str], ...]",
                 on_abort: "Tuple[Tuple[str, str], ...]", owner: str, group: str,
                 mode: int = HA_CONF_MODE) -> None:
        self._init(path, on_commit, on_abort, owner, group, mode)

    def apply(self, text: str, changes: "Tuple[Tuple[str, str], ...]") -> str:
        return keyvalue.update(text, dict(changes))


class Plan(Record):
    """Everything one action does to a host, in order."""

    action: str
    packages: "Tuple[str, ...]"
    stop_before: "Tuple[str, ...]"
    writes: "Tuple[FileWrite, ...]"
    removals: "Tuple[FileRemoval, ...]"
    maintenance: "Optional[MaintenanceChange]"
    enable: "Tuple[str, ...]"
    restart: "Tuple[str, ...]"
    must_run: "Tuple[str, ...]"
    # Remove, in closeup once VDSM runs again, before the conf is moved: stop these in
    # order; after the first (the agent), while the broker still runs and the conf is in
    # place, free this host's metadata slot.
    stop_before_commit: "Tuple[str, ...]"
    clean_metadata_host_id: "Optional[str]"
    disable: "Tuple[str, ...]"
    warnings: "Tuple[str, ...]"
    facts: HostFacts
    __slots__ = tuple(__annotations__)

    def __init__(self, action: str, packages: "Tuple[str, ...]" = (),
                 stop_before: "Tuple[str, ...]" = (), writes: "Tuple[FileWrite, ...]" = (),
                 removals: "Tuple[FileRemoval, ...]" = (),
                 maintenance: "Optional[MaintenanceChange]" = None,
                 enable: "Tuple[str, ...]" = (), restart: "Tuple[str, ...]" = (),
                 must_run: "Tuple[str, ...]" = (), stop_before_commit: "Tuple[str, ...]" = (),
                 clean_metadata_host_id: "Optional[str]" = None,
                 disable: "Tuple[str, ...]" = (), warnings: "Tuple[str, ...]" = (),
                 facts: "Optional[HostFacts]" = None) -> None:
        self._init(action, packages, stop_before, writes, removals, maintenance, enable,
                   restart, must_run, stop_before_commit, clean_metadata_host_id, disable,
                   warnings, HostFacts() if facts is None else facts)

    @property
    def does_nothing(self) -> bool:
        return self.action == envkeys.ACTION_NONE

    def __str__(self) -> str:
        # otopi turns every environment value into text twice around every event; the
        # plan rides in the environment from VALIDATION on, and is logged in full once.
        return "Plan({}, logged as 'Hosted Engine plan')".format(self.action)


def maintenance_change(settings: HostSettings, facts: HostFacts) -> MaintenanceChange:
    """Clear local maintenance when the deploy lands; set it when the deploy is aborted.

    local_maintenance_manual is the admin's own `hosted-engine --set-maintenance --mode=local`
    and the agent honours it as much as local_maintenance. On a host without
    hosted-engine.conf it is a leftover of an earlier life of the host: cleared. On a
    reinstall of a deployed host it is kept, as ovirt-host-deploy and the engine do.
    """
    on_commit: Tuple[Tuple[str, str], ...] = ((LOCAL_MAINTENANCE, "False"),)
    if not facts.conf_exists:
        on_commit += ((LOCAL_MAINTENANCE_MANUAL, "False"),)
    return MaintenanceChange(
        path=settings.ha_conf_file,
        on_commit=on_commit,
        on_abort=((LOCAL_MAINTENANCE, "True"),),
        owner=settings.conf_owner,
        group=settings.conf_group,
    )


def _deploy_warnings(facts: HostFacts) -> "Tuple[str, ...]":
    if facts.conf_exists and facts.manual_maintenance:
        return ("this host is in local maintenance set by an admin "
                "(local_maintenance_manual=True in ha.conf); the reinstall keeps it, so the "
                "host will not run the engine VM until someone runs '{}' on it.".format(
                    CLEAR_MANUAL_MAINTENANCE),)
    return ()


def build(unit: ValidUnit, settings: HostSettings,
          facts: "Optional[HostFacts]" = None) -> Plan:
    """The plan for a checked unit on a host with these settings and this state."""
    facts = facts if facts is not None else HostFacts()
    if unit.action == envkeys.ACTION_DEPLOY:
        from . import render  # jinja2 only when something is rendered

        conf = FileWrite(
            path=settings.conf_file,
            content=render.render_conf(unit).encode("ascii"),
            owner=settings.conf_owner, group=settings.conf_group, mode=CONF_MODE,
            keep_previous_as=settings.conf_file + PREVIOUS_SUFFIX,
            # A copy from an earlier undeploy is stale now.
            remove_on_commit=(settings.conf_file + UNDEPLOYED_SUFFIX,),
        )
        return Plan(
            action=unit.action, packages=HE_PACKAGES, stop_before=STOP_ORDER,
            writes=(conf,), maintenance=maintenance_change(settings, facts),
            enable=START_ORDER, restart=START_ORDER, must_run=START_ORDER,
            warnings=_deploy_warnings(facts), facts=facts,
        )
    if unit.action == envkeys.ACTION_REMOVE:
        removal = FileRemoval(
            path=settings.conf_file, keep_as=settings.conf_file + UNDEPLOYED_SUFFIX,
            owner=settings.conf_owner, group=settings.conf_group, mode=CONF_MODE,
            also_remove=(settings.conf_file + PREVIOUS_SUFFIX,),
        )
        return Plan(action=unit.action, removals=(removal,), stop_before_commit=STOP_ORDER,
                    clean_metadata_host_id=facts.conf_host_id if facts.conf_exists else None,
                    disable=STOP_ORDER, facts=facts)
    return Plan(action=unit.action, facts=facts)


def describe(plan: Plan) -> str:
    """The plan as lines an admin reads before anything happens, for the host it was made on."""
    if plan.does_nothing:
        return "Action none: Hosted Engine is left as it is on this host.\n"
    facts = plan.facts
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
        if facts.conf_exists and write.keep_previous_as:
            kept = ", its current content kept as {} if it changes".format(
                write.keep_previous_as)
        else:
            kept = ", a new file"
        add("write {} ({} bytes, {}:{} {:04o}){}".format(
            write.path, len(write.content), write.owner, write.group, write.mode, kept)
            + "".join(", {} removed if present".format(path)
                      for path in write.remove_on_commit))
    if plan.maintenance:
        change = plan.maintenance
        if facts.ha_state_dir_exists:
            add("in {}: set {} when the deploy commits; {} if it is aborted".format(
                change.path, _pairs(change.on_commit), _pairs(change.on_abort)))
        else:
            add("local maintenance: not touched here, {} has no directory on this machine "
                "(ovirt-hosted-engine-ha creates it when it is installed; a deploy on a host "
                "then sets {} when it commits)".format(change.path, _pairs(change.on_commit)))
    for warning in plan.warnings:
        add("warning: " + warning)
    if plan.stop_before_commit:
        first, rest = plan.stop_before_commit[0], plan.stop_before_commit[1:]
        add("once VDSM runs again (closeup): stop {}".format(first))
        if plan.clean_metadata_host_id is not None:
            add("free this host's slot in the shared metadata with '{}' while {} still "
                "runs (best effort)".format(CLEAN_METADATA.format(plan.clean_metadata_host_id),
                                            plan.stop_before_commit[-1]))
        if rest:
            add("stop {}".format(" then ".join(rest)))
    for removal in plan.removals:
        if facts.conf_exists:
            add("move {} to {} ({}:{} {:04o}, {} blanked){}".format(
                removal.path, removal.keep_as, removal.owner, removal.group, removal.mode,
                ", ".join(removal.redact),
                "".join(", remove {} if present".format(path) for path in removal.also_remove)))
        else:
            add("{} does not exist: nothing to move{}".format(
                removal.path,
                "".join(", remove {} if present".format(path) for path in removal.also_remove)))
    if plan.enable:
        add("enable {}".format(", ".join(plan.enable)))
    if plan.restart:
        add("restart {}, in this order".format(", ".join(plan.restart)))
    if plan.must_run:
        add("wait until {} are running".format(", ".join(plan.must_run)))
    if plan.disable:
        add("disable {}".format(", ".join(plan.disable)))
    return "\n".join(lines) + "\n"


def _pairs(values: "Tuple[Tuple[str, str], ...]") -> str:
    return ", ".join("{}={}".format(key, value) for key, value in values)


def service_failure(service: str, problem: str) -> str:
    """What an admin reads when an HA service does not come up after a deploy."""
    log = SERVICE_LOGS.get(service)
    return ("{} {}. See 'journalctl -u {}'{}. Local maintenance was set on this host so it "
            "is not chosen to run the engine VM; fix the cause and reinstall the host with "
            "Hosted Engine deploy.".format(
                service, problem, service, " and " + log if log else ""))


def metadata_manual_step(host_id: "Optional[str]") -> str:
    """What to run by hand when a remove could not free the host's metadata slot.

    From another host the agent's cleanup cannot take this host's sanlock id, so it needs
    --force-cleanup there (ovirt-hosted-engine-ha agent/hosted_engine.py clean()); that
    overrides its safety checks, hence only once this host's agent is stopped for good.
    """
    return ("once this host's ovirt-ha-agent is stopped for good, run '{} --force-cleanup' "
            "on a remaining Hosted Engine host".format(
                CLEAN_METADATA.format(host_id if host_id is not None else "N")))
