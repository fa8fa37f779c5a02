"""Valid deploy units per storage type and small helpers the library tests share."""

import collections
import grp
import os
import pwd
from typing import Dict, List, Optional, Tuple  # noqa: F401 (type comments)

from he_host import native_text  # noqa: F401 (for the library's tests)
from otopi_harness import run_process

from ovirt_he_deploy import envkeys, safety, validation
from ovirt_he_deploy.unit import DeployUnit

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
SRC = os.path.join(ROOT, "src")
GOLDEN = os.path.join(TESTS, "golden")
EXAMPLES = os.path.join(ROOT, "examples")

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
PASSWORD = "Ch4p-S3cret.value"
ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def mode_of(path):  # type: (object) -> int
    return os.stat(str(path)).st_mode & 0o7777


def names(directory):  # type: (object) -> List[str]
    return sorted(os.listdir(str(directory)))


def uid(n):  # type: (int) -> str
    return "5c1d2e3f-{:04x}-4a5b-8c9d-0e1f2a3b4c5d".format(n)


def makedirs(path):  # type: (str) -> None
    """os.makedirs(path, exist_ok=True), which Python 2.7 does not have."""
    if not os.path.isdir(path):
        os.makedirs(path)


def from_bytes(data):  # type: (bytes) -> str
    """Bytes as the native str, every byte kept: on Python 3 undecodable bytes become
    surrogates (surrogateescape), on 2.7 the bytes are the str."""
    return data if str is bytes else data.decode("utf-8", "surrogateescape")


def to_bytes(text):  # type: (str) -> bytes
    """The inverse of from_bytes (a Python 2.7 unicode is written as UTF-8)."""
    if isinstance(text, bytes):
        return text
    return text.encode("utf-8", "strict" if str is bytes else "surrogateescape")


COMMON = {  # type: Dict[str, str]
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

BY_TYPE = {  # type: Dict[str, Dict[str, str]]
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


def config(domain_type="nfs", **changes):  # type: (str, Optional[object]) -> Dict[str, object]
    """A valid config for a storage type; a change to None removes the key."""
    values = dict(COMMON, domainType=domain_type)  # type: Dict[str, object]
    values.update(BY_TYPE[domain_type])
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


def unit(values, action="deploy"):  # type: (Dict[str, object], object) -> DeployUnit
    return DeployUnit(action=action, config=tuple(values.items()))


def problems(values):  # type: (Dict[str, object]) -> List[Problem]
    valid, found = validation.validate(unit(values))
    assert (valid is None) == bool(found)
    return found


def valid(values):  # type: (Dict[str, object]) -> ValidUnit
    result, found = validation.validate(unit(values))
    assert found == [], "\n".join(str(p) for p in found)
    assert result is not None
    return result


def env_key(conf_key):  # type: (str) -> str
    return envkeys.CONFIG_PREFIX + conf_key


def only_problem(values, conf_key):  # type: (Dict[str, object], str) -> Problem
    """The single problem of a config, which must name HOSTED_ENGINE_CONFIG/<conf_key>."""
    found = problems(values)
    # Keys are shown escaped: no control character reaches a terminal or a log.
    assert [p.key for p in found] == [safety.printable(env_key(conf_key))], \
        "\n".join(str(p) for p in found)
    problem = found[0]
    assert problem.message.strip() and problem.fix.strip()
    assert problem.message != problem.fix
    return problem


def bash_source(path, cwd, extra_env=None):
    # type: (str, str, Optional[Dict[str, str]]) -> Tuple[int, Dict[str, str], str]
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
    result = run_process(["bash", "-c", script, "bash", before, path, after],
                         cwd=cwd, env=env, timeout=20, text=False)
    base = _env0(before)
    added = {key: value for key, value in _env0(after).items()
             if key not in ("_", "rc") and base.get(key) != value}
    return result.returncode, added, result.stderr.decode("utf-8", "replace")


def _env0(path):  # type: (str) -> Dict[str, str]
    with open(path, "rb") as stream:
        data = stream.read()
    os.unlink(path)
    values = {}
    for item in data.split(b"\0"):
        if item:
            key, _, value = from_bytes(item).partition("=")
            values[key] = value
    return values


# -- hosted-engine's bash ------------------------------------------------------------------
#
# hosted-engine (setup src/bin/hosted-engine.in) is a #!/bin/sh script, which on Enterprise
# Linux is bash in POSIX mode; it sets no options and runs `source hosted-engine.conf` (line
# 27) as root. Both modes are tried. PATH is an empty directory and command_not_found_handle
# records every command bash tries to run, so "nothing ran" is observable; the values are
# read through positional parameters only, so no key of the file can shadow the reader.

BASH = "/bin/bash"
BASH_MODES = (("bash", ()), ("bash-posix", ("--posix",)))
_SOURCE_SCRIPT = r'''
command_not_found_handle() { printf '%s\n' "$1" >> "$HE_TEST_RAN"; return 127; }
source "$1"
set -- "$?" "$@"
{
  printf '%s\0' "$1"; shift 2
  while [ "$#" -gt 0 ]; do
    if [ "${!1+set}" = set ]; then printf 'S%s\0' "${!1}"; else printf 'U\0'; fi
    shift
  done
} > "$HE_TEST_OUT"
'''


class Sourced(collections.namedtuple("Sourced", (
        "rc",       # Optional[int]
        "values",   # Dict[str, Optional[str]]
        "stdout",   # str
        "stderr",   # str
        "created",  # List[str]
        "ran",      # List[str]
))):
    """What `source` did with a file: status, values (None: unset), output, side effects."""
    __slots__ = ()


def source_like_hosted_engine(text, keys, workdir, options=()):
    # type: (str, List[str], str, Tuple[str, ...]) -> Sourced
    """Write text to a file, `source` it with bash as hosted-engine does, read keys back."""
    makedirs(workdir)
    conf = os.path.join(workdir, "hosted-engine.conf")
    out = os.path.join(workdir, "values")
    ran_log = os.path.join(workdir, "ran")
    cwd = os.path.join(workdir, "cwd")
    empty_bin = os.path.join(workdir, "no-commands")
    for path in (cwd, empty_bin):
        makedirs(path)
    for path in (out, ran_log):
        if os.path.exists(path):
            os.unlink(path)
    with open(conf, "wb") as stream:
        stream.write(to_bytes(text))
    before = set(os.listdir(cwd))
    result = run_process(
        [BASH] + list(options) + ["-c", _SOURCE_SCRIPT, "sh", conf] + list(keys),
        cwd=cwd, timeout=20, text=False,
        env={"PATH": empty_bin, "HOME": "/nonexistent-home", "LC_ALL": "C",
             "HE_TEST_OUT": out, "HE_TEST_RAN": ran_log})
    created = sorted(set(os.listdir(cwd)) - before)
    for name in created:
        path = os.path.join(cwd, name)
        if os.path.isfile(path):
            os.unlink(path)
    rc = None  # type: Optional[int]
    values = {}  # type: Dict[str, Optional[str]]
    if os.path.exists(out):
        with open(out, "rb") as stream:
            fields = stream.read().split(b"\0")[:-1]
        rc = int(fields[0])
        for key, field in zip(keys, fields[1:]):
            text_value = from_bytes(field)
            values[key] = text_value[1:] if text_value.startswith("S") else None
    ran = []  # type: List[str]
    if os.path.exists(ran_log):
        with open(ran_log) as stream:
            ran = stream.read().splitlines()
    return Sourced(rc, values, result.stdout.decode("utf-8", "replace"),
                   result.stderr.decode("utf-8", "replace"), created, ran)


def conf_values(text):  # type: (str) -> Dict[str, str]
    """The key=value lines of a rendered hosted-engine.conf, split at the first '='."""
    values = {}
    for line in text.split("\n"):
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values
