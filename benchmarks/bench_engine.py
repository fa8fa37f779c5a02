"""Engine rollout: `ovirt-he-deploy engine deploy` of many hosts against the fake engine."""

import math
import os
import subprocess
import tempfile
import time
from typing import Any, List, Optional, Sequence, Tuple

import bench_cli
from benchlib import Row

SECTION = "Engine rollout"
PASSWORD = "bench-engine-secret"
POLL_INTERVAL = 0.1
TIMEOUT_MARGIN = 120.0


def _fake_engine() -> Tuple[Any, Optional[str]]:
    """The FakeEngine class from tests/fake_engine, or None and why not."""
    try:
        from fake_engine import FakeEngine
    except ImportError as error:
        return None, "tests/fake_engine has no usable FakeEngine ({})".format(error)
    try:
        import ovirtsdk4  # noqa: F401
    except ImportError:
        return None, "ovirt-engine-sdk-python (ovirtsdk4) is not installed"
    return FakeEngine, None


def _deploy(fake_engine: Any, base: List[str], env: dict, hosts: int, install: float,
            parallel: int, workdir: str) -> float:
    """Seconds from starting the command to its exit, on a fresh engine with `hosts` hosts
    that are up without Hosted Engine (so each is moved to maintenance, then reinstalled)."""
    engine = fake_engine(password=PASSWORD, install_seconds=install)
    names = ["host{:02d}".format(number) for number in range(1, hosts + 1)]
    for name in names:
        engine.add_host(name)
    engine.start()
    password_file = os.path.join(workdir, "password")
    with open(password_file, "w") as stream:
        stream.write(PASSWORD + "\n")
    argv = base + ["engine", "deploy", "--engine-url", engine.url,
                   "--password-file", password_file, "--parallel", str(parallel),
                   "--poll-interval", str(POLL_INTERVAL)] + names
    try:
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=hosts * install + TIMEOUT_MARGIN)
        elapsed = time.perf_counter() - start
    finally:
        engine.stop()
    if done.returncode != 0:
        raise RuntimeError("engine deploy --parallel {} exited {}:\n{}".format(
            parallel, done.returncode, done.stdout[-3000:]))
    return elapsed


def rollout(library_dir: str, hosts: int, install: float,
            parallels: Sequence[int]) -> Tuple[List[Row], List[str]]:
    fake_engine, missing = _fake_engine()
    if missing is not None:
        return [Row(SECTION, "engine deploy of {} hosts".format(hosts), None, "s",
                    shown="not available: " + missing)], []
    base, env, described = bench_cli.command(library_dir)
    rows = []
    with tempfile.TemporaryDirectory(prefix="he-bench-engine-") as workdir:
        for parallel in parallels:
            ideal = math.ceil(hosts / parallel) * install
            wall = _deploy(fake_engine, base, env, hosts, install, parallel, workdir)
            overhead = (wall - ideal) / ideal * 100.0
            measure = "deploy {} hosts, --parallel {}: wall {:.2f} s, ideal {:g} s".format(
                hosts, parallel, wall, ideal)
            rows.append(Row(SECTION, measure + ", overhead", overhead, "%",
                            target=15.0 if parallel == 8 else None,
                            raw={"parallel": parallel, "hosts": hosts, "install_s": install,
                                 "wall_s": wall, "ideal_s": ideal}))
    notes = [
        "Engine rollout: {} against tests/fake_engine FakeEngine over plain HTTP on loopback, "
        "{} hosts that are up without Hosted Engine (each is moved to maintenance, then "
        "reinstalled), simulated install {:g} s per host, --poll-interval {:g} s; the wall "
        "time includes the command's start-up and SDK import. Ideal = ceil({}/N) x {:g} s."
        .format(described, hosts, install, POLL_INTERVAL, hosts, install),
    ]
    return rows, notes
