"""CLI cost: wall time and peak RSS of `ovirt-he-deploy check` and `preview`, one whole
process per run."""

import os
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Tuple

import procrun
from benchlib import EXAMPLES, SRC, Row, median, spread

SECTION = "CLI"
CONSOLE_SCRIPT = "ovirt-he-deploy"
TARGET_CHECK_MS = 150.0
TARGET_CHECK_MB = 40.0
MB = 1000.0 * 1000.0


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


def measure(argv: List[str], env: Dict[str, str]) -> Tuple[float, float]:
    """Wall milliseconds and peak RSS (MiB) of one successful run of argv."""
    done = procrun.measure(argv, env)
    if done.returncode != 0:
        raise RuntimeError("{} exited {}:\n{}".format(
            " ".join(argv), done.returncode, done.stderr[-2000:]))
    return done.wall_ms, done.rss_kib / 1024.0


def _installed_library(parent: str, python: str) -> str:
    """A byte-compiled copy of the library (without the engine subpackage), as the RPM
    installs it into site-packages; returns the directory to put on PYTHONPATH."""
    site = os.path.join(parent, "site-packages")
    library = os.path.join(SRC, "ovirt_he_deploy")
    shutil.copytree(library, os.path.join(site, "ovirt_he_deploy"),
                    ignore=lambda d, names: [n for n in names if n == "__pycache__" or (
                        d == library and n == "engine")])
    subprocess.check_call([python, "-m", "compileall", "-q", site], env=procrun.clean_env(),
                          stdout=subprocess.DEVNULL)
    return site


def cli_cost(runs: int, python: Optional[str] = None) -> Tuple[List[Row], List[str]]:
    """check and preview of examples/nfs.conf, and `python -c pass` for scale, interleaved."""
    python = python or sys.executable
    unit = os.path.join(EXAMPLES, "nfs.conf")
    samples: Dict[str, List[Tuple[float, float]]] = {"check": [], "preview": [], "floor": []}
    with tempfile.TemporaryDirectory(prefix="he-bench-cli-") as parent:
        site = _installed_library(parent, python)
        env = procrun.clean_env(PYTHONPATH=site, PYTHONDONTWRITEBYTECODE="1")
        base = [python, "-m", "ovirt_he_deploy"]
        for number in range(runs + 1):
            root = os.path.join(parent, "preview-{}".format(number))
            measured = {
                "check": measure(base + ["check", unit], env),
                "preview": measure(base + ["preview", unit, "--root", root], env),
                "floor": measure([python, "-c", "pass"], env),
            }
            if number == 0:
                continue  # warm-up: page cache
            for name, value in measured.items():
                samples[name].append(value)
        written = _written(os.path.join(parent, "preview-1"))

    def walls(name: str) -> List[float]:
        return [wall for wall, _ in samples[name]]

    def peaks(name: str) -> List[float]:
        return [peak for _, peak in samples[name]]

    check_mb = [peak * 1024.0 * 1024.0 / MB for peak in peaks("check")]
    rows = [
        Row(SECTION, "check examples/nfs.conf, wall, median of {}".format(runs),
            median(walls("check")), "ms", target=TARGET_CHECK_MS, raw=spread(walls("check"))),
        Row(SECTION, "check examples/nfs.conf, peak RSS, median of {}".format(runs),
            median(check_mb), "MB", target=TARGET_CHECK_MB, raw=spread(check_mb),
            shown="{:.1f} MB ({:.1f} MiB)".format(median(check_mb), median(peaks("check")))),
        Row(SECTION, "preview examples/nfs.conf --root TMP, wall, median of {}".format(runs),
            median(walls("preview")), "ms", target=300.0, raw=spread(walls("preview"))),
        Row(SECTION, "preview examples/nfs.conf --root TMP, peak RSS, median of {}".format(
            runs), median(peaks("preview")), "MiB", target=60.0, raw=spread(peaks("preview"))),
        Row(SECTION, "for scale: `python -c pass`, wall / peak RSS, median of {}".format(runs),
            median(walls("floor")), "ms", shown="{:.1f} ms / {:.1f} MiB".format(
                median(walls("floor")), median(peaks("floor"))),
            raw={"wall": spread(walls("floor")), "rss": spread(peaks("floor"))}),
    ]
    notes = [
        "CLI: `{} -m ovirt_he_deploy` on a byte-compiled copy of the library (as the RPM "
        "installs it into site-packages), PYTHONDONTWRITEBYTECODE=1; one process per run, "
        "check, preview and `python -c pass` interleaved, after one warm-up round; preview "
        "gets a fresh --root each run (it wrote {}). Peak RSS: {}. The console script an "
        "RPM installs may add its own start-up (e.g. a pkg_resources entry point "
        "wrapper); that is not measured here.".format(
            python, ", ".join(written) or "nothing", procrun.wrapper_described()),
    ]
    return rows, notes


def _written(root: Optional[str]) -> List[str]:
    found = []
    for top, _dirs, names in os.walk(root or ""):
        for name in names:
            found.append(os.path.relpath(os.path.join(top, name), root or ""))
    return sorted(found)
