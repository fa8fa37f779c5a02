"""Whole otopi processes on a fake host: the otopi to run, its install, the variants, a run.

The otopi is the test double (tests/otopi_double) unless OTOPI_TREE names a real otopi tree
(its src/otopi package is used; the real otopi also needs the `distro` module).

An install is a copy, under a temp dir, of what a host has on disk, laid out as there:
- python packages (otopi, ovirt_he_deploy without its engine subpackage) on PYTHONPATH;
- plugin directories (our group, the fakes group) loaded by path from BASE/pluginPath.
The cached install models an installed host: RPM byte-compiles the packages in
site-packages at build time; the plugin group under /usr/share has bytecode only if the spec
compiles it (read from ovirt-he-deploy.spec[.in], see group_bytecode_in_spec). otopi runs
`python -B`, which stops Python from *writing* bytecode, not from reading it: without
shipped bytecode a host compiles the group's modules from source on every run. The uncached
install models a source checkout: nothing of otopi or ovirt-he-deploy compiled. In both, the
interpreter's standard library and site-packages (jinja2, MarkupSafe, distro) are as
installed, i.e. compiled. Every run is `python -B -m otopi`, PYTHONDONTWRITEBYTECODE=1, so no
run leaves bytecode for the next.
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import he_host
import otopi_harness
import procrun
from benchlib import DOUBLE, PLUGINS, ROOT, SRC, TESTS

from ovirt_he_deploy import envkeys

OTOPI_TREE_ENV = "OTOPI_TREE"
GROUP = he_host.GROUP
FAKES_GROUP = otopi_harness.FAKES_GROUP
PROBES_DIR = os.path.join(TESTS, "probes")
PROBES_GROUP = "he-test-probes"
MODULES_FILE_KEY = "HE_PROBES/modulesFile"
OUR_METHODS = "otopi.plugins.ovirt_he_deploy."
DEPLOYED_LINE = "Hosted Engine: deploying"
# A rerun completes what is there (plan.py's completing deploy) instead of deploying again.
COMPLETED_LINE = "hosted-engine.conf already says what the unit says"
UNIT = he_host.example("nfs.conf")

BASELINE = "baseline"
NONE = "none"
ABSENT = "absent"
DEPLOY = "deploy"
RERUN = "rerun"
VARIANTS = (BASELINE, NONE, ABSENT, DEPLOY, RERUN)
DESCRIBED = {
    BASELINE: "no group (only he-test-fakes)",
    NONE: "the group, action none",
    ABSENT: "the group, action absent",
    DEPLOY: "deploy (examples/nfs.conf), fresh host",
    RERUN: "rerun: the same deploy again on the deployed host",
}

CACHED = "cached"
UNCACHED = "uncached"
MODES = (CACHED, UNCACHED)


class Otopi(NamedTuple):
    """Which otopi runs: its package directory and how to name it."""

    name: str
    package: str

    @property
    def is_real(self) -> bool:
        return self.name != "double"


def chosen_otopi() -> Otopi:
    tree = os.environ.get(OTOPI_TREE_ENV)
    if not tree:
        return Otopi("double", os.path.join(DOUBLE, "otopi"))
    package = os.path.join(tree, "src", "otopi")
    if not os.path.isfile(os.path.join(package, "__main__.py")):
        raise RuntimeError("{}={} is not an otopi tree: no src/otopi/__main__.py".format(
            OTOPI_TREE_ENV, tree))
    if not os.path.isfile(os.path.join(package, "config.py")):
        raise RuntimeError("{}: src/otopi/config.py is missing (generate it, e.g. by the "
                           "tree's build)".format(tree))
    return Otopi("real otopi " + os.path.abspath(tree), package)


class Install(NamedTuple):
    """One laid-out copy: PYTHONPATH entry and plugin directories."""

    mode: str
    site: str
    plugins: str
    fakes: str
    probes: str


def _ignore(directory: str, names: Sequence[str]) -> List[str]:
    return [name for name in names if name == "__pycache__" or name.endswith(".pyc")]


SPEC_NAMES = ("ovirt-he-deploy.spec.in", "ovirt-he-deploy.spec")
EXTRA_OFF = re.compile(r"^%global\s+_python_bytecompile_extra\s+0\s*$", re.M)
BYTE_COMPILE = re.compile(r"^[^#\n]*(%\{?py_byte_compile\b|-m compileall\b)[^\n]*plugins", re.M)


def group_bytecode_in_spec() -> Tuple[bool, str]:
    """Whether the RPM ships bytecode for the plugin group, as its spec says, and why.

    brp-python-bytecompile compiles files outside site-packages too unless the spec sets
    _python_bytecompile_extra 0; %py_byte_compile ... plugins compiles them explicitly."""
    for name in SPEC_NAMES:
        path = os.path.join(ROOT, name)
        if os.path.exists(path):
            with open(path) as stream:
                text = stream.read()
            if BYTE_COMPILE.search(text):
                return True, name + " byte-compiles the plugin directory"
            if EXTRA_OFF.search(text):
                return False, name + " sets _python_bytecompile_extra 0 and does not " \
                    "%py_byte_compile the plugin directory"
            return True, name + " leaves brp-python-bytecompile's extra compile on"
    return False, "no spec found; modelled without bytecode for the group"


def make_install(parent: str, mode: str, otopi: Otopi, python: str,
                 group_bytecode: bool = False) -> Install:
    """Copy otopi, the library, our group, the fakes and the probes below parent/mode."""
    root = os.path.join(parent, mode)
    site = os.path.join(root, "site-packages")
    shutil.copytree(otopi.package, os.path.join(site, "otopi"), ignore=_ignore)
    library = os.path.join(SRC, "ovirt_he_deploy")
    shutil.copytree(library, os.path.join(site, "ovirt_he_deploy"),
                    ignore=lambda d, names: _ignore(d, names) + (
                        ["engine"] if d == library else []))
    plugins = os.path.join(root, "share", "ovirt-he-deploy", "plugins")
    shutil.copytree(os.path.join(PLUGINS, GROUP), os.path.join(plugins, GROUP), ignore=_ignore)
    fakes = os.path.join(root, "share", "fakes")
    shutil.copytree(os.path.join(otopi_harness.FAKES_PLUGIN_DIR, FAKES_GROUP),
                    os.path.join(fakes, FAKES_GROUP), ignore=_ignore)
    probes = os.path.join(root, "share", "probes")
    shutil.copytree(os.path.join(PROBES_DIR, PROBES_GROUP),
                    os.path.join(probes, PROBES_GROUP), ignore=_ignore)
    if mode == CACHED:
        for directory in [site] + ([plugins] if group_bytecode else []):
            subprocess.check_call([python, "-m", "compileall", "-q", directory],
                                  env=procrun.clean_env(), stdout=subprocess.DEVNULL)
    return Install(mode=mode, site=site, plugins=plugins, fakes=fakes, probes=probes)


def compiled_files(install: Install) -> Dict[str, int]:
    """How many .pyc files each part of the install has (a check of the model)."""
    parts = {"site-packages": install.site, "our group": install.plugins,
             "fakes": install.fakes}
    return {name: len(glob.glob(os.path.join(path, "**", "*.pyc"), recursive=True))
            for name, path in parts.items()}


def service_keys() -> List[str]:
    """The int keys of envkeys.py about the HA services (watch, wait deadline): 0 in every
    run, so that closeup checks the fake services once and never waits."""
    keys = [value for value in vars(envkeys).values() if isinstance(value, envkeys.EnvKey)]
    return sorted(key.name for key in keys if key.type == "int" and "service" in key.name.lower())


def service_statements(statements: Sequence[str]) -> List[str]:
    """The statements of a run that set the service keys (for the notes)."""
    keys = service_keys()
    return [s for s in statements if s.partition("=")[0] in keys]


def statements(host: he_host.Host, install: Install, variant: str,
               modules_file: Optional[str] = None) -> List[str]:
    """The fake host's statements (tests/he_host.py), pointed at the install's copies."""
    unit = UNIT if variant in (DEPLOY, RERUN) else None
    moves = {PLUGINS: install.plugins, otopi_harness.FAKES_PLUGIN_DIR: install.fakes}
    out = []
    moved = set()
    for statement in host.statements(unit):
        prefix, _, path = statement.partition("=str:")
        if prefix == "APPEND:BASE/pluginPath" and path in moves:
            moved.add(path)
            statement = prefix + "=str:" + moves[path]
        out.append(statement)
    if moved != set(moves):
        raise RuntimeError("tests/he_host.py no longer names the plugin directories {}; "
                           "update benchmarks/otopi_process.py".format(sorted(set(moves) - moved)))
    already = {statement.partition("=")[0] for statement in out}
    out += ["{}=int:0".format(key) for key in service_keys() if key not in already]
    if modules_file is not None:
        out += otopi_harness.group_statements(install.probes, PROBES_GROUP)
        out.append("{}=str:{}".format(MODULES_FILE_KEY, modules_file))
    if variant == BASELINE:
        groups = [FAKES_GROUP] + ([PROBES_GROUP] if modules_file is not None else [])
        # otopi applies statements in order: this one replaces the APPENDed group list.
        out.append("BASE/pluginGroups=str:" + ":".join(groups))
    elif variant == NONE:
        out.append("{}=str:{}".format(envkeys.ACTION.name, envkeys.ACTION_NONE))
    return out


def child_env(install: Install) -> Dict[str, str]:
    return procrun.clean_env(
        PYTHONPATH=install.site,
        PYTHONDONTWRITEBYTECODE="1",
        OTOPI_CONFIG=os.path.join(os.path.dirname(install.site), "no-otopi.conf"),
    )


def argv(python: str, run_statements: List[str], *flags: str) -> List[str]:
    """As the otopi wrapper runs it: `python -B -m otopi STATEMENTS`."""
    return [python, "-B"] + list(flags) + ["-m", "otopi"] + run_statements


class Host:
    """A fake host (tests/he_host.py) in a fresh directory of its own."""

    def __init__(self, parent: str):
        self.root = tempfile.mkdtemp(dir=parent, prefix="host-")
        self.host = he_host.make_host(os.path.join(self.root, "h"))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def deploy_host(parent: str, install: Install, python: str) -> Host:
    """A host with one deploy done (the first run of a rerun pair, not measured)."""
    host = Host(parent)
    result = run(host, install, python, DEPLOY)
    check(host, DEPLOY, result)
    return host


def run(host: Host, install: Install, python: str, variant: str,
        *flags: str, modules_file: Optional[str] = None) -> procrun.Measured:
    return procrun.measure(
        argv(python, statements(host.host, install, variant, modules_file), *flags),
        child_env(install), cwd="/")


def log_text(host: Host) -> str:
    logs = sorted(glob.glob(os.path.join(host.host.logdir, "*.log")), key=os.path.getmtime)
    if not logs:
        return ""
    with open(logs[-1], errors="replace") as stream:
        return stream.read()


def check(host: Host, variant: str, result: procrun.Measured) -> None:
    """A run that did not do what its variant says must not become a number."""
    text = log_text(host)

    def fail(problem: str) -> None:
        errors = [line for line in text.splitlines() if " ERROR " in line]
        raise RuntimeError("{} run: {} (exit {}){}\nstderr: {}\nlog: {}".format(
            variant, problem, result.returncode, "".join("\n" + line for line in errors[:5]),
            "\n".join(line for line in result.stderr.splitlines()
                      if not line.startswith("import time:"))[-1500:], host.host.logdir))

    if result.returncode != 0:
        fail("otopi failed")
    if not text:
        fail("no otopi log in " + host.host.logdir)
    loaded = OUR_METHODS in text
    if variant == BASELINE and loaded:
        fail("the group was loaded")
    if variant != BASELINE and not loaded:
        fail("the group was not loaded")
    for line, expected in ((DEPLOYED_LINE, variant == DEPLOY),
                           (COMPLETED_LINE, variant == RERUN)):
        if (line in text) != expected:
            fail("'{}' {} in the log".format(line, "not found" if expected else "found"))
    if (variant in (DEPLOY, RERUN)) != os.path.exists(host.host.conf):
        fail("hosted-engine.conf {}".format(
            "missing" if variant in (DEPLOY, RERUN) else "written"))
