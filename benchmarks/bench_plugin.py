"""Rerun cost: what a second identical deploy writes, copies and restarts (in-process runs
through the otopi test double; the time a rerun takes is in bench_process)."""

import os
import tempfile
from typing import Any, Dict, List, Sequence, Tuple

import he_host
from benchlib import Row

from ovirt_he_deploy import envkeys

SECTION_RERUN = "Rerun cost"
OUR_EVENTS = "otopi.plugins.ovirt_he_deploy."

# inode, mtime and size of a file: it counts as written when any of them changed.
Snapshot = Dict[str, Tuple[int, int, int]]


def snapshot(host: he_host.Host) -> Snapshot:
    """Every file on the fake host but the run's logs and the fakes' state."""
    found = {}
    for path in host.files():
        status = os.stat(os.path.join(host.root, path))
        found[path] = (status.st_ino, status.st_mtime_ns, status.st_size)
    return found


def _check(variant: str, result: Any) -> None:
    """A run that measured the wrong thing must not become a number."""
    if result.exit_code != 0:
        raise RuntimeError("{} run failed ({}):\n{}".format(
            variant, result.exit_code, result.log_text[-2000:]))
    ours = [method for method in result.methods if method.startswith(OUR_EVENTS)]
    if variant == "baseline" and ours:
        raise RuntimeError("the baseline run loaded the group: {}".format(ours[:3]))
    if variant != "baseline" and not ours:
        raise RuntimeError("the {} run did not load the group".format(variant))
    if variant == "deploy" and not result.environment.get("CORE/modifiedFiles"):
        raise RuntimeError("the deploy run wrote no file")


def _service_calls(calls: Sequence[str], method: str) -> List[str]:
    """Service names of the recorded calls 'stage services.METHOD NAME ...'."""
    found = []
    for call in calls:
        words = call.split()
        if len(words) >= 3 and words[1] == "services." + method:
            found.append(words[2])
    return found


def _is_backup(path: str, known: Sequence[str]) -> bool:
    """A *.previous file, or a new file named after an existing one plus a suffix
    (hosted-engine.conf.20240101-1200, ha.conf.bak, ...)."""
    if ".previous" in os.path.basename(path):
        return True
    return any(path != other and path.startswith(other + ".") for other in known)


# The two ways a deploy runs (envkeys.INSTALL_MISSING_ONLY): `host deploy` and the 4.4+
# engine hook install only what is missing; engines up to 4.3 run the group through otopi
# beside ovirt-host-deploy, which stops vdsmd for every host install: there the group stops
# the HA services around its install-or-update, as ovirt-host-deploy's own plugin did, and
# holds local maintenance while they are stopped.
PATHS = (
    ("host deploy, 4.4+ hook", ("{}=bool:True".format(envkeys.INSTALL_MISSING_ONLY.name),),
     True),
    ("otopi path, engines up to 4.3", (), False),
)


def rerun_cost() -> Tuple[List[Row], List[str]]:
    """A second identical deploy on the same fake host: what it writes, copies, restarts."""
    rows: List[Row] = []
    for name, statements, completes_quietly in PATHS:
        rows += _rerun_rows(name, statements, completes_quietly)
    notes = [
        "Rerun cost: the scan covers every file below the fake host's root except the run "
        "logs and the fakes' own state file. The run lock ({}, {} on a host) gets the "
        "holder's pid on every run by design, so it is reported on its own line. On the "
        "otopi path of engines up to 4.3 a rerun stops ovirt-ha-agent and ovirt-ha-broker "
        "before the install-or-update and starts them in closeup (ovirt-host-deploy stops "
        "vdsmd for every host install; its own hosted-engine plugin stopped them the same "
        "way), with local maintenance set in ha.conf while they are stopped and taken back "
        "at the commit: ha.conf ends as it was, with a new mtime. Those rows are measured, "
        "not targets.".format(envkeys.LOCK_FILE.name, envkeys.LOCK_FILE.default),
    ]
    return rows, notes


def _rerun_rows(name: str, statements: Sequence[str], quiet: bool) -> List[Row]:
    section = "{}: {}".format(SECTION_RERUN, name)
    with tempfile.TemporaryDirectory(prefix="he-bench-") as root:
        host = he_host.make_host(os.path.join(root, "host"))
        _check("deploy", host.run(he_host.example("nfs.conf"), *statements))
        before = snapshot(host)
        second = host.run(he_host.example("nfs.conf"), *statements)
        _check_rerun(second)
        after = snapshot(host)
    modified = list(second.environment.get("CORE/modifiedFiles") or [])
    new = sorted(set(after) - set(before))
    changed = sorted(path for path in before if path in after and after[path] != before[path])
    removed = sorted(set(before) - set(after))
    lock = os.path.relpath(host.lock, host.root)
    written = [path for path in new + changed + removed if path != lock]
    backups = [path for path in new if _is_backup(path, sorted(before))]
    restarts = _service_calls(second.calls, "restart")
    stops = [service for service, state in _service_states(second.calls) if not state]
    return [
        Row(section, "files written by a second identical deploy (CORE/modifiedFiles)",
            float(len(modified)), "files", target=0.0, comparison="=",
            shown=_listed(modified, "files"), raw={"files": modified}),
        Row(section, "files new, changed or removed on the fake host, lock file aside "
            "(scan: inode, mtime, size)", float(len(written)), "files",
            target=0.0 if quiet else None, comparison="=", shown=_listed(written, "files"),
            raw={"new": new, "changed": changed, "removed": removed}),
        Row(section, "run lock rewritten (it holds the pid)",
            float(lock in changed or lock in new), "", shown="yes" if lock in changed + new
            else "no", raw={"lock": lock}),
        Row(section, "backups created (*.previous, timestamped copies)",
            float(len(backups)), "files", target=0.0, comparison="=",
            shown=_listed(backups, "files"), raw={"backups": backups}),
        Row(section, "service restarts (HE_FAKES/calls)", float(len(restarts)),
            "restarts", target=0.0, comparison="=", shown=_listed(restarts, "restarts"),
            raw={"restarts": restarts}),
        Row(section, "services stopped (HE_FAKES/calls)", float(len(stops)), "stops",
            target=0.0 if quiet else None, comparison="=", shown=_listed(stops, "stops"),
            raw={"stops": stops}),
    ]


def _service_states(calls: Sequence[str]) -> List[Tuple[str, bool]]:
    """(service, state) of the recorded calls 'stage services.state NAME True|False'."""
    found = []
    for call in calls:
        words = call.split()
        if len(words) >= 4 and words[1] == "services.state":
            found.append((words[2], words[3] == "True"))
    return found


def _check_rerun(result: Any) -> None:
    if result.exit_code != 0:
        raise RuntimeError("the second deploy failed ({}):\n{}".format(
            result.exit_code, result.log_text[-2000:]))


def _listed(items: Sequence[str], unit: str) -> str:
    if not items:
        return "0 {}".format(unit)
    return "{} {} ({})".format(len(items), unit, ", ".join(items))
