"""A fake host for end-to-end runs of the plugin group: through the otopi test double, or the
real otopi when OTOPI_TREE names an otopi tree (see real_otopi.py).

Shared by every test that runs the group (import it as he_host; tests/ is on sys.path).
"""

import grp
import json
import os
import pwd
import stat
import sys
from typing import Any, Dict, List, Optional, Sequence

import otopi_harness
import real_otopi
from paths import DOUBLE, EXAMPLES, PLUGINS, SRC, TESTS

from ovirt_he_deploy import otopiconf

GROUP = "ovirt-he-deploy"
# otopi keeps the package directory's name as it is in the module name (contract §0.1).
PLUGIN_PACKAGE = "otopi.plugins.ovirt_he_deploy.hosted-engine"
PREFIX = PLUGIN_PACKAGE + "."
SECRET_PASSWORD = "Ch4p-S3cret.value"
SECRET_USER = "he-chap-user"
# The stand-in for ovirt-host-deploy (its vdsm and host plugins, the accounts vdsm creates)
# and, apart, for its own hosted-engine plugin.
STANDINS = os.path.join(TESTS, "standins")
OLD_HE_PLUGINS = os.path.join(STANDINS, "old-he")
HOST_DEPLOY_GROUPS = ("ovirt-host-common", "ovirt-host-deploy")

_RESTORECON = """#!/bin/sh
echo "restorecon $*" >> {log}
if [ -e {root}/restorecon.fail ]; then
    echo "restorecon: could not set context" >&2
    exit 1
fi
"""
_SELINUXENABLED = """#!/bin/sh
[ -e {root}/selinux-disabled ] && exit 1
exit 0
"""
_HOSTED_ENGINE = """#!{python}
# Fake `hosted-engine`: records how it was called and what the host looked like then.
import json, os, sys, time
root = {root!r}
state = {{}}
if os.path.exists({state!r}):
    with open({state!r}) as f:
        state = json.load(f).get("services", {{}})
with open(os.path.join(root, "commands.log"), "a") as log:
    log.write(json.dumps({{
        "argv": sys.argv[1:],
        "conf_exists": os.path.exists({conf!r}),
        "running": sorted(name for name, s in state.items() if s.get("running")),
    }}) + "\\n")
if os.path.exists(os.path.join(root, "hosted-engine.sleep")):
    time.sleep(float(open(os.path.join(root, "hosted-engine.sleep")).read()))
if os.path.exists(os.path.join(root, "hosted-engine.fail")):
    sys.stderr.write(open(os.path.join(root, "hosted-engine.fail")).read())
    sys.exit(1)
# As ovirt-ha-agent --cleanup logs on stderr (LEVEL:LOGGER:MESSAGE), exit 0 in every case:
# it cleans only a slot its agent marked stopped when it stopped; hosted-engine.output
# replaces what it says (e.g. "Metadata for current host missing.").
agent = "ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"
if os.path.exists(os.path.join(root, "hosted-engine.output")):
    said = open(os.path.join(root, "hosted-engine.output")).read().splitlines()
elif "ovirt-ha-agent" in state and state["ovirt-ha-agent"].get("running"):
    said = ["ERROR:" + agent + ":Cannot clean unclean metadata block. Consider --force-clean."]
else:
    said = ["INFO:" + agent + ":Cleaning the metadata block!"]
sys.stderr.write("\\n".join(["INFO:ovirt_hosted_engine_ha.agent.agent.Agent:"
                            "ovirt-hosted-engine-ha agent 2.5.2 started"] + said +
                           ["INFO:ovirt_hosted_engine_ha.agent.agent.Agent:"
                            "Agent shutting down"]) + "\\n")
"""


def real() -> bool:
    """True when the runs go to the real otopi."""
    return real_otopi.tree() is not None


class Host:
    """Paths of one fake host below a temp dir, and the statements that point a run at it."""

    def __init__(self, root: str, conf: str, ha_conf: str, lock: str, state: str,
                 logdir: str, extra: Optional[List[str]] = None):
        self.root = root
        self.conf = conf
        self.ha_conf = ha_conf
        self.lock = lock
        self.state = state
        self.logdir = logdir
        self.extra = list(extra or [])
        self.bin = os.path.join(root, "bin")
        self.commands_log = os.path.join(root, "commands.log")
        # Owner and group of the files the group writes; None leaves the group's defaults
        # (vdsm:kvm), which exist only with the ovirt-host-deploy stand-in.
        self.owner = pwd.getpwuid(os.getuid()).pw_name  # type: Optional[str]
        self.group = grp.getgrgid(os.getgid()).gr_name  # type: Optional[str]
        self.with_host_deploy = False
        # False: the group is not loaded from the source tree (e.g. it is in a bundle).
        self.load_group = True
        self._write_fake_commands()

    def _write_fake_commands(self) -> None:
        os.makedirs(self.bin, exist_ok=True)
        scripts = {
            "restorecon": _RESTORECON.format(log=self.commands_log, root=self.root),
            "selinuxenabled": _SELINUXENABLED.format(root=self.root),
            "hosted-engine": _HOSTED_ENGINE.format(python=sys.executable, root=self.root,
                                                   state=self.state, conf=self.conf),
        }
        for name, text in scripts.items():
            path = os.path.join(self.bin, name)
            with open(path, "w") as stream:
                stream.write(text)
            os.chmod(path, 0o755)

    def statements(self, unit: Optional[str] = None, *more: str) -> List[str]:
        out = otopi_harness.group_statements(PLUGINS, GROUP) if self.load_group else []
        if self.with_host_deploy:
            out += otopi_harness.group_statements(STANDINS, *HOST_DEPLOY_GROUPS)
        out += otopi_harness.fakes_statements()
        out += [
            "OVIRT_HE_DEPLOY/confFile=str:" + self.conf,
            "OVIRT_HE_DEPLOY/haConfFile=str:" + self.ha_conf,
            "OVIRT_HE_DEPLOY/lockFile=str:" + self.lock,
            "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:0",
            "HE_FAKES/stateFile=str:" + self.state,
            "CORE/logDir=str:" + self.logdir,
        ]
        out += ["COMMAND/{}=str:{}".format(name, os.path.join(self.bin, name))
                for name in ("restorecon", "selinuxenabled", "hosted-engine")]
        if self.owner is not None:
            out.append("OVIRT_HE_DEPLOY/confOwner=str:" + self.owner)
        if self.group is not None:
            out.append("OVIRT_HE_DEPLOY/confGroup=str:" + self.group)
        if unit is not None:
            out.append("CORE/configFileAppend=str:" + unit)
        return out + self.extra + list(more)

    def os_env(self, os_env: Optional[Dict[str, Optional[str]]] = None
               ) -> Dict[str, Optional[str]]:
        env = {"OTOPI_CONFIG": os.path.join(self.root, "no-otopi.conf")}  # type: Dict
        env.update(os_env or {})
        return env

    def run(self, unit: Optional[str] = None, *more: str,
            os_env: Optional[Dict[str, Optional[str]]] = None,
            inprocess: bool = True) -> otopi_harness.RunResult:
        statements = self.statements(unit, *more)
        if real():
            return real_otopi.run(statements, os_env=self.os_env(os_env))
        env = self.os_env(os_env)
        if not inprocess:
            env["PYTHONPATH"] = os.pathsep.join((DOUBLE, SRC))
        return otopi_harness.run_otopi(statements, os_env=env, inprocess=inprocess)

    def engine_driver(self, customization: Sequence[Any], *more: str,
                      **kwargs: Any) -> otopi_harness.EngineDriver:
        """ovirt-engine's machine dialog against this host (double, or real otopi)."""
        statements = self.statements(None, *more)
        otopi_tree = real_otopi.tree()
        if otopi_tree is None:
            return otopi_harness.EngineDriver(
                statements, customization=customization,
                os_env=dict(self.os_env(), PYTHONPATH=os.pathsep.join((DOUBLE, SRC))),
                **kwargs)
        real_otopi.check_tree(otopi_tree)
        return otopi_harness.EngineDriver(
            statements, customization=customization,
            os_env=real_otopi.environment(otopi_tree, self.os_env()),
            command=[real_otopi.wrapper(otopi_tree)], **kwargs)

    def read(self, path: str) -> Optional[bytes]:
        try:
            with open(path, "rb") as stream:
                return stream.read()
        except FileNotFoundError:
            return None

    def ha_values(self) -> Dict[str, str]:
        from ovirt_he_deploy import keyvalue
        data = self.read(self.ha_conf)
        return keyvalue.parse(data.decode()) if data is not None else {}

    def commands(self) -> List[Dict[str, Any]]:
        """The fake hosted-engine's calls (restorecon lines are skipped)."""
        data = self.read(self.commands_log)
        if data is None:
            return []
        return [json.loads(line) for line in data.decode().splitlines()
                if line.startswith("{")]

    def restorecon_calls(self) -> List[str]:
        data = self.read(self.commands_log)
        return [line for line in (data or b"").decode().splitlines()
                if line.startswith("restorecon ")]

    def files(self) -> List[str]:
        """Files on the fake host, without the run's logs, fakes and their state."""
        found = []
        skip = (self.state, self.commands_log)
        for top, _dirs, names in os.walk(self.root):
            for name in names:
                path = os.path.join(top, name)
                if path.startswith((self.logdir + os.sep, self.bin + os.sep)) or path in skip:
                    continue
                found.append(os.path.relpath(path, self.root))
        return sorted(found)

    def mode(self, path: str) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)


def make_host(root: str) -> Host:
    """A fake host below root: the conf and HA state directories, ha.conf in maintenance."""
    for sub in ("etc/ovirt-hosted-engine", "var/lib/ovirt-hosted-engine-ha", "log"):
        os.makedirs(os.path.join(root, sub))
    ha_conf = os.path.join(root, "var/lib/ovirt-hosted-engine-ha/ha.conf")
    with open(ha_conf, "w") as stream:
        stream.write("local_maintenance=True\nlocal_maintenance_manual=True\n")
    return Host(
        root=root,
        conf=os.path.join(root, "etc/ovirt-hosted-engine/hosted-engine.conf"),
        ha_conf=ha_conf,
        lock=os.path.join(root, "ovirt-he-deploy.lock"),
        state=os.path.join(root, "services.json"),
        logdir=os.path.join(root, "log"),
    )


def example(name: str) -> str:
    return os.path.join(EXAMPLES, name)


def expected_conf(unit_path: str) -> bytes:
    """What the library renders for a unit: the bytes the plugins must write."""
    from ovirt_he_deploy import render, validation
    return render.render_conf(validation.check(otopiconf.load_unit(unit_path))).encode()


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET_PASSWORD not in text
        assert SECRET_USER not in text
