"""Plugin cost and rerun cost: full in-process otopi runs through the test double."""

import gc
import os
import shutil
import tempfile
import time
from typing import Any, Dict, List, Sequence, Tuple

import he_host
import otopi_harness
from benchlib import Row, median, spread

from ovirt_he_deploy import envkeys

SECTION_COST = "Plugin cost"
SECTION_RERUN = "Rerun cost"
OUR_EVENTS = "otopi.plugins.ovirt_he_deploy."
VARIANTS = ("baseline", "none", "deploy")
WARMUP_ROUNDS = 2

# inode, mtime and size of a file: it counts as written when any of them changed.
Snapshot = Dict[str, Tuple[int, int, int]]


def without_group_statement() -> str:
    """A last statement that leaves only the fakes group loaded: otopi applies statements in
    order, so it replaces what the Host's APPEND statements put into BASE/pluginGroups."""
    return "BASE/pluginGroups=str:" + otopi_harness.FAKES_GROUP


def snapshot(host: he_host.Host) -> Snapshot:
    """Every file on the fake host but the run's logs and the fakes' state."""
    found = {}
    for path in host.files():
        status = os.stat(os.path.join(host.root, path))
        found[path] = (status.st_ino, status.st_mtime_ns, status.st_size)
    return found


def _arguments(variant: str) -> Tuple[Any, Tuple[str, ...]]:
    """Unit file and extra statements for one variant; the Host already sets
    serviceCheckSeconds=int:0 and the fake host's paths."""
    if variant == "baseline":
        return None, (without_group_statement(),)
    if variant == "none":
        return None, ("{}=str:{}".format(envkeys.ACTION.name, envkeys.ACTION_NONE),)
    return he_host.example("nfs.conf"), ()


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


def _timed_run(parent: str, variant: str, *extra: str) -> float:
    """Milliseconds of one full run on a fresh fake host (host set up outside the clock)."""
    root = tempfile.mkdtemp(dir=parent)
    host = he_host.make_host(root)
    unit, more = _arguments(variant)
    gc.collect()
    start = time.perf_counter()
    result = host.run(unit, *more, *extra)
    elapsed = (time.perf_counter() - start) * 1000.0
    _check(variant, result)
    shutil.rmtree(root)
    return elapsed


def _paired(first: Sequence[float], second: Sequence[float]) -> List[float]:
    return [a - b for a, b in zip(first, second)]


def plugin_cost(runs: int, measure_default_watch: bool) -> Tuple[List[Row], List[str]]:
    """Baseline, none and deploy runs interleaved round by round (order rotated each round)."""
    times: Dict[str, List[float]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="he-bench-") as parent:
        for round_number in range(WARMUP_ROUNDS + runs):
            shift = round_number % len(VARIANTS)
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                elapsed = _timed_run(parent, variant)
                if round_number >= WARMUP_ROUNDS:
                    times[variant].append(elapsed)
        watch_ms = None
        if measure_default_watch:
            watch_ms = _timed_run(parent, "deploy", "{}=int:{}".format(
                envkeys.SERVICE_CHECK_SECONDS.name, envkeys.SERVICE_CHECK_SECONDS.default))

    baseline, none, deploy = times["baseline"], times["none"], times["deploy"]
    deploy_over_none = _paired(deploy, none)
    none_over_baseline = _paired(none, baseline)
    deploy_over_baseline = _paired(deploy, baseline)
    ratio = median(deploy) / median(none)
    per = "{} runs each".format(runs)
    rows = [
        Row(SECTION_COST, "run without the group loaded (baseline), median of " + per,
            median(baseline), "ms", raw=spread(baseline)),
        Row(SECTION_COST, "run with the group, action none, median of " + per,
            median(none), "ms", raw=spread(none)),
        Row(SECTION_COST, "run with the group, action deploy (nfs), median of " + per,
            median(deploy), "ms", raw=spread(deploy)),
        Row(SECTION_COST, "deploy adds over none (median of paired differences)",
            median(deploy_over_none), "ms", target=50.0, raw=spread(deploy_over_none)),
        Row(SECTION_COST, "deploy / none (ratio of medians)", ratio, "x",
            raw={"ratio": ratio}),
        Row(SECTION_COST, "none adds over baseline (median of paired differences)",
            median(none_over_baseline), "ms", target=5.0, raw=spread(none_over_baseline)),
        Row(SECTION_COST, "deploy adds over baseline (median of paired differences)",
            median(deploy_over_baseline), "ms", raw=spread(deploy_over_baseline)),
    ]
    notes = [
        "Plugin cost: in-process runs of the otopi test double (tests/otopi_double), "
        "{} measured rounds after {} warm-up rounds; each round runs baseline, none and "
        "deploy once, in an order rotated every round, each on a fresh fake host. The "
        "double re-imports the plugin modules every run; the library stays imported after "
        "the first run, as it would in one otopi process.".format(runs, WARMUP_ROUNDS),
        "Deploy runs set {}=int:0.".format(envkeys.SERVICE_CHECK_SECONDS.name) + (
            " With the default ({} s) one deploy run took {:.0f} ms: that is a deliberate "
            "watch of the HA services after starting them, not cost.".format(
                envkeys.SERVICE_CHECK_SECONDS.default, watch_ms)
            if watch_ms is not None else
            " The default ({} s) is a deliberate watch of the HA services after starting "
            "them, not cost (not measured in --quick).".format(
                envkeys.SERVICE_CHECK_SECONDS.default)),
    ]
    return rows, notes


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


def rerun_cost() -> Tuple[List[Row], List[str]]:
    """A second identical deploy on the same fake host: what it writes, copies, restarts."""
    with tempfile.TemporaryDirectory(prefix="he-bench-") as root:
        host = he_host.make_host(os.path.join(root, "host"))
        _check("deploy", host.run(he_host.example("nfs.conf")))
        before = snapshot(host)
        second = host.run(he_host.example("nfs.conf"))
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
    stops = _service_calls(second.calls, "state")
    rows = [
        Row(SECTION_RERUN, "files written by a second identical deploy (CORE/modifiedFiles)",
            float(len(modified)), "files", target=0.0, comparison="=",
            shown=_listed(modified, "files"), raw={"files": modified}),
        Row(SECTION_RERUN, "files new, changed or removed on the fake host, lock file aside "
            "(scan: inode, mtime, size)", float(len(written)), "files", target=0.0,
            comparison="=", shown=_listed(written, "files"),
            raw={"new": new, "changed": changed, "removed": removed}),
        Row(SECTION_RERUN, "run lock rewritten (it holds the pid)",
            float(lock in changed or lock in new), "", shown="yes" if lock in changed + new
            else "no", raw={"lock": lock}),
        Row(SECTION_RERUN, "backups created (*.previous, timestamped copies)",
            float(len(backups)), "files", target=0.0, comparison="=",
            shown=_listed(backups, "files"), raw={"backups": backups}),
        Row(SECTION_RERUN, "service restarts (HE_FAKES/calls)", float(len(restarts)),
            "restarts", shown=_listed(restarts, "restarts"),
            raw={"restarts": restarts, "state_changes": stops}),
    ]
    notes = [
        "Rerun cost: the scan covers every file below the fake host's root except the run "
        "logs and the fakes' own state file. The run lock ({}, {} on a host) gets the "
        "holder's pid on every run by design, so it is reported on its own line. Restarts are "
        "as measured: every deploy restarts ovirt-ha-broker and ovirt-ha-agent, because the "
        "packages stage stops them before updating the HA packages and VDSM may have "
        "restarted.".format(envkeys.LOCK_FILE.name, envkeys.LOCK_FILE.default),
    ]
    return rows, notes


def _check_rerun(result: Any) -> None:
    if result.exit_code != 0:
        raise RuntimeError("the second deploy failed ({}):\n{}".format(
            result.exit_code, result.log_text[-2000:]))


def _listed(items: Sequence[str], unit: str) -> str:
    if not items:
        return "0 {}".format(unit)
    return "{} {} ({})".format(len(items), unit, ", ".join(items))
