"""A fake host for end-to-end runs of the plugin group through the otopi test double.

Shared by every test that runs the group (import it as he_host; tests/ is on sys.path).
"""

import grp
import os
import pwd
from typing import Dict, List, Optional

import otopi_harness
from paths import DOUBLE, EXAMPLES, PLUGINS, SRC

from ovirt_he_deploy import otopiconf

GROUP = "ovirt-he-deploy"
SECRET_PASSWORD = "Ch4p-S3cret.value"
SECRET_USER = "he-chap-user"


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

    def statements(self, unit: Optional[str] = None, *more: str) -> List[str]:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        out = otopi_harness.group_statements(PLUGINS, GROUP)
        out += otopi_harness.fakes_statements()
        out += [
            "OVIRT_HE_DEPLOY/confFile=str:" + self.conf,
            "OVIRT_HE_DEPLOY/haConfFile=str:" + self.ha_conf,
            "OVIRT_HE_DEPLOY/lockFile=str:" + self.lock,
            "OVIRT_HE_DEPLOY/confOwner=str:" + user,
            "OVIRT_HE_DEPLOY/confGroup=str:" + group,
            "OVIRT_HE_DEPLOY/serviceCheckSeconds=int:0",
            "HE_FAKES/stateFile=str:" + self.state,
            "CORE/logDir=str:" + self.logdir,
        ]
        if unit is not None:
            out.append("CORE/configFileAppend=str:" + unit)
        return out + self.extra + list(more)

    def run(self, unit: Optional[str] = None, *more: str,
            os_env: Optional[Dict[str, Optional[str]]] = None,
            inprocess: bool = True) -> otopi_harness.RunResult:
        env = {"OTOPI_CONFIG": os.path.join(self.root, "no-otopi.conf")}
        if not inprocess:
            env["PYTHONPATH"] = os.pathsep.join((DOUBLE, SRC))
        env.update(os_env or {})
        return otopi_harness.run_otopi(self.statements(unit, *more), os_env=env,
                                       inprocess=inprocess)

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

    def files(self) -> List[str]:
        """Files on the fake host, without the run's logs and the fakes' own state file."""
        found = []
        for top, _dirs, names in os.walk(self.root):
            for name in names:
                path = os.path.join(top, name)
                if not path.startswith(self.logdir) and path != self.state:
                    found.append(os.path.relpath(path, self.root))
        return sorted(found)


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
