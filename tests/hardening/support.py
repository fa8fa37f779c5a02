"""Shared helpers of the hardening tests: the fake host, corpus index, secret scanner."""

import glob
import json
import os
import re
import subprocess
import sys
import time
import uuid
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import he_host
from he_host import PREFIX, Host, example, make_host  # noqa: F401 (re-exported for the tests)
from paths import DOUBLE, SRC, TESTS

CORPUS = os.path.join(TESTS, "corpus")

# The corpus' CHAP credentials: chosen so they occur in no other log text.
CORPUS_USER = "hrdn-chapusr"
CORPUS_PASSWORD = "Hx9pw-Secr3t.42"
SECRETS: Tuple[str, ...] = (CORPUS_USER, CORPUS_PASSWORD, he_host.SECRET_USER,
                            he_host.SECRET_PASSWORD)
OLD_CONF = b"# an earlier deploy, holding a CHAP password\nhost_id=7\npassword=Old-Pw.1\n"
OLD_HA = b"# admin note\nlocal_maintenance=False\nlocal_maintenance_manual=False\n"


class CorpusCase(NamedTuple):
    file: str
    key: str
    otopi: str  # validation | init | noop

    @property
    def path(self) -> str:
        return os.path.join(CORPUS, self.file)

    @property
    def id(self) -> str:
        return self.file[:-len(".conf")]

    @property
    def key_text(self) -> str:
        """What a message naming the key contains."""
        if self.key == "HOSTED_ENGINE_CONFIG/(empty)":
            return "HOSTED_ENGINE_CONFIG/:"
        if self.key == "(file)":
            return self.file
        return self.key


def corpus_cases() -> List[CorpusCase]:
    cases = []
    with open(os.path.join(CORPUS, "EXPECTED.txt")) as stream:
        for line in stream:
            if line.strip() and not line.startswith("#"):
                file, rest = line.rstrip("\n").split(" ", 1)
                key, otopi = rest.rsplit(" ", 1)
                cases.append(CorpusCase(file, key, otopi))
    return cases


# -- secrets ------------------------------------------------------------------------------

def secret_forms(secret: str) -> List[str]:
    """Every way a secret can show up in text: raw, typed, quoted, repr'd, JSON."""
    forms = {secret, repr(secret), ascii(secret), repr(secret)[1:-1], json.dumps(secret),
             "str:" + secret, "'{}'".format(secret), '"{}"'.format(secret)}
    for line in secret.splitlines():
        if len(line) >= 4:
            forms.add(line)
    return sorted(forms)


def find_secrets(texts: Dict[str, str], secrets: Iterable[str] = SECRETS) -> List[str]:
    """'where: form' for every secret form found in any of the named texts."""
    found = []
    for secret in secrets:
        for form in secret_forms(secret):
            for where, text in texts.items():
                if form and form in text:
                    found.append("{}: {!r}".format(where, form))
    return found


def run_texts(result, *dirs: str) -> Dict[str, str]:
    """Everything a run showed or left behind: output, log, every file in the log dirs."""
    texts = {name: getattr(result, name, "") or "" for name in
             ("stdout", "stderr", "log_text", "log_file_text")}
    env = getattr(result, "environment", {}) or {}
    texts["exceptions"] = str(env.get("BASE/exceptionInfo", ""))
    for attr in ("transcript",):
        if hasattr(result, attr):
            texts[attr] = "\n".join(line for line in getattr(result, attr)
                                    if line.startswith("< "))
    log_dirs = set(dirs)
    if getattr(result, "log_file", None):
        log_dirs.add(os.path.dirname(result.log_file))
    for directory in log_dirs:
        for path in glob.glob(os.path.join(directory, "**", "*"), recursive=True):
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as stream:
                    texts[path] = stream.read()
    return texts


def assert_no_secret_in_run(result, host: Optional[Host] = None,
                            extra: Sequence[str] = ()) -> None:
    dirs = (host.logdir,) if host is not None else ()
    found = find_secrets(run_texts(result, *dirs), tuple(SECRETS) + tuple(extra))
    assert not found, "secret leaked: {}".format(found)


def assert_no_secret_in_dir(directory: str, extra: Sequence[str] = ()) -> None:
    """No secret in any file below directory (a run's logs)."""
    texts = {}
    for path in glob.glob(os.path.join(directory, "**", "*"), recursive=True):
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as stream:
                texts[path] = stream.read()
    found = find_secrets(texts, tuple(SECRETS) + tuple(extra))
    assert not found, "secret leaked: {}".format(found)


def assert_no_secret_in_text(*texts: str, extra: Sequence[str] = ()) -> None:
    found = find_secrets({"text{}".format(i): t for i, t in enumerate(texts)},
                         tuple(SECRETS) + tuple(extra))
    assert not found, "secret leaked: {}".format(found)


# -- runs ---------------------------------------------------------------------------------

def our_events(result) -> List[Tuple[str, str]]:
    """(stage id, Plugin.method) of every event of our group that ran."""
    return [(stage, method[len(PREFIX):]) for stage, method, _name in result.events
            if method.startswith(PREFIX)]


FAILED_IN = re.compile(r"Exception in (\S+)")


def failed_method(result) -> Optional[str]:
    match = FAILED_IN.search(result.log_text)
    return match.group(1) if match else None


def failed_stage(result) -> Optional[str]:
    method = failed_method(result)
    for stage, name, _ in reversed(result.events):
        if name == method:
            return stage
    return None


def subprocess_env(host: Host, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join((DOUBLE, SRC))
    env["OTOPI_CONFIG"] = os.path.join(host.root, "no-otopi.conf")
    env["OTOPI_LOGDIR"] = host.logdir
    env.update(extra or {})
    return env


def start_paused(host: Host, unit: str, point: str, *more: str,
                 python: Optional[str] = None) -> Tuple[subprocess.Popen, str, int]:
    """Start a subprocess run that stops at `point` (STAGE_X[:PRIORITY_Y]); wait for it."""
    pause_file = os.path.join(host.root, "pause-{}".format(uuid.uuid4().hex))
    env = subprocess_env(host, {"HE_FAKES_PAUSE": point, "HE_FAKES_PAUSE_FILE": pause_file})
    proc = subprocess.Popen(
        [python or sys.executable, "-m", "otopi"] + host.statements(unit, *more),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, env=env)
    deadline = time.monotonic() + 30
    while not os.path.exists(pause_file):
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError("run ended before pausing at {}:\n{}\n{}".format(
                point, out[-3000:], err[-3000:]))
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("run did not reach {}".format(point))
        time.sleep(0.02)
    with open(pause_file) as stream:
        pid = int(stream.read().strip())
    return proc, pause_file, pid


def host_state(host: Host) -> Dict[str, Optional[bytes]]:
    """Bytes of every file on the fake host (logs, fakes state and lock excluded)."""
    out = {}
    for name in host.files():
        if name == os.path.basename(host.lock) or name.startswith("pause-"):
            continue
        out[name] = host.read(os.path.join(host.root, name))
    return out


def temp_files(host: Host) -> List[str]:
    return [name for name in host.files() if name.endswith(".tmp")]


def write(path: str, data: bytes, mode: int = 0o644) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
    os.chmod(path, mode)


def cli(*argv: str, python: Optional[str] = None) -> subprocess.CompletedProcess:
    """ovirt-he-deploy as a command (python -m ovirt_he_deploy), from the source tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC
    return subprocess.run([python or sys.executable, "-m", "ovirt_he_deploy"] + list(argv),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=env, timeout=60)


def rerun_keeps_maintenance_until_cleared(host: Host, unit: str, *more: str):
    """A deploy after one that failed or was killed: the local maintenance that run set is
    on before this one, and cannot be told from the engine's or an admin's, so the rerun
    keeps it and says so (the engine clears it when it activates the host); one with
    clearLocalMaintenance clears it, as ovirt-host-deploy did. Returns the first rerun."""
    rerun = host.run(unit, *more)
    assert rerun.exit_code == 0, rerun.stdout[-3000:]
    assert host.ha_values()["local_maintenance"] == "True"
    assert "was in local maintenance before this run" in rerun.stdout
    cleared = host.run(unit, "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True", *more)
    assert cleared.exit_code == 0, cleared.stdout[-3000:]
    assert host.ha_values() == {"local_maintenance": "False",
                                "local_maintenance_manual": "False"}
    return rerun
