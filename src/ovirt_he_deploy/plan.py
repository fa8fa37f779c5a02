"""What deploy, remove and none do on a host, as one pure description both plugins and CLI use."""

import collections

from . import envkeys, keyvalue
from .compat import TYPE_CHECKING, bytes_from_text, text_from_bytes
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

    __slots__ = ("conf_file", "conf_owner", "conf_group", "ha_conf_file", "lock_file",
                 "install_missing_only", "clear_local_maintenance")

    def __init__(self, conf_file, conf_owner, conf_group, ha_conf_file, lock_file,
                 install_missing_only=False, clear_local_maintenance=False):
        # type: (str, str, str, str, str, bool, bool) -> None
        self.conf_file = conf_file
        self.conf_owner = conf_owner
        self.conf_group = conf_group
        self.ha_conf_file = ha_conf_file
        self.lock_file = lock_file
        # The 4.4+ path (`host deploy`, the engine hook): install what is missing, update
        # nothing.
        self.install_missing_only = install_missing_only
        # Clear local maintenance on success whoever set it (ovirt-host-deploy's way).
        self.clear_local_maintenance = clear_local_maintenance

    @classmethod
    def from_environment(cls, env):
        # type: (Mapping[str, object]) -> HostSettings
        return cls(
            conf_file=str(envkeys.setting(env, envkeys.CONF_FILE)),
            conf_owner=str(envkeys.setting(env, envkeys.CONF_OWNER)),
            conf_group=str(envkeys.setting(env, envkeys.CONF_GROUP)),
            ha_conf_file=str(envkeys.setting(env, envkeys.HA_CONF_FILE)),
            lock_file=str(envkeys.setting(env, envkeys.LOCK_FILE)),
            install_missing_only=bool(envkeys.setting(env, envkeys.INSTALL_MISSING_ONLY)),
            clear_local_maintenance=bool(
                envkeys.setting(env, envkeys.CLEAR_LOCAL_MAINTENANCE)),
        )


class HostFacts(Record):
    """What the host has before the run, read once (hostfs.read_facts) before the plan."""

    __slots__ = ("conf_exists", "conf_host_id", "ha_state_dir_exists", "manual_maintenance",
                 "conf_differences", "local_maintenance")

    def __init__(self, conf_exists=False, conf_host_id=None, ha_state_dir_exists=False,
                 manual_maintenance=False, conf_differences=None, local_maintenance=False):
        # type: (bool, Optional[str], bool, bool, Optional[Tuple[str, ...]], bool) -> None
        self.conf_exists = conf_exists
        # host_id in the hosted-engine.conf already on the host (what a remove frees).
        self.conf_host_id = conf_host_id
        self.ha_state_dir_exists = ha_state_dir_exists
        # ha.conf says local_maintenance_manual=True: the admin's own local maintenance.
        self.manual_maintenance = manual_maintenance
        # Keys whose reading differs between the conf on the host and the deploy unit
        # (deployed.differences); () when the conf already says what the unit says, None
        # when not compared (no conf, unreadable, or not a deploy).
        self.conf_differences = conf_differences
        # ha.conf says local_maintenance=True before the run (the engine's, or an admin's).
        self.local_maintenance = local_maintenance

    @property
    def conf_deployed(self):
        # type: () -> bool
        """The conf on the host already says what the unit says."""
        return self.conf_exists and self.conf_differences == ()


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
        text = text_from_bytes(old)
        present = keyvalue.parse(text)
        blanked = collections.OrderedDict((key, "") for key in self.redact if key in present)
        if not blanked:
            return old
        return bytes_from_text(keyvalue.update(text, blanked))


class FileAttributes(Record):
    """Owner, group and mode an existing file must have; its content is left as it is."""

    __slots__ = ("path", "owner", "group", "mode")

    def __init__(self, path, owner, group, mode):
        # type: (str, str, str, int) -> None
        self.path = path
        self.owner = owner
        self.group = group
        self.mode = mode


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

    def commit_text(self):
        # type: () -> str
        """What the commit sets, as key=value, comma-separated."""
        return _pairs(self.on_commit)

    def apply(self, text, changes):
        # type: (str, Tuple[Tuple[str, str], ...]) -> str
        # Ordered on Python 2 too: keys missing from the text are appended in this order.
        return keyvalue.update(text, collections.OrderedDict(changes))


class Plan(Record):
    """Everything one action does to a host, in order."""

    __slots__ = ("action", "packages", "stop_before", "writes", "removals", "maintenance",
                 "enable", "restart", "must_run", "stop_before_commit",
                 "clean_metadata_host_id", "disable", "warnings", "facts", "completes",
                 "attributes", "start", "install_missing_only")

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
        completes=False,  # type: bool
        attributes=(),  # type: Tuple[FileAttributes, ...]
        start=(),  # type: Tuple[str, ...]
        install_missing_only=False,  # type: bool
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
        # Remove, in closeup once VDSM runs again, before the conf is moved: stop these in
        # order; after the first (the agent), while the broker still runs and the conf is in
        # place, free this host's metadata slot.
        self.stop_before_commit = stop_before_commit
        self.clean_metadata_host_id = clean_metadata_host_id
        self.disable = disable
        self.warnings = warnings
        self.facts = HostFacts() if facts is None else facts
        # Deploy on a host whose conf already says what the unit says: nothing is rewritten
        # or restarted; these files get their owner and mode, the `start` services are
        # started where they are stopped.
        self.completes = completes
        self.attributes = attributes
        self.start = start
        # Packages are installed where missing, never updated (the 4.4+ path).
        self.install_missing_only = install_missing_only

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
    """What a deploy does to ha.conf's flags when it commits, and when it fails.

    Local maintenance belongs to whoever set it. On a host that already had a
    hosted-engine.conf, a local_maintenance=True from before the run is the engine's (it
    sets it when it moves the host to Maintenance and clears it when it activates the host)
    or an admin's: kept. The run's own True (set while the services are stopped) is
    cleared. local_maintenance_manual is the admin's `hosted-engine --set-maintenance
    --mode=local`, kept on such a host too. On a host without hosted-engine.conf both flags
    are leftovers of an earlier life of the host: cleared. clear_local_maintenance clears
    local_maintenance whoever set it, as ovirt-host-deploy did. A failure sets it.
    """
    on_commit = ()  # type: Tuple[Tuple[str, str], ...]
    if settings.clear_local_maintenance or not facts.conf_exists \
            or not facts.local_maintenance:
        on_commit += ((LOCAL_MAINTENANCE, "False"),)
    if not facts.conf_exists:
        on_commit += ((LOCAL_MAINTENANCE_MANUAL, "False"),)
    return MaintenanceChange(
        path=settings.ha_conf_file,
        on_commit=on_commit,
        on_abort=((LOCAL_MAINTENANCE, "True"),),
        owner=settings.conf_owner,
        group=settings.conf_group,
    )


def leaving_maintenance(settings, facts):
    # type: (HostSettings, HostFacts) -> Optional[MaintenanceChange]
    """A host that leaves Hosted Engine takes no local maintenance flag with it.

    After a remove no agent reads ha.conf, and nobody clears a flag there any more: the
    engine clears local maintenance only on Hosted Engine hosts. Left True, the flag would
    outlive the host's Hosted Engine life and keep it out of HA when it is added again. A
    4.4+ engine's role writes hosted-engine.conf before the hook runs, so the hook cannot
    tell a re-added host from a reinstalled one by the conf: the flags must be gone before.
    Cleared once the services are stopped and disabled; None when neither flag is set.
    """
    flags = tuple((key, "False") for key, on in (
        (LOCAL_MAINTENANCE, facts.local_maintenance),
        (LOCAL_MAINTENANCE_MANUAL, facts.manual_maintenance)) if on)
    if not flags:
        return None
    return MaintenanceChange(path=settings.ha_conf_file, on_commit=flags, on_abort=(),
                             owner=settings.conf_owner, group=settings.conf_group)


def keeps_local_maintenance(settings, facts):
    # type: (HostSettings, HostFacts) -> bool
    """A deploy that succeeds leaves the local maintenance that was on before the run."""
    return facts.conf_exists and facts.local_maintenance and \
        not settings.clear_local_maintenance


def _deploy_warnings(settings, facts):
    # type: (HostSettings, HostFacts) -> Tuple[str, ...]
    warnings = ()  # type: Tuple[str, ...]
    if keeps_local_maintenance(settings, facts):
        warnings += (
            "this host was in local maintenance before this run (local_maintenance=True in "
            "ha.conf: the engine sets it when it moves a host to Maintenance and clears it "
            "when it activates the host); the deploy keeps it, so HA does not choose this "
            "host for the engine VM until the engine activates it. To clear it by hand run "
            "'{}' on this host, or deploy with {}=bool:True.".format(
                CLEAR_MANUAL_MAINTENANCE, envkeys.CLEAR_LOCAL_MAINTENANCE.name),)
    if facts.conf_exists and facts.manual_maintenance:
        warnings += ("this host is in local maintenance set by an admin "
                     "(local_maintenance_manual=True in ha.conf); the reinstall keeps it, so "
                     "the host will not run the engine VM until someone runs '{}' on "
                     "it.".format(CLEAR_MANUAL_MAINTENANCE),)
    return warnings


def build(unit, settings, facts=None):
    # type: (ValidUnit, HostSettings, Optional[HostFacts]) -> Plan
    """The plan for a checked unit on a host with these settings and this state."""
    facts = facts if facts is not None else HostFacts()
    if unit.action == envkeys.ACTION_DEPLOY:
        if facts.conf_deployed:
            return _completing_deploy(unit, settings, facts)
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
            warnings=_deploy_warnings(settings, facts), facts=facts,
            install_missing_only=settings.install_missing_only,
        )
    if unit.action == envkeys.ACTION_REMOVE:
        removal = FileRemoval(
            path=settings.conf_file, keep_as=settings.conf_file + UNDEPLOYED_SUFFIX,
            owner=settings.conf_owner, group=settings.conf_group, mode=CONF_MODE,
            also_remove=(settings.conf_file + PREVIOUS_SUFFIX,),
        )
        return Plan(action=unit.action, removals=(removal,), stop_before_commit=STOP_ORDER,
                    clean_metadata_host_id=facts.conf_host_id if facts.conf_exists else None,
                    disable=STOP_ORDER, maintenance=leaving_maintenance(settings, facts),
                    facts=facts)
    return Plan(action=unit.action, facts=facts)


def _completing_deploy(unit, settings, facts):
    # type: (ValidUnit, HostSettings, HostFacts) -> Plan
    """Deploy where hosted-engine.conf already says what the unit says (the engine's role
    wrote it, or an earlier run): complete it, do not do it again.

    Nothing is rewritten, no copy kept, no running service restarted. On the otopi path
    (engines up to 4.3) the packages are installed or updated as ovirt-host-deploy did, and
    its vdsm plugin restarts vdsmd: the HA services are stopped before and started after,
    as ovirt-host-deploy's own plugin did.
    """
    return Plan(
        action=unit.action, packages=HE_PACKAGES,
        stop_before=() if settings.install_missing_only else STOP_ORDER,
        attributes=(FileAttributes(settings.conf_file, settings.conf_owner,
                                   settings.conf_group, CONF_MODE),),
        maintenance=maintenance_change(settings, facts),
        enable=START_ORDER, start=START_ORDER, must_run=START_ORDER,
        warnings=_deploy_warnings(settings, facts), facts=facts, completes=True,
        install_missing_only=settings.install_missing_only,
    )


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
        if plan.install_missing_only:
            add("install {} where missing, update nothing".format(", ".join(plan.packages)))
        else:
            add("install or update {}".format(", ".join(plan.packages)))
    if plan.completes and plan.packages and not plan.stop_before:
        add("only if a package is missing: stop {} first (started again below)".format(
            ", ".join(STOP_ORDER)))
    if plan.completes:
        add("{} already says what the unit says (as ovirt-ha-agent reads it): not rewritten, "
            "no copy kept".format(", ".join(item.path for item in plan.attributes)))
    for item in plan.attributes:
        add("give {} owner {}:{} and mode {:04o} where it has others".format(
            item.path, item.owner, item.group, item.mode))
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
    if plan.maintenance and plan.action == envkeys.ACTION_DEPLOY:
        change = plan.maintenance
        if facts.ha_state_dir_exists:
            add("in {}: {} when the deploy commits; {} if it is aborted".format(
                change.path, "set " + _pairs(change.on_commit) if change.on_commit else
                "keep local_maintenance as it is", _pairs(change.on_abort)))
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
    if plan.start:
        add("start {}, in this order, where stopped (a running service is not "
            "restarted)".format(", ".join(plan.start)))
    if plan.must_run:
        add("wait until {} are running".format(", ".join(plan.must_run)))
    if plan.disable:
        add("disable {}".format(", ".join(plan.disable)))
        if plan.maintenance and plan.action == envkeys.ACTION_REMOVE:
            add("then in {}: set {} (this host leaves Hosted Engine: a flag left True would "
                "keep it out of HA if it is added again)".format(
                    plan.maintenance.path, plan.maintenance.commit_text()))
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
