"""CLI cost: wall time and peak RSS of `ovirt-he-deploy preview`, one subprocess per run."""

import os
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Tuple

from benchlib import EXAMPLES, Row, median, spread

SECTION = "CLI"
CONSOLE_SCRIPT = "ovirt-he-deploy"


def command(library_dir: str) -> Tuple[List[str], Dict[str, str], str]:
    """The installed console script next to this interpreter, else `python -m` on the
    library this run imports; with the environment to run it in and a description."""
    env = dict(os.environ)
    script = os.path.join(os.path.dirname(sys.executable), CONSOLE_SCRIPT)
    if os.path.exists(script):
        return [script], env, "the installed console script " + script
    parent = os.path.dirname(library_dir)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (parent, env.get("PYTHONPATH")) if p)
    return [sys.executable, "-m", "ovirt_he_deploy"], env, \
        "`python -m ovirt_he_deploy` from " + parent


GNU_TIME = "/usr/bin/time"
# Prints "RSS_KIB WALL_MS" last on stderr, so its own start-up is not in the wall time.
WAIT4_WRAPPER = """import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
wall = (time.perf_counter() - start) * 1000.0
child.returncode = os.waitstatus_to_exitcode(status)
sys.stderr.write("%d %.3f\\n" % (usage.ru_maxrss, wall))
sys.exit(child.returncode)
"""


def _rss_wrapper() -> Tuple[List[str], str]:
    """What to run each measured command under, so that its peak RSS is its own.

    ru_maxrss survives exec: a child forked (or vforked) from this process starts with this
    process's high-water mark, which grows with the in-process benchmarks. GNU time is a
    tiny parent; failing that, a fresh Python parent reports os.wait4 of its only child."""
    if os.access(GNU_TIME, os.X_OK):
        return [GNU_TIME, "-f", "%M"], "GNU time (%M) as the parent of each run"
    return [sys.executable, "-c", WAIT4_WRAPPER], \
        "a small Python parent per run reporting os.wait4 ru_maxrss of its child"


def measure(argv: List[str], env: Dict[str, str]) -> Tuple[float, float]:
    """Wall milliseconds and peak RSS (MiB) of one run of argv."""
    wrapper, _described = _rss_wrapper()
    start = time.perf_counter()
    done = subprocess.run(wrapper + argv, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000.0
    lines = done.stderr.strip().splitlines()
    fields = lines[-1].split() if lines else []
    if done.returncode != 0 or not fields or not fields[0].isdigit():
        raise RuntimeError("{} exited {}:\n{}{}".format(
            " ".join(argv), done.returncode, done.stdout[-1000:], done.stderr[-2000:]))
    if len(fields) > 1:
        elapsed = float(fields[1])
    return elapsed, int(fields[0]) / 1024.0


def preview_cost(library_dir: str, runs: int) -> Tuple[List[Row], List[str]]:
    base, env, described = command(library_dir)
    unit = os.path.join(EXAMPLES, "nfs.conf")
    walls: List[float] = []
    peaks: List[float] = []
    floor_walls: List[float] = []
    floor_peaks: List[float] = []
    floor = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory(prefix="he-bench-cli-") as parent:
        for number in range(runs + 1):
            root = os.path.join(parent, "preview-{}".format(number))
            wall, peak = measure(base + ["preview", unit, "--root", root], env)
            floor_wall, floor_peak = measure(floor, env)
            if number == 0:
                continue  # warm-up: page cache, first bytecode compile
            walls.append(wall)
            peaks.append(peak)
            floor_walls.append(floor_wall)
            floor_peaks.append(floor_peak)
        written = _written(os.path.join(parent, "preview-1"))
    rows = [
        Row(SECTION, "preview examples/nfs.conf --root TMP, wall, median of {}".format(runs),
            median(walls), "ms", target=300.0, raw=spread(walls)),
        Row(SECTION, "preview examples/nfs.conf --root TMP, peak RSS, median of {}".format(
            runs), median(peaks), "MiB", target=60.0, raw=spread(peaks)),
        Row(SECTION, "for scale: `python -c pass`, wall / peak RSS, median of {}".format(runs),
            median(floor_walls), "ms", shown="{:.1f} ms / {:.1f} MiB".format(
                median(floor_walls), median(floor_peaks)),
            raw={"wall": spread(floor_walls), "rss": spread(floor_peaks)}),
    ]
    notes = [
        "CLI: {}, one subprocess per run after one warm-up run, each with a fresh --root "
        "(it wrote {}). Peak RSS: {}; wall time is taken around that parent.".format(
            described, ", ".join(written) or "nothing", _rss_wrapper()[1]),
    ]
    return rows, notes


def _written(root: Optional[str]) -> List[str]:
    found = []
    for top, _dirs, names in os.walk(root or ""):
        for name in names:
            found.append(os.path.relpath(os.path.join(top, name), root or ""))
    return sorted(found)
