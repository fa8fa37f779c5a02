"""Run the plugin tests against the real otopi when OTOPI_TREE names an otopi source tree.

OTOPI_TREE is a checkout of oVirt/otopi (never part of this repository) with
src/otopi/config.py generated from config.py.in.in. Runs go through the tree's own
src/bin/otopi wrapper, as on a host (it joins every argument into one string that otopi
splits again, and runs Python with -B), with OTOPI_PYTHON set to the interpreter running
the tests (it needs jinja2 and otopi's `distro`). Without OTOPI_TREE everything runs on the
test double.
"""

import os
import sys
from typing import Dict, List, Optional, Sequence  # noqa: F401 (type comments)

import otopi_harness
from paths import SRC

TREE_ENV = "OTOPI_TREE"


def tree():  # type: () -> Optional[str]
    """The otopi tree to run, or None for the double."""
    path = os.environ.get(TREE_ENV)
    return os.path.abspath(path) if path else None


def flavour():  # type: () -> str
    """Which otopi the plugin tests run on, for messages and skips."""
    return "real otopi at {}".format(tree()) if tree() else "the otopi test double"


def wrapper(otopi_tree):  # type: (str) -> str
    return os.path.join(otopi_tree, "src", "bin", "otopi")


def version(otopi_tree):  # type: (str) -> str
    """The tree's otopi as major.minor ('1.8', '1.10'), from its generated config.py."""
    with open(os.path.join(otopi_tree, "src", "otopi", "config.py")) as stream:
        for line in stream:
            if line.startswith("PACKAGE_VERSION"):
                return ".".join(line.split("=", 1)[1].strip().strip("'\"").split(".")[:2])
    raise RuntimeError("{}: no PACKAGE_VERSION in src/otopi/config.py".format(otopi_tree))


def check_tree(otopi_tree):  # type: (str) -> None
    """A clear error for a tree that cannot run (rather than a confusing test failure)."""
    config = os.path.join(otopi_tree, "src", "otopi", "config.py")
    if not os.path.isfile(wrapper(otopi_tree)) or not os.path.isfile(config):
        raise RuntimeError(
            "{}={} is not a usable otopi tree: it needs src/bin/otopi and "
            "src/otopi/config.py (generate it from src/otopi/config.py.in.in)".format(
                TREE_ENV, otopi_tree))


def environment(otopi_tree, os_env=None, pythonpath=(SRC,)):
    # type: (str, Optional[Dict[str, Optional[str]]], Sequence[str]) -> Dict[str, str]
    """The OS environment for a run of the real otopi's wrapper."""
    env = dict(os.environ)
    env["OTOPI_PYTHON"] = sys.executable
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    if os.geteuid() != 0:
        env["OTOPI_NONROOT"] = "1"  # else the wrapper re-runs itself through sudo
    for key, value in (os_env or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(statements,         # type: Sequence[str]
        os_env=None,        # type: Optional[Dict[str, Optional[str]]]
        stdin_text=None,    # type: Optional[str]
        timeout=120.0,      # type: float
        command=None,       # type: Optional[List[str]]
        pythonpath=(SRC,),  # type: Sequence[str]
        ):
    # type: (...) -> otopi_harness.RunResult
    """One run of the real otopi; the fakes group dumps the final environment as JSON."""
    otopi_tree = tree()
    assert otopi_tree is not None, "OTOPI_TREE is not set"
    check_tree(otopi_tree)
    rundir = otopi_harness.run_dir()
    dump = os.path.join(rundir, "env-dump.json")
    env = environment(otopi_tree, dict({"OTOPI_LOGDIR": rundir,
                                        "HE_FAKES_ENV_DUMP": dump}, **(os_env or {})),
                      pythonpath)
    proc = otopi_harness.run_process(
        (command or [wrapper(otopi_tree)]) + list(statements),
        input=stdin_text, env=env, timeout=timeout)
    return otopi_harness.result_from_files(proc.returncode, proc.stdout, proc.stderr, dump,
                                           rundir)
