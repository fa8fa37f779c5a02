"""`pip install .` in a fresh venv: library, CLI, template and plugin group where they belong."""

import configparser
import glob
import importlib.metadata
import os
import shutil
import subprocess
import sys
from typing import Dict, Iterator, List

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARE = os.path.join("share", "ovirt-he-deploy")
# otopi finds a group as <dir on BASE/pluginPath>/<group>/; the package lives inside it.
PLUGIN_GROUP = os.path.join(SHARE, "plugins", "ovirt-he-deploy", "hosted-engine")
SOURCE_PLUGIN_GROUP = os.path.join(ROOT, "src", "plugins", "ovirt-he-deploy", "hosted-engine")
EXAMPLE = os.path.join(ROOT, "examples", "nfs.conf")
# Runtime dependencies copied from this interpreter's environment, so no index is needed.
RUNTIME_DISTRIBUTIONS = ("jinja2", "markupsafe")
# ~6 s (wheel build, venv, install), so it runs in every tox env, not just one.

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
    dist = importlib.metadata.distribution(name)
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
    """Every installed data file, relative to the prefix, as setup.cfg declares them."""
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "setup.cfg"))
    installed = []
    for target, sources in parser.items("options.data_files"):
        for source in sources.split():
            installed.append(os.path.join(target, os.path.basename(source)))
    return installed


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh venv (no system site-packages) with the project's wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    env = clean_env()
    prefix = str(work / "venv")
    created = subprocess.run([sys.executable, "-m", "venv", prefix], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True)
    if created.returncode != 0:
        pytest.skip("cannot create a venv here: {}".format(created.stdout.strip()))
    python = os.path.join(prefix, "bin", "python")

    source = str(work / "source")
    shutil.copytree(ROOT, source, ignore=IGNORED_WHEN_COPYING)
    wheelhouse = str(work / "wheelhouse")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
        "-q", "-w", wheelhouse, source, cwd=str(work), env=env)
    (wheel,) = glob.glob(os.path.join(wheelhouse, "ovirt_he_deploy-*.whl"))
    run(python, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q",
        wheel, cwd=str(work), env=env)
    site_packages = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                        cwd=str(work), env=env).strip()
    for name in RUNTIME_DISTRIBUTIONS:
        copy_distribution(name, site_packages)
    yield prefix


def venv_env(prefix: str) -> Dict[str, str]:
    env = clean_env()
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", "")
    return env


def test_installed_requirements_are_satisfied(venv):
    out = run(os.path.join(venv, "bin", "python"), "-m", "pip", "check",
              "--disable-pip-version-check", cwd=venv, env=venv_env(venv))
    assert "No broken requirements" in out


def test_template_is_installed_in_the_share_dir(venv):
    installed = os.path.join(venv, SHARE, "templates", "hosted-engine.conf.j2")
    with open(installed, "rb") as got, \
            open(os.path.join(ROOT, "src", "templates", "hosted-engine.conf.j2"), "rb") as want:
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


def test_template_dirs_point_at_the_installed_share_dir(venv, tmp_path):
    out = run(os.path.join(venv, "bin", "python"), "-c",
              "from ovirt_he_deploy import render; print(render.template_dirs()[0]);"
              "print(render.__file__)", cwd=str(tmp_path), env=venv_env(venv))
    first_dir, module = out.splitlines()
    assert os.path.realpath(first_dir) == os.path.realpath(
        os.path.join(venv, SHARE, "templates"))
    assert os.path.realpath(module).startswith(os.path.realpath(venv) + os.sep)


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
        "OVIRT_HE_DEPLOY/serviceCheckSeconds=int:0",
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
