"""Valid deploy units per storage type and small helpers the library tests share."""

import os
import subprocess
from typing import Dict, List, Optional, Tuple

from ovirt_he_deploy import envkeys, validation
from ovirt_he_deploy.unit import DeployUnit, Problem, ValidUnit

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
SRC = os.path.join(ROOT, "src")
GOLDEN = os.path.join(TESTS, "golden")
EXAMPLES = os.path.join(ROOT, "examples")

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
PASSWORD = "Ch4p-S3cret.value"


def uid(n: int) -> str:
    return "5c1d2e3f-{:04x}-4a5b-8c9d-0e1f2a3b4c5d".format(n)


COMMON: Dict[str, str] = {
    "fqdn": "engine.example.com",
    "vm_disk_id": uid(1),
    "vm_disk_vol_id": uid(2),
    "vmid": uid(3),
    "conf": "/var/run/ovirt-hosted-engine-ha/vm.conf",
    "host_id": "2",
    "spUUID": ZERO_UUID,
    "sdUUID": uid(4),
    "gateway": "192.0.2.1",
    "bridge": "ovirtmgmt",
    "metadata_volume_UUID": uid(5),
    "metadata_image_UUID": uid(6),
    "lockspace_volume_UUID": uid(7),
    "lockspace_image_UUID": uid(8),
    "conf_volume_UUID": uid(9),
    "conf_image_UUID": uid(10),
}

BY_TYPE: Dict[str, Dict[str, str]] = {
    "nfs": {"storage": "nfs.example.com:/exports/he", "connectionUUID": uid(11),
            "nfs_version": "auto"},
    "nfs3": {"storage": "nfs.example.com:/exports/he", "connectionUUID": uid(11)},
    "nfs4": {"storage": "nfs.example.com:/exports/he", "connectionUUID": uid(11)},
    "glusterfs": {"storage": "gl1.example.com:/he", "connectionUUID": uid(11),
                  "mnt_options": "backup-volfile-servers=gl2.example.com:gl3.example.com"},
    "iscsi": {"storage": "192.0.2.20", "iqn": "iqn.2024-01.com.example:he", "portal": "1",
              "port": "3260", "user": "chap-user", "password": PASSWORD},
    "fc": {},
}
DOMAIN_TYPES = tuple(BY_TYPE)


def config(domain_type: str = "nfs", **changes: Optional[object]) -> Dict[str, object]:
    """A valid config for a storage type; a change to None removes the key."""
    values: Dict[str, object] = dict(COMMON, domainType=domain_type)
    values.update(BY_TYPE[domain_type])
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def unit(values: Dict[str, object], action: object = "deploy") -> DeployUnit:
    return DeployUnit(action=action, config=tuple(values.items()))


def problems(values: Dict[str, object]) -> List[Problem]:
    valid, found = validation.validate(unit(values))
    assert (valid is None) == bool(found)
    return found


def valid(values: Dict[str, object]) -> ValidUnit:
    result, found = validation.validate(unit(values))
    assert found == [], "\n".join(str(p) for p in found)
    assert result is not None
    return result


def env_key(conf_key: str) -> str:
    return envkeys.CONFIG_PREFIX + conf_key


def only_problem(values: Dict[str, object], conf_key: str) -> Problem:
    """The single problem of a config, which must name HOSTED_ENGINE_CONFIG/<conf_key>."""
    found = problems(values)
    assert [p.key for p in found] == [env_key(conf_key)], "\n".join(str(p) for p in found)
    problem = found[0]
    assert problem.message.strip() and problem.fix.strip()
    assert problem.message != problem.fix
    return problem


def bash_source(path: str, cwd: str, extra_env: Optional[Dict[str, str]] = None
                ) -> Tuple[int, Dict[str, str], str]:
    """Source a file with bash (set -a) in a clean environment.

    Returns the exit status, the variables the file added to the environment and stderr.
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent-home",
           "LC_ALL": "C"}
    env.update(extra_env or {})
    script = ('env -0 > "$1"; set -a; source "$2"; rc=$?; wait; set +a; '
              'env -0 > "$3"; exit $rc')
    before = os.path.join(cwd, "..", os.path.basename(cwd) + ".env-before")
    after = os.path.join(cwd, "..", os.path.basename(cwd) + ".env-after")
    result = subprocess.run(["bash", "-c", script, "bash", before, path, after],
                            cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    base = _env0(before)
    added = {key: value for key, value in _env0(after).items()
             if key not in ("_", "rc") and base.get(key) != value}
    return result.returncode, added, result.stderr.decode("utf-8", "replace")


def _env0(path: str) -> Dict[str, str]:
    with open(path, "rb") as stream:
        data = stream.read()
    os.unlink(path)
    values = {}
    for item in data.split(b"\0"):
        if item:
            key, _, value = item.decode("utf-8", "surrogateescape").partition("=")
            values[key] = value
    return values
