"""What deploy, remove and none do on a host, as one pure description both plugins and CLI use."""

from . import envkeys, keyvalue
from .compat import TYPE_CHECKING
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

    __slots__ = ("conf_file", "conf_owner", "conf_group", "ha_conf_file", "lock_file")

    def __init__(self, conf_file, conf_owner, conf_group, ha_conf_file, lock_file):
        # type: (str, str, str, str, str) -> None
        self.conf_file = conf_file
        self.conf_owner = conf_owner
        self.conf_group = conf_group
        self.ha_conf_file = ha_conf_file
        self.lock_file = lock_file

    @classmethod
    def from_environment(cls, env):
        # type: (Mapping[str, object]) -> HostSettings
        return cls(
            conf_file=str(envkeys.setting(env, envkeys.CONF_FILE)),
            conf_owner=str(envkeys.setting(env, envkeys.CONF_OWNER)),
            conf_group=str(envkeys.setting(env, envkeys.CONF_GROUP)),
            ha_conf_file=str(envkeys.setting(env, envkeys.HA_CONF_FILE)),
            lock_file=str(envkeys.setting(env, envkeys.LOCK_FILE)),
        )


class HostFacts(Record):
    """What the host has before the run, read once (hostfs.read_facts) before the plan."""

    __slots__ = ("conf_exists", "conf_host_id", "ha_state_dir_exists", "manual_maintenance")

    def __init__(self, conf_exists=False, conf_host_id=None, ha_state_dir_exists=False,
                 manual_maintenance=False):
        # type: (bool, Optional[str], bool, bool) -> None
        self.conf_exists = conf_exists
        # host_id in the hosted-engine.conf already on the host (what a remove frees).
        self.conf_host_id = conf_host_id
        self.ha_state_dir_exists = ha_state_dir_exists
        # ha.conf says local_maintenance_manual=True: the admin's own local maintenance.
        self.manual_maintenance = manual_maintenance


class FileWrite(Record):
    """A file to write atomically, keeping at most one previous copy."""

    __slots__ = ("path", "content", "owner", "group", "mode", "keep_previous_as",
                 "remove_on_commit")

    def __init__(self, path, content, owner, group, mode, keep_previous_as=None,
                 remove_on_commit=()):
        # type: (str, bytes, str, str, int, Optional[str], Tuple[str, ...]) -> None
        self.path = path
        self.content = content  # may hold the CHAP password: never in env dumps (see __repr__)
        self.owner = owner
        self.group = group
        self.mode = mode
        self.keep_previous_as = keep_previous_as
        self.remove_on_commit = remove_on_commit

    def __repr__(self):
        # type: () -> str
        return "FileWrite(path={!r}, {} bytes, {}:{} {:04o})".format(
            self.path, len(self.content), self.owner, self.group, self.mode)


class FileRemoval(Record):
    """A file to remove, its last content kept under another name with secrets blanked."""

    __slots__ = ("path", "keep_as", "owner", "group", "mode", "also_remove", "redact")

    def __init__(self, path, keep_as, owner, group, mode, also_remove=(), redact=REDACTED_KEYS):
        # type: (str, str, str, str, int, Tuple[str, ...], Tuple[str, ...]) -> None
        self.path = path
        self.keep_as = keep_as
        self.owner = owner
        self.group = group
        self.mode = mode
        self.also_remove = also_remove
        self.redact = redact

    def kept_content(self, old):
        # type: (bytes) -> bytes
        """The copy that is kept: every line as it was, the redacted keys' values blanked."""
        text = old.decode("ascii", errors="surrogateescape")
        present = keyvalue.parse(text)
        blanked = {key: "" for key in self.redact if key in present}
        if not blanked:
            return old
        return keyvalue.update(text, blanked).encode("ascii", errors="surrogateescape")


class MaintenanceChange(Record):
    """ha.conf keys to set when the deploy commits, and when it is aborted."""

    __slots__ = ("path", "on_commit", "on_abort", "owner", "group", "mode")

    def __init__(
        self,
        path,  # type: str
        on_commit,  # type: Tuple[Tuple[str, str], ...]
        on_abort,  # type: Tuple[Tuple[str, str], ...]
        owner,  # type: str
        group,  # type: str
        mode=HA_CONF_MODE,  # type: int
    ):
        # type: (...) -> None
        self.path = path
        self.on_commit = on_commit
        self.on_abort = on_abort
        self.owner = owner
        self.group = group
        self.mode = mode

    def apply(self, text, changes):
        # type: (str, Tuple[Tuple[str, str], ...]) -> str
        return keyvalue.update(text, dict(changes))


class Plan(Record):
    """Everything one action does to a host, in order."""

    __slots__ = ("action", "packages", "stop_before", "writes", "removals", "maintenance",
                 "enable", "restart", "must_run", "stop_before_commit",
                 "clean_metadata_host_id", "disable", "warnings", "facts")

    def __init__(
        self,
        action,  # type: str
        packages=(),  # type: Tuple[str, ...]
        stop_before=(),  # type: Tuple[str, ...]
        writes=(),  # type: Tuple[FileWrite, ...]
        removals=(),  # type: Tuple[FileRemoval, ...]
        maintenance=None,  # type: Optional[MaintenanceChange]
        enable=(),  # type: Tuple[str, ...]
        restart=(),  # type: Tuple[str, ...]
        must_run=(),  # type: Tuple[str, ...]
        stop_before_commit=(),  # type: Tuple[str, ...]
        clean_metadata_host_id=None,  # type: Optional[str]
        disable=(),  # type: Tuple[str, ...]
        warnings=(),  # type: Tuple[str, ...]
        facts=None,  # type: Optional[HostFacts]
    ):
        # type: (...) -> None
        self.action = action
        self.packages = packages
        self.stop_before = stop_before
        self.writes = writes
        self.removals = removals
        self.maintenance = maintenance
        self.enable = enable
        self.restart = restart
        self.must_run = must_run
        # Remove, right before the commit: stop these in order; after the first (the agent),
        # while the broker still runs and the conf is in place, free this host's metadata slot.
        self.stop_before_commit = stop_before_commit
        self.clean_metadata_host_id = clean_metadata_host_id
        self.disable = disable
        self.warnings = warnings
        self.facts = HostFacts() if facts is None else facts

    @property
    def does_nothing(self):
        # type: () -> bool
        return self.action == envkeys.ACTION_NONE

    def __str__(self):
        # type: () -> str
        # otopi turns every environment value into text twice around every event; the
        # plan rides in the environment from VALIDATION on, and is logged in full once.
        return "Plan({}, logged as 'Hosted Engine plan')".format(self.action)


def maintenance_change(settings, facts):
    # type: (HostSettings, HostFacts) -> MaintenanceChange
    """Clear local maintenance when the deploy lands; set it when the deploy is aborted.

    local_maintenance_manual is the admin's own `hosted-engine --set-maintenance --mode=local`
    and the agent honours it as much as local_maintenance. On a host without
    hosted-engine.conf it is a leftover of an earlier life of the host: cleared. On a
    reinstall of a deployed host it is kept, as ovirt-host-deploy and the engine do.
    """
    on_commit = ((LOCAL_MAINTENANCE, "False"),)  # type: Tuple[Tuple[str, str], ...]
    if not facts.conf_exists:
        on_commit += ((LOCAL_MAINTENANCE_MANUAL, "False"),)
    return MaintenanceChange(
        path=settings.ha_conf_file,
        on_commit=on_commit,
        on_abort=((LOCAL_MAINTENANCE, "True"),),
        owner=settings.conf_owner,
        group=settings.conf_group,
    )


def _deploy_warnings(facts):
    # type: (HostFacts) -> Tuple[str, ...]
    if facts.conf_exists and facts.manual_maintenance:
        return ("this host is in local maintenance set by an admin "
                "(local_maintenance_manual=True in ha.conf); the reinstall keeps it, so the "
                "host will not run the engine VM until someone runs '{}' on it.".format(
                    CLEAR_MANUAL_MAINTENANCE),)
    return ()


def build(unit, settings, facts=None):
    # type: (ValidUnit, HostSettings, Optional[HostFacts]) -> Plan
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


def describe(plan):
    # type: (Plan) -> str
    """The plan as lines an admin reads before anything happens, for the host it was made on."""
    if plan.does_nothing:
        return "Action none: Hosted Engine is left as it is on this host.\n"
    facts = plan.facts
    lines = ["Action {}:".format(plan.action)]

    def add(text):
        # type: (str) -> None
        # Numbered from 1: the heading is the only line before the first step.
        lines.append("  {}. {}".format(len(lines), text))

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
        add("before the commit: stop {}".format(" then ".join(plan.stop_before_commit)))
        if plan.clean_metadata_host_id is not None:
            add("free this host's slot in the shared metadata with '{}' while {} still "
                "runs (best effort)".format(CLEAN_METADATA.format(plan.clean_metadata_host_id),
                                            plan.stop_before_commit[-1]))
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


def _pairs(values):
    # type: (Tuple[Tuple[str, str], ...]) -> str
    return ", ".join("{}={}".format(key, value) for key, value in values)


def service_failure(service, problem):
    # type: (str, str) -> str
    """What an admin reads when an HA service does not come up after a deploy."""
    log = SERVICE_LOGS.get(service)
    return ("{} {}. See 'journalctl -u {}'{}. Local maintenance was set on this host so it "
            "is not chosen to run the engine VM; fix the cause and reinstall the host with "
            "Hosted Engine deploy.".format(
                service, problem, service, " and " + log if log else ""))


def metadata_manual_step(host_id):
    # type: (Optional[str]) -> str
    """What to run by hand when a remove could not free the host's metadata slot.

    From another host the agent's cleanup cannot take this host's sanlock id, so it needs
    --force-cleanup there (ovirt-hosted-engine-ha agent/hosted_engine.py clean()); that
    overrides its safety checks, hence only once this host's agent is stopped for good.
    """
    return ("once this host's ovirt-ha-agent is stopped for good, run '{} --force-cleanup' "
            "on a remaining Hosted Engine host".format(
                CLEAN_METADATA.format(host_id if host_id is not None else "N")))
