"""`host deploy|remove --sandbox DIR`: the plugin group's steps, in its order, on a host below DIR.

No otopi runs: the library calls the group makes in each of its stages (check, host facts,
lock, plan, staged files in a transaction committed last-in first-out, ha.conf, the service
wait) are made here, in the group's order, with every host path below DIR. Files are real.
Services, packages and the commands the group runs (restorecon, hosted-engine) are faked:
kept in DIR/sandbox-state.json and printed as what a host would see. Tests hold this order
to the group's (tests/plugins/test_sandbox.py: the same files and the same service and
package calls as the group run by otopi on a fake host).
"""

import json
import os
from typing import Any, Callable, Dict, Generic, List, Optional, TextIO, Tuple, TypeVar

from . import envkeys, haconf, hostfacts, hostfs, plan, rootdir, safety, servicewait
from .unit import ValidUnit

STATE_FILE = "sandbox-state.json"
# What installing the Hosted Engine packages brings that the group relies on afterwards:
# ovirt-hosted-engine-ha's services and its state directory, where ha.conf lives.
PACKAGE_SERVICES = (plan.AGENT, plan.BROKER)
# Directories every host has.
HOST_DIRS = ("etc", "run", "var/lib")


class SandboxError(RuntimeError):
    """The sandbox cannot run; the message says why and what to do."""


# The group's path keys (envkeys); the sandbox moves each below its directory.
PATH_KEYS = (envkeys.CONF_FILE, envkeys.HA_CONF_FILE, envkeys.LOCK_FILE)


def environment(root: str, install_missing_only: bool = False,
                clear_local_maintenance: bool = False,
                unit_settings: "Optional[Dict[str, object]]" = None) -> Dict[str, object]:
    """What the group would find in otopi's environment for a run on the sandbox host: the
    unit file's own OVIRT_HE_DEPLOY/ settings with its host paths below root, and the
    package and maintenance rules the run was given (`host deploy` sets installMissingOnly,
    --clear-local-maintenance its key). The given rules win: otopi reads a unit file's
    [environment:default] without replacing what the command line set. Owner and group
    stay those of a host, or the unit's."""
    env: Dict[str, object] = dict(unit_settings or {})
    for key in PATH_KEYS:
        env[key.name] = rootdir.under(root, str(envkeys.setting(env, key)))
    env[envkeys.INSTALL_MISSING_ONLY.name] = install_missing_only
    if clear_local_maintenance or envkeys.CLEAR_LOCAL_MAINTENANCE.name not in env:
        env[envkeys.CLEAR_LOCAL_MAINTENANCE.name] = clear_local_maintenance
    return env


class FakeHost:
    """The sandbox host's services and packages, kept between runs in DIR/sandbox-state.json.

    Each call is recorded as the otopi test double's fakes record theirs ("STAGE
    provider.method ARGS"), so tests can set the two side by side.
    """

    def __init__(self, root: str, say: Callable[[str, str], None]):
        self.path = os.path.join(root, STATE_FILE)
        self.say = say
        self.calls: List[str] = []
        data: Dict[str, Any] = {}
        if os.path.exists(self.path):
            try:
                with open(self.path, encoding="utf-8") as stream:
                    data = json.load(stream)
            except (OSError, ValueError) as error:
                raise SandboxError("cannot read {}: {}; remove it to start from a host "
                                   "without Hosted Engine packages.".format(
                                       safety.printable(self.path), error)) from None
        self.packages: List[str] = list(data.get("packages", []))
        self.services: Dict[str, Dict[str, bool]] = dict(data.get("services", {}))

    def save(self) -> None:
        staged = hostfs.StagedFile(self.path, (json.dumps(
            {"packages": self.packages, "services": self.services}, indent=1,
            sort_keys=True) + "\n").encode("ascii"), "", "", 0o644, chown=False)
        if staged.prepare():
            staged.commit()

    def _record(self, stage: str, call: str) -> None:
        self.calls.append("{} {}".format(stage, call))

    def exists(self, name: str) -> bool:
        return name in self.services

    def is_running(self, name: str) -> bool:
        return bool(self.services.get(name, {}).get("running"))

    def stop(self, stage: str, name: str) -> None:
        if not self.exists(name):
            self.say(stage, "{} is not installed: nothing to stop [fake services]".format(name))
            return
        self._record(stage, "services.state {} False".format(name))
        self.services[name]["running"] = False
        self.save()
        self.say(stage, "stop {} [fake services: `systemctl stop {}` on a host]".format(
            name, name))

    def startup(self, stage: str, name: str, enabled: bool) -> None:
        self._record(stage, "services.startup {} {}".format(name, enabled))
        self.services.setdefault(name, {})["enabled"] = enabled
        self.save()
        verb = "enable" if enabled else "disable"
        self.say(stage, "{} {} [fake services: `systemctl {} {}` on a host]".format(
            verb, name, verb, name))

    def start(self, stage: str, name: str) -> None:
        self._record(stage, "services.state {} True".format(name))
        self.services.setdefault(name, {})["running"] = True
        self.save()
        self.say(stage, "start {} [fake services: `systemctl start {}` on a host; a fake "
                        "service always comes up]".format(name, name))

    def restart(self, stage: str, name: str) -> None:
        self._record(stage, "services.restart {}".format(name))
        self.services.setdefault(name, {})["running"] = True
        self.save()
        self.say(stage, "restart {} [fake services: `systemctl restart {}` on a host; a "
                        "fake service always comes up]".format(name, name))

    def missing(self, packages: "Tuple[str, ...]") -> List[str]:
        return [name for name in packages if name not in self.packages]

    def install_update(self, stage: str, packages: "Tuple[str, ...]",
                       settings: plan.HostSettings, update: bool = True) -> None:
        method, what = ("installUpdate", "install or update") if update else \
            ("install", "install")
        self._record(stage, "packager.{} {}".format(method, ",".join(packages)))
        self.say(stage, "{} {} [fake packager: nothing is installed; on a host otopi's "
                        "packager (dnf) does it]".format(what, ", ".join(packages)))
        for name in packages:
            if name not in self.packages:
                self.packages.append(name)
        for service in PACKAGE_SERVICES:
            self.services.setdefault(service, {"enabled": False, "running": False})
        state_dir = hostfacts.ha_state_dir(settings)
        if not os.path.isdir(state_dir):
            os.makedirs(state_dir, mode=0o755)
            self.say(stage, "created {} as ovirt-hosted-engine-ha's package does (vdsm:kvm "
                            "on a host)".format(state_dir))
        self.save()


class Run:
    """One deploy or remove in a sandbox, printing each step under the group's stage names."""

    def __init__(self, root: str, unit: ValidUnit, out: TextIO,
                 install_missing_only: bool = False, clear_local_maintenance: bool = False,
                 unit_settings: "Optional[Dict[str, object]]" = None):
        self.root = root
        self.unit = unit
        self.out = out
        env = environment(root, install_missing_only, clear_local_maintenance, unit_settings)
        self.settings = plan.HostSettings.from_environment(env)
        # Only the wording of the "checked:" line, as in the group's closeup.
        self.engine_role_deployed = bool(envkeys.setting(env, envkeys.ENGINE_ROLE_DEPLOYED))
        self.chown = rootdir.can_chown(self.settings.conf_owner, self.settings.conf_group)
        self.host = FakeHost(root, self.say)
        self.commands: List[str] = []
        # What the deploy changed, for its closing report (the group's CHANGES key).
        self.changes: List[str] = []

    def say(self, stage: str, text: str) -> None:
        print(safety.printable("{:<11} {}".format(stage, text)), file=self.out)

    def command(self, stage: str, argv: "Tuple[str, ...]", what: str) -> None:
        line = " ".join(argv)
        self.commands.append("{} {}".format(stage, line))
        self.say(stage, "{} [fake command: not run; on a host it {}]".format(line, what))

    def execute(self) -> None:
        self._check_paths()
        for directory in HOST_DIRS:
            os.makedirs(rootdir.under(self.root, directory), exist_ok=True)
        self._check_paths()  # again, now that the directories exist
        deploy = self.unit.action == envkeys.ACTION_DEPLOY
        if deploy:
            self._check_arch()
        lock = hostfs.HostLock(self.settings.lock_file)
        lock.acquire()
        self.say("validation", "lock {} taken".format(self.settings.lock_file))
        try:
            facts = hostfacts.read_facts(self.settings, self.unit.entries if deploy else None)
            conf, ha_conf, state_dir = hostfacts.sources(self.settings)
            self.say("validation", "read to plan: {} ({}), {} ({}), directory {} ({})".format(
                conf, _presence(facts.conf_exists), ha_conf,
                _presence(os.path.lexists(ha_conf)), state_dir,
                _presence(facts.ha_state_dir_exists)))
            self._act(plan.build(self.unit, self.settings, facts))
        finally:
            lock.release()
            self.say("cleanup", "lock released")

    def _check_paths(self) -> None:
        for path in (self.settings.conf_file, self.settings.ha_conf_file,
                     self.settings.lock_file):
            rootdir.check_below_root(self.root, os.path.relpath(path, self.root))

    def _check_arch(self) -> None:
        required = str(envkeys.REQUIRED_ARCH.default)
        machine = os.uname().machine
        if machine != required:
            self.say("validation", "warning: this machine is {}: on it the group refuses a "
                                   "deploy (Hosted Engine hosts must be {}); the sandbox goes "
                                   "on".format(machine, required))

    def _act(self, the_plan: plan.Plan) -> None:
        for warning in self.unit.warnings + the_plan.warnings:
            self.say("validation", "warning: " + warning)
        for line in plan.describe(the_plan).splitlines():
            self.say("validation", line)
        if the_plan.completes:
            self.say("validation", "hosted-engine.conf already says what the unit says; "
                                   "completing it, not rewriting it")
        if the_plan.action == envkeys.ACTION_REMOVE:
            self._remove(the_plan)
            return
        touched = False
        prepared: List[_Element] = []
        try:
            touched = self._packages(the_plan)
            self._misc(the_plan, prepared)
            while prepared:  # otopi commits its main transaction last-in first-out
                element = prepared.pop()
                element.commit()
            self._start_services(the_plan)
        except BaseException:
            for element in prepared:
                element.abort()
            # As the group's cleanup: a deploy that stopped the services, or any reinstall.
            if (touched or the_plan.facts.conf_exists) and the_plan.maintenance is not None \
                    and haconf.set_local_maintenance(the_plan.maintenance, self.chown):
                self.say("cleanup", "the deploy did not finish: local maintenance set in "
                                    "{}".format(the_plan.maintenance.path))
            raise

    def _packages(self, the_plan: plan.Plan) -> bool:
        """The packages stage; whether it stopped the services (touched the host)."""
        stop = the_plan.stop_before
        if not the_plan.install_missing_only:
            touched = self._stop_before_packages(the_plan, stop)
            self.host.install_update("packages", the_plan.packages, self.settings)
            return touched
        missing = self.host.missing(the_plan.packages)
        if missing and not stop:
            stop = plan.STOP_ORDER  # not around a running HA stack
        touched = self._stop_before_packages(the_plan, stop)
        if missing:
            self.host.install_update("packages", tuple(missing), self.settings, update=False)
            self.changes.append("installed {}".format(", ".join(missing)))
        return touched

    def _stop_before_packages(self, the_plan: plan.Plan, services: "Tuple[str, ...]") -> bool:
        if not services:
            return False
        for service in services:
            self.host.stop("packages", service)
        if the_plan.facts.conf_exists and the_plan.maintenance is not None:
            # A reinstall: local maintenance while the services are stopped; the commit
            # clears it again unless it was set before the run.
            if haconf.set_local_maintenance(the_plan.maintenance, self.chown):
                self.say("packages", "{}: set local_maintenance=True while the services are "
                                     "stopped".format(the_plan.maintenance.path))
        return True

    def _misc(self, the_plan: plan.Plan, prepared: "List[_Element]") -> None:
        """A deploy's changes, each prepared as it joins the transaction (prepared, in
        order); the commit follows at the end of misc."""
        elements: List[_Element] = []
        if the_plan.maintenance is not None:
            elements.append(_Maintenance(self, the_plan.maintenance, the_plan.facts))
        for write in the_plan.writes:
            elements.append(_Write(self, hostfs.StagedWrite(write, self.chown)))
        for attributes in the_plan.attributes:
            elements.append(_Attributes(self, hostfs.StagedAttributes(attributes, self.chown)))
        for element in elements:
            element.prepare()
            prepared.append(element)

    def _start_services(self, the_plan: plan.Plan) -> None:
        for service in the_plan.enable:
            self.host.startup("closeup", service, True)
        for service in the_plan.restart:
            self.host.restart("closeup", service)
        if the_plan.restart:
            self.changes.append("restarted {}".format(", ".join(the_plan.restart)))
        for service in the_plan.start:
            # Start what is stopped; a running service keeps running as it is.
            if not self.host.is_running(service):
                self.host.start("closeup", service)
                self.changes.append("started " + service)
        result = servicewait.wait_running(the_plan.must_run, self.host.is_running, 0)
        if result.failed is not None:
            raise SandboxError(plan.service_failure(
                result.failed.name, result.failed.problem(result.seconds)))
        self.say("closeup", "{} running [fake services]".format(", ".join(the_plan.must_run)))
        if the_plan.completes and not self.changes:
            self.say("closeup", "checked: {}; hosted-engine.conf already said what the unit "
                                "says, with its owner and mode, and {} were enabled and "
                                "running: nothing changed, nothing restarted".format(
                                    "the engine had deployed it" if self.engine_role_deployed
                                    else "it was deployed already",
                                    ", ".join(the_plan.must_run)))
        else:
            self.say("closeup", "changed: {}".format("; ".join(self.changes)))

    def _remove(self, the_plan: plan.Plan) -> None:
        """All in closeup, once VDSM runs again: stop the agent, free the metadata slot
        while the broker runs and the conf is in place, stop the broker, move the conf in a
        transaction of its own, disable the services."""
        first, rest = the_plan.stop_before_commit[:1], the_plan.stop_before_commit[1:]
        for service in first:
            self.host.stop("closeup", service)
        if the_plan.clean_metadata_host_id is not None:
            self.command("closeup", ("hosted-engine", "--clean-metadata",
                                     "--host-id={}".format(the_plan.clean_metadata_host_id)),
                         "frees this host's slot in the shared Hosted Engine metadata "
                         "(best effort)")
        for service in rest:
            self.host.stop("closeup", service)
        removals: List[_Element] = [
            _Removal(self, hostfs.StagedRemoval(removal, self.chown))
            for removal in the_plan.removals]
        prepared: List[_Element] = []
        try:
            for element in removals:
                element.prepare()
                prepared.append(element)
            while prepared:
                prepared.pop().commit()
        except BaseException:
            for element in prepared:
                element.abort()
            raise
        for service in the_plan.disable:
            if self.host.exists(service):
                self.host.startup("closeup", service, False)
        change = the_plan.maintenance
        if change is not None and haconf.apply_maintenance(change, change.on_commit,
                                                           self.chown):
            self.say("closeup", "{}: set {}: this host leaves Hosted Engine".format(
                change.path, change.commit_text()))

    def placed(self, paths: List[str]) -> None:
        """A file of ours was put in place: the group restores its SELinux context."""
        if paths:
            self.command("transaction", ("restorecon", "-r") + tuple(paths),
                         "gives the new file its SELinux context, where SELinux is enabled")


def _presence(exists: bool) -> str:
    return "present" if exists else "absent"


class _Element:
    """One change in the sandbox's transaction: prepared in misc, committed at its end."""

    def __init__(self, run: Run):
        self.run = run

    def prepare(self) -> None:
        pass

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        pass


_S = TypeVar("_S", hostfs.StagedWrite, hostfs.StagedRemoval, hostfs.StagedAttributes)


class _Staged(_Element, Generic[_S]):
    """A library staged change, as the group's StagedElement runs it: prepared, then
    committed only when it changes something, or aborted."""

    def __init__(self, run: Run, staged: _S):
        super().__init__(run)
        self.staged: _S = staged
        self.changed = False

    def prepare(self) -> None:
        self.changed = self.staged.prepare()

    def abort(self) -> None:
        self.staged.abort()


class _Write(_Staged[hostfs.StagedWrite]):
    def commit(self) -> None:
        write = self.staged.write
        if not self.changed:
            self.run.say("transaction", "{} unchanged".format(write.path))
            return
        stale = list(self.staged.stale)
        kept = self.staged.previous is not None
        new = self.staged.new.temp is not None
        self.staged.commit()
        if new:
            self.run.say("transaction", "wrote {} ({} bytes, mode {:04o}, {})".format(
                write.path, len(write.content), write.mode,
                rootdir.ownership(write.owner, write.group, self.staged.new.chown)))
        if kept:
            self.run.say("transaction", "kept its previous content as {}".format(
                write.keep_previous_as))
        for path in stale:
            self.run.say("transaction", "removed {}".format(path))
        self.run.placed(self.staged.committed)
        self.run.changes.append(self.staged.describe())


class _Removal(_Staged[hostfs.StagedRemoval]):
    def commit(self) -> None:
        removal = self.staged.removal
        if not self.changed:
            self.run.say("transaction", "{} does not exist: nothing to remove".format(
                removal.path))
            return
        gone = [path for path in (removal.path,) + removal.also_remove
                if os.path.lexists(path)]
        kept = self.staged.keep is not None
        self.staged.commit()
        if kept:
            self.run.say("transaction", "kept {} as {} ({} blanked; mode {:04o}, {})".format(
                removal.path, removal.keep_as, ", ".join(removal.redact), removal.mode,
                rootdir.ownership(removal.owner, removal.group, self.staged.chown)))
        for path in gone:
            self.run.say("transaction", "removed {}".format(path))
        self.run.placed(self.staged.committed)


class _Maintenance(_Element):
    def __init__(self, run: Run, change: plan.MaintenanceChange, before: plan.HostFacts):
        super().__init__(run)
        self.change = change
        self.before = before

    def commit(self) -> None:
        change = self.change
        if not change.on_commit:
            self.run.say("transaction", "{}: local maintenance kept as it was before the "
                                        "run".format(change.path))
            return
        if haconf.apply_maintenance(change, change.on_commit, self.run.chown):
            self.run.say("transaction", "{}: set {} (mode {:04o}, {})".format(
                change.path, change.commit_text(),
                change.mode, rootdir.ownership(change.owner, change.group, self.run.chown)))
            # Not a change when it only takes back the run's own True.
            changed = haconf.changed_flags(change.on_commit, self.before)
            if changed:
                self.run.changes.append("{}: {}".format(change.path, changed))
        else:
            self.run.say("transaction", "{}: unchanged".format(change.path))

    def abort(self) -> None:
        haconf.set_local_maintenance(self.change, self.run.chown)


class _Attributes(_Staged[hostfs.StagedAttributes]):
    def commit(self) -> None:
        path = self.staged.attributes.path
        if not self.changed:
            self.run.say("transaction", "{} unchanged (it says what the unit says, with its "
                                        "owner and mode)".format(path))
            return
        self.staged.commit()
        self.run.say("transaction", self.staged.describe())
        self.run.changes.append(self.staged.describe())


def preamble(root: str, action: str, chown: bool) -> List[str]:
    """What the sandbox is, said before it runs: what is real and what is faked."""
    lines = [
        "Sandbox {}: the {} as the ovirt-he-deploy plugin group does it, step by step in its "
        "order, on a host whose files are below this directory.".format(root, action),
        "Real: the checks, the plan and every file written, moved or removed (below the "
        "directory). Not used: otopi; on a host `host {}` runs the group under otopi."
        .format(action),
        "Faked: services and packages (kept in {}), and the commands the group runs "
        "(restorecon, hosted-engine): printed, not run.".format(
            os.path.join(root, STATE_FILE)),
    ]
    if not chown:
        lines.append("Owners: not applied (needs root and the vdsm user and kvm group); "
                     "each file says the owner it gets on a host.")
    return lines


def run_sandbox(root: str, unit: ValidUnit, out: TextIO, install_missing_only: bool = False,
                clear_local_maintenance: bool = False,
                unit_settings: "Optional[Dict[str, object]]" = None) -> Run:
    """Run the unit's action below root; SandboxError and the library's errors propagate.

    install_missing_only and clear_local_maintenance: the group's keys of the same names
    (`host deploy` sets the first, --clear-local-maintenance the second)."""
    if rootdir.is_host_root(root):
        raise SandboxError("--sandbox {} is the host's own root; give a separate directory, "
                           "e.g. --sandbox ./he-sandbox (`host {}` without --sandbox acts "
                           "on this host).".format(root, unit.action))
    if os.path.lexists(root) and not os.path.isdir(root):
        raise SandboxError("--sandbox {} exists and is not a directory.".format(root))
    root = os.path.abspath(root)
    os.makedirs(root, exist_ok=True)
    run = Run(root, unit, out, install_missing_only, clear_local_maintenance, unit_settings)
    for line in preamble(root, unit.action, run.chown):
        print(safety.printable(line), file=out)
    run.execute()
    return run
