"""One whole process, measured: wall time, peak RSS and CPU time of exactly that process."""

import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

GNU_TIME = "/usr/bin/time"
# Fallback parent when GNU time is missing: writes "RSS_KIB USER_S SYS_S WALL_S" to argv[1].
WAIT4_WRAPPER = """import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as stream:
    stream.write("%d %.3f %.3f %.6f\\n" % (usage.ru_maxrss, usage.ru_utime, usage.ru_stime, wall))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
"""


class Measured(NamedTuple):
    """What one run cost, and how it ended."""

    wall_ms: float
    rss_kib: int
    cpu_ms: float
    returncode: int
    stderr: str


def wrapper_described() -> str:
    if os.access(GNU_TIME, os.X_OK):
        return "GNU time (`/usr/bin/time -f %M`) as the parent of each run"
    return "a small Python parent per run reporting os.wait4 ru_maxrss of its child"


def _wrapper(report: str) -> Tuple[List[str], bool]:
    """The parent each measured process runs under, so that its peak RSS is its own.

    ru_maxrss survives fork and exec: a child started straight from this process begins at
    this process's high-water mark (checked: a parent holding 300 MiB reports a 300 MiB
    `python -c pass`). GNU time is a tiny parent; failing that, a fresh small Python parent.
    The second value says whether the parent also reports the wall time itself."""
    if os.access(GNU_TIME, os.X_OK):
        return [GNU_TIME, "-o", report, "-f", "%M"], False
    return [sys.executable, "-c", WAIT4_WRAPPER, report], True


def measure(argv: List[str], env: Dict[str, str], cwd: Optional[str] = None,
            timeout: float = 120.0) -> Measured:
    """Run argv once (stdin and stdout to /dev/null) and measure it.

    CPU time is os.wait4's ru_utime + ru_stime of the wrapper, which covers the measured
    process (waited for by the wrapper) plus the wrapper's own small share; unlike GNU
    time's centiseconds it has the kernel's precision."""
    fd, report = tempfile.mkstemp(prefix="he-bench-rusage-")
    os.close(fd)
    try:
        wrapper, reports_wall = _wrapper(report)
        with tempfile.TemporaryFile(mode="w+") as errors:
            start = time.perf_counter()
            child = subprocess.Popen(wrapper + argv, env=env, cwd=cwd,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=errors, universal_newlines=True)
            try:
                _pid, status, usage = _wait4(child, timeout)
            finally:
                if child.returncode is None and child.poll() is None:
                    child.kill()
                    child.wait()
            wall_ms = (time.perf_counter() - start) * 1000.0
            errors.seek(0)
            stderr = errors.read()
        with open(report) as stream:
            lines = stream.read().strip().splitlines()
    finally:
        os.unlink(report)
    returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    fields = lines[-1].split() if lines else []
    if not fields or not fields[0].isdigit():
        raise RuntimeError("no resource report for {} (exit {}):\n{}".format(
            " ".join(argv), returncode, "\n".join(lines + [stderr[-2000:]])))
    if reports_wall and len(fields) > 3:
        wall_ms = float(fields[3]) * 1000.0
    return Measured(wall_ms=wall_ms, rss_kib=int(fields[0]),
                    cpu_ms=(usage.ru_utime + usage.ru_stime) * 1000.0,
                    returncode=returncode, stderr=stderr)


def _wait4(child: "subprocess.Popen[str]", timeout: float) -> Tuple[int, int, Any]:
    """Blocking os.wait4 of the child; a timer kills a run that hangs past timeout."""
    timer = threading.Timer(timeout, child.kill)
    timer.start()
    try:
        pid, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
    child.returncode = status  # reaped here: Popen must not wait for it again
    return pid, status, usage


def clean_env(**updates: str) -> Dict[str, str]:
    """This process's environment without the PYTHON* variables that change what a child
    imports or compiles, plus updates."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PYTHON") and not key.startswith("OTOPI")}
    env.update(updates)
    return env
