"""Run the post-task hook the way a 4.4+ engine does: ansible-core, a play shaped like
ovirt-engine's ovirt-host-deploy.yml, against this machine with connection: local.

Everything lands below one temp dir: the fake host (tests/he_host.py), the engine's files,
the units' temp files, Ansible's temp and log, and the small executables standing in for the
installed `ovirt-he-deploy` and `otopi`.
"""

import importlib.util
import json
import os
import stat
import subprocess
import sys
from typing import Dict, List, NamedTuple, Optional

import he_host
import otopi_harness
import pytest
from paths import DOUBLE, PLUGINS, ROOT, SRC

TASKS_FILE = os.path.join(ROOT, "src", "ansible", "ovirt-he-deploy-post-tasks.yml")
OTOPI_TREE_ENV = "OTOPI_TREE"
ENGINE_CONF = "temp-he-config"
RUNNING_HOST_ID = 1
HOST_CTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_host_ctl.py")
# Engine generations by what their Hosted Engine role does to the conf's owner and mode.
GENERATIONS = ("4.5", "4.4.3", "4.4.0")


# The installed command; it records each call's first words and its unit argument (host
# deploy's UNIT, answer-file's -o), so a test can tell where the unit went.
COMMAND = """#!/bin/sh
case "$1 $2" in
    "host deploy") echo "host deploy $3" >> {calls} ;;
    "answer-file "*) eval "out=\\${{$#}}"; echo "answer-file -o $out" >> {calls} ;;
esac
PYTHONPATH={src}${{PYTHONPATH:+:$PYTHONPATH}} exec {python} -m ovirt_he_deploy "$@"
"""


def ansible_missing() -> Optional[str]:
    """Why ansible-core cannot run here, or None."""
    try:
        found = importlib.util.find_spec("ansible.cli.playbook")
    except ImportError:
        found = None
    if found is None:
        return ("ansible-core is not importable by {} (pip install ansible-core; it needs "
                "Python >= 3.10 here)".format(sys.executable))
    return None


def real_otopi_tree() -> str:
    """$OTOPI_TREE, a runnable otopi source tree; the test is skipped without it."""
    tree = os.environ.get(OTOPI_TREE_ENV)
    if not tree:
        pytest.skip("{} is not set: the real otopi run needs an otopi source tree".format(
            OTOPI_TREE_ENV))
    if not os.path.isfile(os.path.join(tree, "src", "bin", "otopi")):
        pytest.skip("{}={} has no src/bin/otopi".format(OTOPI_TREE_ENV, tree))
    if importlib.util.find_spec("distro") is None:
        pytest.skip("the real otopi needs the distro module in {}".format(sys.executable))
    return tree


def _executable(path: str, text: str) -> str:
    with open(path, "w") as stream:
        stream.write(text)
    os.chmod(path, stat.S_IRWXU)
    return path


def running_host_conf(host_id: int = RUNNING_HOST_ID, drop: str = "") -> str:
    """hosted-engine.conf as the host running the engine VM holds it (iSCSI with CHAP)."""
    with open(os.path.join(ROOT, "tests", "golden", "iscsi-chap.hosted-engine.conf")) as stream:
        lines = stream.read().splitlines()
    lines = ["host_id={}".format(host_id) if line.startswith("host_id=") else line
             for line in lines if not (drop and line.startswith(drop + "="))]
    return "\n".join(lines) + "\n"


class PlayResult(NamedTuple):
    returncode: int
    output: str


class EngineHook:
    """One engine, one host, one tasks file; run() plays one host deploy."""

    def __init__(self, root: str, real_otopi: Optional[str] = None,
                 generation: str = "4.5"):
        self.root = root
        # The play run; tests of the engine's own role put it (engine_project.py) here.
        self.playbook = PLAYBOOK
        # --diff shows what each task changed in a file: the hook's own tasks must never show
        # the unit. The engine runs without it (AnsibleCommandConfig.build()).
        self.diff = True
        self.generation = generation
        self.host = he_host.make_host(os.path.join(root, "host"))
        if os.geteuid() == 0:
            # The HA services' account (vdsm:kvm on a host) is not root here, so a root-owned
            # copy by a 4.4 engine is a wrong owner the group must fix.
            self.host.owner = self.host.group = "daemon"
        self.record = os.path.join(root, "group-calls.jsonl")
        self.engine_dir = os.path.join(root, "engine")
        self.unit_tmp = os.path.join(root, "tmp")
        self.ansible_dir = os.path.join(root, "ansible")
        bin_dir = os.path.join(root, "bin")
        for path in (self.engine_dir, self.unit_tmp, self.ansible_dir, bin_dir):
            os.makedirs(path)
        self.engine_conf = os.path.join(self.engine_dir, ENGINE_CONF)
        self.post_tasks = os.path.join(self.engine_dir, "ovirt-host-deploy-post-tasks.yml")
        # The one line README tells the admin to put there, pointing at the source tree.
        with open(self.post_tasks, "w") as stream:
            stream.write("- import_tasks: {}\n".format(TASKS_FILE))
        self.command_calls = os.path.join(self.engine_dir, "command-calls")
        self.command = _executable(os.path.join(bin_dir, "ovirt-he-deploy"), COMMAND.format(
            src=SRC, python=sys.executable, calls=self.command_calls))
        self.env = dict(os.environ)
        if real_otopi is None:
            self.otopi = _executable(os.path.join(bin_dir, "otopi"), (
                "#!/bin/sh\nPYTHONPATH={double}${{PYTHONPATH:+:$PYTHONPATH}} "
                "exec {python} -m otopi \"$@\"\n").format(double=DOUBLE, python=sys.executable))
        else:
            self.otopi = os.path.join(real_otopi, "src", "bin", "otopi")
            self.env["OTOPI_PYTHON"] = sys.executable
            if os.geteuid() != 0:
                self.env["OTOPI_NONROOT"] = "1"
        self.env.update({
            "ANSIBLE_CONFIG": os.path.join(self.ansible_dir, "none.cfg"),
            "ANSIBLE_HOME": self.ansible_dir,
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.ansible_dir, "local-tmp"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(self.ansible_dir, "remote-tmp"),
            "ANSIBLE_LOG_PATH": os.path.join(self.ansible_dir, "ansible.log"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PIPELINING": "1",  # fewer temp files and module copies: faster runs
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_DEPRECATION_WARNINGS": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "OTOPI_CONFIG": os.path.join(self.engine_dir, "no-otopi.conf"),
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        self.env.pop("PYTHONPATH", None)
        self.env.pop("ANSIBLE_STDOUT_CALLBACK", None)

    def write_engine_conf(self, text: str) -> None:
        """What ovirt-fetch-he-config.yml leaves on the engine before the deploy play."""
        with open(self.engine_conf, "w") as stream:
            stream.write(text)
        os.chmod(self.engine_conf, 0o600)

    def host_options(self, *more: str) -> List[str]:
        """`host deploy|remove` options that point otopi at the fake host and the fakes."""
        ours = otopi_harness.group_statements(PLUGINS, he_host.GROUP)
        options = ["--otopi", self.otopi]
        for statement in list(self.host.statements()) + list(more):
            if statement not in ours:
                options += ["--otopi-statement", statement]
        return options

    def run(self, action: Optional[str], host_id: int = 3, fakes: Optional[List[str]] = None,
            engine_role: bool = True,
            more_vars: Optional[Dict[str, object]] = None) -> PlayResult:
        """One host-deploy play; action is hosted_engine_deploy_action as the engine sends
        it (None: not passed at all)."""
        extravars: Dict[str, object] = {
            # The engine's (InstallVdsInternalCommand.java:298, 331-333).
            "host_deploy_post_tasks": self.post_tasks,
            "hosted_engine_deploy_action": action,
            "hosted_engine_tmp_cfg_file": self.engine_conf,
            "hosted_engine_host_id": host_id,
            # Ours, pointing at this machine's fakes.
            "ovirt_he_deploy_command": [self.command],
            "ovirt_he_deploy_engine_command": [self.command],
            "ovirt_he_deploy_host_options": self.host_options(
                "HE_FAKES/recordFile=str:" + self.record, *(fakes or [])),
            "ovirt_he_deploy_install_package": False,
            "ovirt_he_deploy_tmpdir": self.unit_tmp,
            # The stand-in for the engine's own role, which runs before the hook.
            "test_engine_role": engine_role,
            "test_host_conf": self.host.conf,
            "test_host_ctl": [sys.executable, HOST_CTL, self.host.state],
            "test_ha_owner": self.host.owner,
            "test_ha_group": self.host.group,
            "test_engine_generation": self.generation,
            "ovirt_he_deploy_ha_conf": self.host.ha_conf,
            "ovirt_he_deploy_ha_conf_owner": self.host.owner,
            "ovirt_he_deploy_ha_conf_group": self.host.group,
        }
        extravars.update(more_vars or {})
        if action is None:
            del extravars["hosted_engine_deploy_action"]
        extravars_file = os.path.join(self.engine_dir, "extravars")
        with open(extravars_file, "w") as stream:
            json.dump(extravars, stream)
        inventory = os.path.join(self.engine_dir, "inventory")
        with open(inventory, "w") as stream:
            stream.write("localhost ansible_connection=local ansible_python_interpreter={}\n"
                         .format(sys.executable))
        process = subprocess.run(
            [sys.executable, "-m", "ansible.cli.playbook", "-i", inventory,
             "-e", "@" + extravars_file, "-vv"] + (["--diff"] if self.diff else []) +
            [self.playbook],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            universal_newlines=True, env=self.env, cwd=self.root, timeout=300)
        return PlayResult(process.returncode, process.stdout)

    def unit_arguments(self) -> List[str]:
        """'answer-file -o OUT', 'host deploy UNIT': how the commands were given the unit."""
        if not os.path.exists(self.command_calls):
            return []
        with open(self.command_calls) as stream:
            return stream.read().splitlines()

    def group_calls(self) -> List[str]:
        """'method name' of every services call the group made, over all plays so far."""
        if not os.path.exists(self.record):
            return []
        with open(self.record) as stream:
            calls = [json.loads(line) for line in stream]
        return [" ".join([call["method"]] + [str(arg) for arg in call["args"]])
                for call in calls if call["provider"] == "services"]

    def engine_calls(self) -> List[str]:
        """What the engine role's stand-in did to services and packages, over all plays."""
        path = self.host.state + ".log"  # written by fake_host_ctl.py
        if not os.path.exists(path):
            return []
        with open(path) as stream:
            return stream.read().splitlines()

    def services(self) -> Dict[str, Dict[str, bool]]:
        with open(self.host.state) as stream:
            return dict(json.load(stream)["services"])

    def leftovers(self) -> List[str]:
        """Files in the units' temp dir and in Ansible's temp dirs."""
        found = []
        for top in (self.unit_tmp, os.path.join(self.ansible_dir, "local-tmp"),
                    os.path.join(self.ansible_dir, "remote-tmp")):
            for base, _dirs, names in os.walk(top):
                found.extend(os.path.join(base, name) for name in names)
        return sorted(found)

    def files_holding(self, *secrets: str) -> List[str]:
        """Every file below the root that holds one of the secrets, but the engine's conf."""
        found = []
        for base, _dirs, names in os.walk(self.root):
            for name in names:
                path = os.path.join(base, name)
                if path == self.engine_conf:
                    continue
                with open(path, "rb") as stream:
                    data = stream.read()
                if any(secret.encode() in data for secret in secrets):
                    found.append(os.path.relpath(path, self.root))
        return sorted(found)


PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "host-deploy-play.yml")
