"""Engine rollout: `ovirt-he-deploy engine deploy` of many hosts against the fake engine, and
of Hosted Engine hosts, which go one at a time by design."""

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
HE_HOSTS = 4
# Every status but installing passes at the next poll, so the install time is the work.
QUICK = {"deactivate_polls": 0, "initializing_polls": 0, "he_warmup_polls": 0}


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
            parallel: int, workdir: str, he: bool = False) -> float:
    """Seconds from starting the command to its exit, on a fresh engine with `hosts` hosts
    that are up, each moved to maintenance, then reinstalled. he: they already run Hosted
    Engine (host01 the engine VM) and are reinstalled with --force."""
    engine = fake_engine(password=PASSWORD, install_seconds=install)
    names = ["host{:02d}".format(number) for number in range(1, hosts + 1)]
    for name in names:
        engine.add_host(name, he=he, **QUICK)
    engine.start()
    password_file = os.path.join(workdir, "password")
    with open(password_file, "w") as stream:
        stream.write(PASSWORD + "\n")
    argv = base + ["engine", "deploy", "--engine-url", engine.url,
                   "--password-file", password_file, "--parallel", str(parallel),
                   "--poll-interval", str(POLL_INTERVAL)] + (["--force"] if he else []) + names
    try:
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True,
                              timeout=hosts * install + TIMEOUT_MARGIN)
        elapsed = time.perf_counter() - start
        violations = list(engine.model.violations)
    finally:
        engine.stop()
    if done.returncode != 0 or violations:
        raise RuntimeError("engine deploy --parallel {} exited {} ({}):\n{}".format(
            parallel, done.returncode, violations, done.stdout[-3000:]))
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
        he_hosts = min(HE_HOSTS, hosts)
        parallel = max(parallels)
        ideal = he_hosts * install
        wall = _deploy(fake_engine, base, env, he_hosts, install, parallel, workdir, he=True)
        rows.append(Row(SECTION, "Hosted Engine rollout of {} hosts, --parallel {}: wall {:.2f} "
                        "s, one at a time {:g} s, overhead".format(he_hosts, parallel, wall,
                                                                   ideal),
                        (wall - ideal) / ideal * 100.0, "%",
                        raw={"parallel": parallel, "hosts": he_hosts, "install_s": install,
                             "wall_s": wall, "ideal_s": ideal, "hosted_engine": True}))
    notes = [
        "Engine rollout: {} against tests/fake_engine FakeEngine over plain HTTP on loopback, "
        "{} hosts that are up without Hosted Engine (each is moved to maintenance, then "
        "reinstalled), simulated install {:g} s per host, every other status over at the next "
        "poll, --poll-interval {:g} s; the wall time includes the command's start-up and SDK "
        "import. Ideal = ceil({}/N) x {:g} s. The Hosted Engine rollout reinstalls {} hosts "
        "that run Hosted Engine (--force): they go one at a time whatever --parallel says, so "
        "its ideal is {} x {:g} s.".format(described, hosts, install, POLL_INTERVAL, hosts,
                                           install, min(HE_HOSTS, hosts),
                                           min(HE_HOSTS, hosts), install),
    ]
    return rows, notes
