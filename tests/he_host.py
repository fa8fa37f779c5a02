# -*- coding: utf-8 -*-
"""A fake host for end-to-end runs of the plugin group: through the otopi test double, or the
real otopi when OTOPI_TREE names an otopi tree (see real_otopi.py).

Shared by every test that runs the group (import it as he_host; tests/ is on sys.path).
"""

import errno
import grp
import json
import os
import pwd
import stat
import sys
from typing import Any, Dict, List, Optional, Sequence  # noqa: F401 (type comments)

import otopi_harness
import real_otopi
from paths import DOUBLE, EXAMPLES, PLUGINS, SRC, TESTS

if sys.version_info[0] == 2:
    from ConfigParser import RawConfigParser  # as otopi 1.8 reads them: native str values
else:
    from configparser import RawConfigParser

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
# Fake `hosted-engine`: records how it was called and what the host looked like then, and
# fails where the real --clean-metadata fails (read in ovirt-hosted-engine-setup
# src/bin/hosted-engine.in and ovirt-hosted-engine-ha agent/hosted_engine.py, agent.py).
import json, os, sys, time
root = {root!r}
state = {{}}
if os.path.exists({state!r}):
    with open({state!r}) as f:
        state = json.load(f).get("services", {{}})
running = sorted(name for name, s in state.items() if s.get("running"))
with open(os.path.join(root, "commands.log"), "a") as log:
    log.write(json.dumps({{
        "argv": sys.argv[1:],
        "conf_exists": os.path.exists({conf!r}),
        "running": running,
    }}) + "\\n")
if os.path.exists(os.path.join(root, "hosted-engine.sleep")):
    time.sleep(float(open(os.path.join(root, "hosted-engine.sleep")).read()))
if os.path.exists(os.path.join(root, "hosted-engine.fail")):
    sys.stderr.write(open(os.path.join(root, "hosted-engine.fail")).read())
    sys.exit(1)
# The script sources hosted-engine.conf for ${{vmid}} and refuses without it
# (hosted-engine.in:26-28, cmd_clean_metadata).
if not os.path.exists({conf!r}):
    sys.stdout.write("You must run deploy first\\n")
    sys.exit(1)
# clean() checks `service vdsmd status` first and returns -2, the agent's exit code
# (hosted_engine.py:375-384, agent.py:90).
if "vdsmd" in state and "vdsmd" not in running:
    sys.stderr.write("ERROR:ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine:"
                     "Required service vdsmd is not up.\\n")
    sys.exit(254)
# Then it connects to the broker: without it, -99 (agent.py:138-139,146).
if "ovirt-ha-broker" in state and "ovirt-ha-broker" not in running:
    sys.stderr.write("ERROR:ovirt_hosted_engine_ha.agent.agent.Agent:Can't initialize "
                     "brokerlink 'Failed to connect to broker'\\n")
    sys.exit(157)
# Then, as ovirt-ha-agent --cleanup logs on stderr (LEVEL:LOGGER:MESSAGE), exit 0 in each case:
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


def real():  # type: () -> bool
    """True when the runs go to the real otopi."""
    return real_otopi.tree() is not None


def otopi_version():  # type: () -> str
    """'1.8' or '1.10': the otopi the runs go to (the real tree's, or the double's mode)."""
    otopi_tree = real_otopi.tree()
    if otopi_tree is None:
        return os.environ.get(otopi_harness.DOUBLE_VERSION_ENV) or "1.10"
    return real_otopi.version(otopi_tree)


class Host(object):
    """Paths of one fake host below a temp dir, and the statements that point a run at it."""

    def __init__(self, root, conf, ha_conf, lock, state, logdir, extra=None):
        # type: (str, str, str, str, str, str, Optional[List[str]]) -> None
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

    def _write_fake_commands(self):  # type: () -> None
        if not os.path.isdir(self.bin):
            os.makedirs(self.bin)
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

    def statements(self, unit=None, *more):  # type: (Optional[str], str) -> List[str]
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

    def os_env(self, os_env=None):
        # type: (Optional[Dict[str, Optional[str]]]) -> Dict[str, Optional[str]]
        env = {"OTOPI_CONFIG": os.path.join(self.root, "no-otopi.conf")}  # type: Dict
        env.update(os_env or {})
        return env

    def run(self, unit=None, *more, **options):
        # type: (Optional[str], str, Any) -> otopi_harness.RunResult
        """One run on this host; options: os_env (dict, None unsets), inprocess (bool)."""
        os_env = options.pop("os_env", None)  # type: Optional[Dict[str, Optional[str]]]
        inprocess = options.pop("inprocess", True)  # type: bool
        if options:
            raise TypeError("Host.run: unknown options {}".format(sorted(options)))
        statements = self.statements(unit, *more)
        if real():
            return real_otopi.run(statements, os_env=self.os_env(os_env))
        env = self.os_env(os_env)
        if not inprocess:
            env["PYTHONPATH"] = os.pathsep.join((DOUBLE, SRC))
        return otopi_harness.run_otopi(statements, os_env=env, inprocess=inprocess)

    def engine_driver(self, customization, *more, **kwargs):
        # type: (Sequence[Any], str, Any) -> otopi_harness.EngineDriver
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

    def read(self, path):  # type: (str) -> Optional[bytes]
        try:
            with open(path, "rb") as stream:
                return stream.read()
        except (IOError, OSError) as error:  # FileNotFoundError on Python 3 only
            if error.errno != errno.ENOENT:
                raise
            return None

    def ha_values(self):  # type: () -> Dict[str, str]
        from ovirt_he_deploy import keyvalue
        data = self.read(self.ha_conf)
        return keyvalue.parse(native(data)) if data is not None else {}

    def commands(self):  # type: () -> List[Dict[str, Any]]
        """The fake hosted-engine's calls (restorecon lines are skipped)."""
        data = self.read(self.commands_log)
        if data is None:
            return []
        return [json.loads(line) for line in native(data).splitlines()
                if line.startswith("{")]

    def restorecon_calls(self):  # type: () -> List[str]
        data = self.read(self.commands_log)
        return [line for line in native(data or b"").splitlines()
                if line.startswith("restorecon ")]

    def files(self):  # type: () -> List[str]
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

    def mode(self, path):  # type: (str) -> int
        return stat.S_IMODE(os.stat(path).st_mode)


def native(data):  # type: (bytes) -> str
    """UTF-8 bytes as the native str: text on Python 3, the bytes as they are on 2.7."""
    return data if str is bytes else data.decode("utf-8")


def native_text(text):  # type: (Any) -> str
    """Text as otopi hands it to the group: the str itself on Python 3, its UTF-8 bytes (the
    native str) on 2.7. Non-ASCII test data is written native_text(u"h\u00e9"): a plain
    "\u00e9" in a Python 2 str is six ASCII characters, not the character."""
    return text if isinstance(text, str) else text.encode("utf-8")


def make_host(root):  # type: (str) -> Host
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


def example(name):  # type: (str) -> str
    return os.path.join(EXAMPLES, name)


# The sections of an otopi config file, in the order otopi applies them.
CONFIG_SECTIONS = ("environment:default", "environment:init", "environment:override",
                   "environment:enforce")


def unit_environment(unit_path):  # type: (str) -> Dict[str, Any]
    """The environment an otopi config file (a deploy unit) hands the group, parsed as otopi
    does: sections in order, each value by otopi.common.parseTypedValue (the double's)."""
    from otopi import common
    parser = RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    if not parser.read(unit_path):
        raise IOError("cannot read the unit file {}".format(unit_path))
    environment = {}  # type: Dict[str, Any]
    for section in CONFIG_SECTIONS:
        if parser.has_section(section):
            environment.update((key, common.parseTypedValue(value))
                               for key, value in parser.items(section))
    return environment


def typed(value):  # type: (Any) -> str
    """otopi's type:value for None, a bool, an int or a str (the form of a config file line)."""
    if value is None:
        return "none:"
    if isinstance(value, bool):
        return "bool:{}".format(value)
    if isinstance(value, int):
        return "int:{}".format(value)
    return "str:{}".format(value)


def expected_conf(unit_path):  # type: (str) -> bytes
    """What the library renders for a unit: the bytes the plugins must write."""
    from ovirt_he_deploy import render, validation
    from ovirt_he_deploy.unit import DeployUnit
    unit = DeployUnit.from_environment(unit_environment(unit_path))
    text = render.render_conf(validation.check(unit))
    return text if isinstance(text, bytes) else text.encode("utf-8")


def assert_no_secret(*texts):  # type: (str) -> None
    for text in texts:
        assert SECRET_PASSWORD not in text
        assert SECRET_USER not in text
