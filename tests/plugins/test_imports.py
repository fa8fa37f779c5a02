# -*- coding: utf-8 -*-
"""Import guard (issue 15): a whole otopi run imports only what the group needs for it.

Each run is a subprocess of otopi (the double; the real otopi too when OTOPI_TREE names a
tree) on a fake host, with the probe group tests/probes/he-test-probes, whose last event
writes sorted(sys.modules). Imports are the main cost the group adds to every host install:
with action none (or no action) it must import nothing beyond what it needs to see that
there is nothing to do; a deploy only what a host-side deploy uses.
"""

import os
import subprocess
import sys
import sysconfig
from typing import Dict, FrozenSet, List, Optional, Sequence  # noqa: F401 (type comments)

import pytest
from he_host import example, make_host
from otopi_harness import FAKES_GROUP, group_statements
from paths import SRC, TESTS

from ovirt_he_deploy import envkeys

PROBES_DIR = os.path.join(TESTS, "probes")
PROBES_GROUP = "he-test-probes"
MODULES_FILE_KEY = "HE_PROBES/modulesFile"
OTOPI_TREE_ENV = "OTOPI_TREE"
# otopi loads a plugin package as otopi.plugins.<group>.<dir> (contract §0.1).
GROUP_MODULES = "otopi.plugins.ovirt_he_deploy"
PROBE_MODULES = "otopi.plugins.he_test_probes"

# What a run needs to see its action: the key's name and values, and that no config file
# sets a key of ours twice (each Python reads such a file another way, the action
# included). Everything these modules import is allowed too (measured in a bare interpreter).
NONE_NEEDS = ("ovirt_he_deploy.envkeys", "ovirt_he_deploy.configrepeats")
# Named so a failure says what went wrong; the allowance above already excludes them.
NOT_FOR_NONE = (
    "jinja2", "markupsafe", "ovirt_he_deploy.validation", "ovirt_he_deploy.hostfs",
    "ovirt_he_deploy.render", "ovirt_he_deploy.plan", "ovirt_he_deploy.unit",
    "ovirt_he_deploy.conflicts", "ovirt_he_deploy.confkeys", "ovirt_he_deploy.safety",
    "ovirt_he_deploy.keyvalue",
)
# Never in a run on a host: the CLI side, the engine side and the engine SDK.
NOT_ON_HOST = (
    "ovirt_he_deploy.cli", "ovirt_he_deploy.__main__", "ovirt_he_deploy.clicommon",
    "ovirt_he_deploy.checkcmd", "ovirt_he_deploy.hostcmd", "ovirt_he_deploy.sandbox",
    "ovirt_he_deploy.rootdir",
    "ovirt_he_deploy.installed", "ovirt_he_deploy.otopiconf", "ovirt_he_deploy.engine",
    "ovirtsdk4",
)
# Top-level packages beyond the standard library a deploy may import.
DEPLOY_THIRD_PARTY = frozenset(("ovirt_he_deploy", "jinja2", "markupsafe"))

OTOPIS = ["double"] + (["real"] if os.environ.get(OTOPI_TREE_ENV) else [])


def _pythonpath(otopi):  # type: (str) -> str
    if otopi == "double":
        from paths import DOUBLE
        return os.pathsep.join((DOUBLE, SRC))
    return os.pathsep.join((os.path.join(os.environ[OTOPI_TREE_ENV], "src"), SRC))


def _loaded(otopi, host, variant):  # type: (str, Host, str) -> FrozenSet[str]
    """sys.modules at the end of one run of `variant` on the host, as the probe saw it."""
    modules_file = os.path.join(host.root, "modules-{}.txt".format(variant))
    more = group_statements(PROBES_DIR, PROBES_GROUP) + [
        "{}=str:{}".format(MODULES_FILE_KEY, modules_file)]
    if variant == "baseline":
        more.append("BASE/pluginGroups=str:{}:{}".format(FAKES_GROUP, PROBES_GROUP))
    elif variant == "none":
        more.append("{}=str:{}".format(envkeys.ACTION.name, envkeys.ACTION_NONE))
    unit = example("nfs.conf") if variant == "deploy" else None
    result = host.run(unit, *more, inprocess=False,
                      os_env={"PYTHONPATH": _pythonpath(otopi)})
    assert result.exit_code == 0, result.stderr + result.log_text[-3000:]
    assert os.path.exists(host.conf) == (variant == "deploy")
    with open(modules_file) as stream:
        return frozenset(stream.read().split())


@pytest.fixture(scope="module", params=OTOPIS)
def runs(request, tmp_path_factory):  # type: (...) -> Dict[str, FrozenSet[str]]
    """Modules loaded by a baseline run (no group), none, absent and deploy runs."""
    otopi = request.param
    if otopi == "real":
        pytest.importorskip("distro", reason="the real otopi imports distro")
    found = {}
    for variant in ("baseline", "none", "absent", "deploy"):
        root = str(tmp_path_factory.mktemp("imports-{}-{}".format(otopi, variant)))
        found[variant] = _loaded(otopi, make_host(root), variant)
    return found


def _closure(modules):  # type: (Sequence[str]) -> FrozenSet[str]
    """What importing `modules` loads in a bare interpreter on the source tree."""
    code = ("import sys\nbefore = set(sys.modules)\n" + "".join(
        "import {}\n".format(name) for name in modules) +
        "print('\\n'.join(sorted(name for name, module in sys.modules.items()\n"
        "                         if module is not None and name not in before)))\n")
    env = dict(os.environ, PYTHONPATH=SRC)
    out = subprocess.check_output([sys.executable, "-c", code], env=env,
                                  universal_newlines=True)
    return frozenset(out.split())


def _matching(loaded, names):  # type: (FrozenSet[str], Sequence[str]) -> List[str]
    """The loaded modules that are one of names or inside one of them."""
    return sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))


def _new(runs, variant):  # type: (Dict[str, FrozenSet[str]], str) -> FrozenSet[str]
    return frozenset(m for m in runs[variant] - runs["baseline"]
                     if not m.startswith(PROBE_MODULES))


def _origin(top):  # type: (str) -> Optional[str]
    """Where a top-level module is imported from: its path, "built-in" (or "frozen"), or None
    when it is not found."""
    try:
        from importlib.util import find_spec
    except ImportError:  # Python 2.7
        import imp
        try:
            stream, path, (_suffix, _mode, kind) = imp.find_module(top)
        except ImportError:
            return None
        if stream is not None:
            stream.close()
        return "built-in" if kind in (imp.C_BUILTIN, imp.PY_FROZEN) else path
    spec = find_spec(top)
    if spec is None:
        return None
    return spec.origin or list(spec.submodule_search_locations or [""])[0]


def _is_third_party(top):  # type: (str) -> bool
    """True for a top-level module found outside the interpreter's standard library."""
    if top in sys.builtin_module_names:
        return False
    origin = _origin(top)
    if origin is None:
        return True
    if origin in ("built-in", "frozen"):
        return False
    path = os.path.realpath(origin)
    stdlib = [os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")]
    # A Python 2.7 virtualenv's stdlib is its own directory of links into the real one.
    stdlib.append(os.path.dirname(os.path.realpath(os.__file__)))
    inside = any(path.startswith(directory + os.sep) for directory in stdlib)
    return not inside or "site-packages" in path or "dist-packages" in path


def test_the_probe_sees_the_whole_run(runs):
    assert not _matching(runs["baseline"], (GROUP_MODULES,))
    for variant in ("none", "absent", "deploy"):
        assert _matching(runs[variant], (GROUP_MODULES,)), variant
        assert _matching(runs[variant], (PROBE_MODULES,)), variant


@pytest.mark.parametrize("variant", ["none", "absent"])
def test_no_action_imports_nothing_it_does_not_need(runs, variant):
    found = _matching(runs[variant], NOT_FOR_NONE + NOT_ON_HOST)
    assert not found, "action {} imports {}".format(variant, " ".join(found))
    allowed = _closure(NONE_NEEDS) | set(NONE_NEEDS) | {"ovirt_he_deploy"}
    extra = sorted(m for m in _new(runs, variant)
                   if m not in allowed and not m.startswith(GROUP_MODULES))
    assert not extra, "action {} loads {} beyond {} and the group's own modules".format(
        variant, " ".join(extra), ", ".join(NONE_NEEDS))


def test_deploy_imports_only_host_side_modules(runs):
    found = _matching(runs["deploy"], NOT_ON_HOST)
    assert not found, "deploy imports {}".format(" ".join(found))
    # otopi's own modules aside, and __mp_main__ (multiprocessing's alias of __main__;
    # jinja2 2.10 on Python 3.6 imports asyncio, which imports multiprocessing).
    tops = sorted({m.split(".")[0] for m in _new(runs, "deploy")
                   if not m.startswith("__")} - {"otopi"})
    others = [top for top in tops if _is_third_party(top) and top not in DEPLOY_THIRD_PARTY]
    assert not others, "deploy imports packages beyond {}: {}".format(
        " ".join(sorted(DEPLOY_THIRD_PARTY)), " ".join(others))


@pytest.mark.skipif(sys.version_info[0] > 2, reason="EL7's Python 2.7 only (its jinja2 2.7.2 "
                    "and the standard library never import typing; newer jinja2 does)")
def test_no_run_imports_typing_on_python_2(runs):
    """EL7 has no python-typing: the group and the library import it only for type checkers."""
    assert "typing" not in runs["baseline"]  # else the check below could not fail
    for variant in ("none", "absent", "deploy"):
        assert "typing" not in runs[variant], variant
