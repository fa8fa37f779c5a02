"""The wheel in fresh venvs: library, CLI, template and plugin group where they belong, on this
Python and on Python 3.6 with EL8's jinja2 (the same check/preview bytes on both)."""

import glob
import os
import runpy
import shutil
import subprocess
import sys
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

try:
    import importlib.metadata as importlib_metadata
except ImportError:  # Python < 3.8: the backport pytest itself depends on
    import importlib_metadata  # type: ignore[no-redef]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARE = os.path.join("share", "ovirt-he-deploy")
TEMPLATE = "hosted-engine.conf.j2"
SOURCE_TEMPLATE = os.path.join(ROOT, "src", "ovirt_he_deploy", "templates", TEMPLATE)
# otopi finds a group as <dir on BASE/pluginPath>/<group>/; the package lives inside it.
PLUGIN_GROUP = os.path.join(SHARE, "plugins", "ovirt-he-deploy", "hosted-engine")
SOURCE_PLUGIN_GROUP = os.path.join(ROOT, "src", "plugins", "ovirt-he-deploy", "hosted-engine")
EXAMPLE = os.path.join(ROOT, "examples", "nfs.conf")
# The example deploy units (examples/hosted-engine.conf is a host's conf, answer-file's input).
EXAMPLES = sorted(path for path in glob.glob(os.path.join(ROOT, "examples", "*.conf"))
                  if os.path.basename(path) != "hosted-engine.conf")
# Runtime dependencies copied from this interpreter's environment, so no index is needed.
RUNTIME_DISTRIBUTIONS = ("jinja2", "markupsafe")
# EL8's own versions, installed into the Python 3.6 venv by exact pin (no resolution needed).
EL8_RUNTIME = ("jinja2==2.10.1", "MarkupSafe==1.1.1")

IGNORED_WHEN_COPYING = shutil.ignore_patterns(
    ".git", ".tox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "he-preview")


def run(*command: str, cwd: str, env: Dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, "{} failed:\n{}".format(" ".join(command), result.stdout)
    return result.stdout


def clean_env() -> Dict[str, str]:
    """This process's environment minus anything that would point Python at the source tree."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "OVIRT_HE_DEPLOY_TEMPLATES",
               "PIP_REQUIRE_VIRTUALENV")
    return {key: value for key, value in os.environ.items() if key not in dropped}


def copy_distribution(name: str, site_packages: str) -> None:
    dist = importlib_metadata.distribution(name)
    for relative in dist.files or ():
        source = str(dist.locate_file(relative))
        if "__pycache__" in str(relative) or not os.path.isfile(source):
            continue
        target = os.path.normpath(os.path.join(site_packages, str(relative)))
        if not target.startswith(site_packages + os.sep):
            continue  # files installed outside site-packages (scripts) are not needed
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)


def data_files() -> List[str]:
    """Every installed data file, relative to the prefix, as setup.py's DATA_FILES says."""
    setup = runpy.run_path(os.path.join(ROOT, "setup.py"), run_name="setup")
    here = os.getcwd()
    try:
        os.chdir(ROOT)
        pairs = setup["data_files"]()
    finally:
        os.chdir(here)
    return [os.path.join(target, os.path.basename(source))
            for target, sources in pairs for source in sources]


def make_venv(python: str, prefix: str) -> str:
    """A fresh venv of that Python (no system site-packages); its python, or a skip."""
    created = subprocess.run([python, "-m", "venv", prefix], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True)
    if created.returncode != 0:
        pytest.skip("cannot create a venv with {}: {}".format(python, created.stdout.strip()))
    return os.path.join(prefix, "bin", "python")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The project's wheel, built from a copy of the source tree (no build dirs left here)."""
    work = tmp_path_factory.mktemp("wheelbuild")
    source = str(work / "source")
    shutil.copytree(ROOT, source, ignore=IGNORED_WHEN_COPYING)
    wheelhouse = str(work / "wheelhouse")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
        "-q", "-w", wheelhouse, source, cwd=str(work), env=clean_env())
    (built,) = glob.glob(os.path.join(wheelhouse, "ovirt_he_deploy-*.whl"))
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: str) -> Iterator[str]:
    """A fresh venv of this Python with the project's wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    env = clean_env()
    prefix = str(work / "venv")
    python = make_venv(sys.executable, prefix)
    run(python, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q",
        wheel, cwd=str(work), env=env)
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                  cwd=str(work), env=env).strip()
    for name in RUNTIME_DISTRIBUTIONS:
        copy_distribution(name, purelib)
    yield prefix


def venv_env(prefix: str) -> Dict[str, str]:
    env = clean_env()
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", "")
    return env


def test_installed_requirements_are_satisfied(venv):
    out = run(os.path.join(venv, "bin", "python"), "-m", "pip", "check",
              "--disable-pip-version-check", cwd=venv, env=venv_env(venv))
    assert "No broken requirements" in out


def site_packages(prefix: str) -> str:
    return run(os.path.join(prefix, "bin", "python"), "-c",
               "import sysconfig; print(sysconfig.get_path('purelib'))",
               cwd=prefix, env=venv_env(prefix)).strip()


def test_template_is_installed_inside_the_package(venv):
    installed = os.path.join(site_packages(venv), "ovirt_he_deploy", "templates", TEMPLATE)
    with open(installed, "rb") as got, open(SOURCE_TEMPLATE, "rb") as want:
        assert got.read() == want.read()


def test_plugin_group_is_installed_where_otopi_finds_it(venv):
    sources = sorted(os.path.basename(path)
                     for path in glob.glob(os.path.join(SOURCE_PLUGIN_GROUP, "*.py")))
    assert "__init__.py" in sources, "the plugin group sources are missing"
    # pip byte-compiles whatever it installs; only the sources are compared
    installed = sorted(name for name in os.listdir(os.path.join(venv, PLUGIN_GROUP))
                       if name.endswith(".py"))
    assert installed == sources


@pytest.mark.parametrize("relative", data_files())
def test_every_declared_data_file_is_installed(venv, relative):
    assert os.path.isfile(os.path.join(venv, relative))


def test_template_dirs_point_at_the_installed_package(venv, tmp_path):
    out = run(os.path.join(venv, "bin", "python"), "-c",
              "from ovirt_he_deploy import render; print(render.template_dirs());"
              "print(render.__file__)", cwd=str(tmp_path), env=venv_env(venv))
    dirs, module = out.splitlines()
    package = os.path.join(site_packages(venv), "ovirt_he_deploy")
    assert dirs == repr([os.path.join(package, "templates")])
    assert os.path.realpath(module) == os.path.realpath(os.path.join(package, "render.py"))


def test_cli_help_runs(venv, tmp_path):
    out = run(os.path.join(venv, "bin", "ovirt-he-deploy"), "--help",
              cwd=str(tmp_path), env=venv_env(venv))
    assert "usage: ovirt-he-deploy" in out


def test_cli_checks_and_renders_an_example_with_the_installed_template(venv, tmp_path):
    cli = os.path.join(venv, "bin", "ovirt-he-deploy")
    env = venv_env(venv)
    assert "valid: action deploy" in run(cli, "check", EXAMPLE, cwd=str(tmp_path), env=env)
    run(cli, "preview", EXAMPLE, "--root", str(tmp_path / "root"), cwd=str(tmp_path), env=env)
    rendered = tmp_path / "root" / "etc" / "ovirt-hosted-engine" / "hosted-engine.conf"
    assert "fqdn=engine.example.com\n" in rendered.read_text()


def test_installed_group_deploys_from_the_share_plugin_path(venv, tmp_path):
    """The README's manual run: otopi (the double here) with the installed plugin path."""
    import grp
    import pwd

    double = os.path.join(ROOT, "tests", "otopi_double")
    env = venv_env(venv)
    env["PYTHONPATH"] = double  # otopi only; the library comes from the venv
    conf = tmp_path / "etc" / "hosted-engine.conf"
    ha_dir = tmp_path / "ha"
    ha_dir.mkdir()
    statements = [
        "APPEND:BASE/pluginPath=str:" + os.path.join(venv, SHARE, "plugins"),
        "APPEND:BASE/pluginPath=str:" + os.path.join(double, "plugins"),
        "APPEND:BASE/pluginGroups=str:ovirt-he-deploy:he-test-fakes",
        "CORE/configFileAppend=str:" + EXAMPLE,
        "CORE/logDir=str:" + str(tmp_path),
        "OVIRT_HE_DEPLOY/confFile=str:" + str(conf),
        "OVIRT_HE_DEPLOY/haConfFile=str:" + str(ha_dir / "ha.conf"),
        "OVIRT_HE_DEPLOY/lockFile=str:" + str(tmp_path / "lock"),
        "OVIRT_HE_DEPLOY/confOwner=str:" + pwd.getpwuid(os.getuid()).pw_name,
        "OVIRT_HE_DEPLOY/confGroup=str:" + grp.getgrgid(os.getgid()).gr_name,
        "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:0",
    ]
    env["OTOPI_CONFIG"] = str(tmp_path / "no-otopi.conf")
    out = run(os.path.join(venv, "bin", "python"), "-m", "otopi", *statements,
              cwd=str(tmp_path), env=env)
    assert "Hosted Engine: deploying host_id 2 on nfs storage" in out
    assert "fqdn=engine.example.com\n" in conf.read_text()
    (log,) = glob.glob(str(tmp_path / "otopi-*.log"))
    with open(log) as stream:
        loaded_from = [line for line in stream if "ovirt_he_deploy" in line and "render" in line]
    assert not [line for line in loaded_from if ROOT + "/src" in line]


def python36() -> Optional[str]:
    """A Python 3.6 interpreter: this one, or a python3.6 on PATH that runs (pyenv's shims
    answer "command not found" for versions not selected; scripts/with-pythons fixes that)."""
    if sys.version_info[:2] == (3, 6):
        return sys.executable
    found = shutil.which("python3.6")
    if found is None:
        return None
    probe = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           universal_newlines=True)
    return found if probe.returncode == 0 and probe.stdout.strip() == "(3, 6)" else None


@pytest.fixture(scope="module")
def venv36(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """A fresh Python 3.6 venv with the wheel and EL8's jinja2 and MarkupSafe, from the index."""
    python = python36()
    if python is None:
        pytest.skip("no Python 3.6 interpreter: this Python is not 3.6 and no working python3.6 "
                    "is on PATH (scripts/with-pythons puts pyenv's there)")
    wheel = request.getfixturevalue("wheel")
    prefix = str(tmp_path_factory.mktemp("wheel36") / "venv")
    venv_python = make_venv(python, prefix)
    run(venv_python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel,
        *EL8_RUNTIME, cwd=prefix, env=clean_env())
    return prefix


def test_python36_venv_has_el8_jinja2_and_the_wheel(venv36):
    out = run(os.path.join(venv36, "bin", "python"), "-c",
              "import sys, jinja2, markupsafe, ovirt_he_deploy; "
              "print(sys.version_info[:2], jinja2.__version__, markupsafe.__version__, "
              "ovirt_he_deploy.__file__)", cwd=venv36, env=venv_env(venv36))
    assert out.startswith("(3, 6) "), out
    jinja2_version, markupsafe_version, module = out.split()[-3:]
    assert (jinja2_version, markupsafe_version) == ("2.10.1", "1.1.1")
    assert os.path.realpath(module).startswith(os.path.realpath(venv36) + os.sep)


def cli_run(prefix: str, cwd: str, *args: str) -> Tuple[int, str]:
    """Exit code and combined output of the venv's ovirt-he-deploy, run in cwd."""
    result = subprocess.run([os.path.join(prefix, "bin", "ovirt-he-deploy")] + list(args),
                            cwd=cwd, env=venv_env(prefix), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    return result.returncode, result.stdout.decode("utf-8", "replace")


def tree_bytes(root: str) -> Dict[str, bytes]:
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as stream:
                found[os.path.relpath(path, root)] = stream.read()
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=os.path.basename)
def test_check_and_preview_give_the_same_bytes_on_python36(venv, venv36, tmp_path, example):
    """The same wheel on Python 3.6 + jinja2 2.10.1 and on this Python + its jinja2: same
    exit codes, same output, same files written, byte for byte."""
    results = {}
    for label, prefix in (("this", venv), ("py36", venv36)):
        cwd = tmp_path / label
        cwd.mkdir()
        check = cli_run(prefix, str(cwd), "check", example)
        preview = cli_run(prefix, str(cwd), "preview", example, "--root", "he-preview")
        results[label] = (check, preview, tree_bytes(str(cwd / "he-preview")))
    assert results["this"][0][0] == 0, results["this"][0][1]
    assert results["this"][1][0] == 0, results["this"][1][1]
    assert results["this"][2], "preview wrote nothing"
    assert results["py36"] == results["this"]
