"""Build the sdist, then the RPMs from it with `rpmbuild -ta`, as a packager does.

One build per target, each in TOPDIR/<target>:
- native: README's "Build the RPMs" commands, run as printed by bash in a copy of the source
  tree (.venv a link to this Python's environment, HOME=TOPDIR/native so nothing lands in the
  real home): the sdist block, then the rpmbuild block for this machine, EL's where rpm's
  database knows rpm, else Debian's (with --nodeps). Its --define puts the RPMs in the copy's
  rpmbuild/. This machine's python3 builds.
- el8, el9: the same, with %{__python3} set to a stand-in for EL's interpreter (pyenv's python3.6
  with setuptools 39.2.0, python3.9 with setuptools 53.0.0, the versions EL8 and EL9 ship) and
  the CLI's #! line set to EL's /usr/bin/python3 -s. What the stand-in decides is what EL's
  decides: the site-packages path, and from it the generated python(abi) and pythonX.Ydist
  requirements.
- el7: with %{rhel} 7, which builds the host side only for Python 2.7 (the spec installs its
  files itself: no setuptools), with %{__python2} set to pyenv's python2.7 as a stand-in for
  EL7's /usr/bin/python2.
TOPDIR/builds.json records each target's Python (path, version) and #! line for test_rpm.py.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The Python seen by rpmbuild is the system one (or the stand-in), never the tox env's.
ENV_DROPPED = ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
EL_SHEBANG = "/usr/bin/python3 -s"
# target -> (interpreter on PATH, setuptools of that EL release)
EL_TARGETS = {
    "el8": ("python3.6", "39.2.0"),
    "el9": ("python3.9", "53.0.0"),
}
EL7_INTERPRETER = "python2.7"
MANIFEST = "builds.json"
TARGETS = ["native", "el7"] + sorted(EL_TARGETS)
README_SECTION = "### Build the RPMs"
IGNORED_WHEN_COPYING = shutil.ignore_patterns(
    ".git", ".tox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "he-preview",
    "he-sandbox", ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache", "rpmbuild")


def clean_env() -> Dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in ENV_DROPPED}


def readme_blocks(readme: str) -> List[str]:
    """The ```sh blocks of README's "Build the RPMs" section: the sdist, then rpmbuild on EL,
    then rpmbuild on Debian/Ubuntu."""
    with open(readme) as stream:
        text = stream.read()
    start = text.find("\n" + README_SECTION + "\n")
    if start < 0:
        raise SystemExit("README.md has no section {}".format(README_SECTION))
    following = re.compile(r"^#{1,3} ", re.M).search(text, start + len(README_SECTION) + 2)
    section = text[start:following.start() if following else len(text)]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, re.M | re.S)
    if len(blocks) != 3:
        raise SystemExit("README.md, {}: expected 3 ```sh blocks (sdist, EL, Debian), found "
                         "{}".format(README_SECTION, len(blocks)))
    return blocks


def readme_commands(readme: str) -> str:
    """What this machine runs of README's RPM build: the sdist block and its rpmbuild block."""
    sdist, on_el, on_debian = readme_blocks(readme)
    return sdist + (on_el if rpm_database_knows_rpm() else on_debian)


def one(pattern: str) -> str:
    found = glob.glob(pattern)
    if len(found) != 1:
        raise SystemExit("expected one {}, found {}".format(pattern, found))
    return found[0]


def readme_native_build(topdir: str) -> str:
    """Run the README's packaging commands as printed in a copy of the tree; the sdist."""
    source = os.path.join(topdir, "source")
    shutil.copytree(ROOT, source, ignore=IGNORED_WHEN_COPYING)
    os.symlink(sys.prefix, os.path.join(source, ".venv"))  # the README's .venv: this env
    home = os.path.join(topdir, "native")
    os.makedirs(home)
    env = clean_env()
    env["HOME"] = home
    commands = readme_commands(os.path.join(ROOT, "README.md"))
    print("README.md, {}:\n{}".format(README_SECTION, commands), file=sys.stderr)
    subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=source, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return one(os.path.join(source, "dist", "*.tar.gz"))


def rpm_database_knows_rpm() -> bool:
    """False where rpm is a guest (Debian): BuildRequires cannot be checked there."""
    result = subprocess.run(["rpm", "-q", "rpm"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return result.returncode == 0


def python_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], check=True,
        stdout=subprocess.PIPE, universal_newlines=True, env=clean_env()).stdout.strip()


def working_interpreter(interpreter: str, target: str) -> str:
    found = shutil.which(interpreter)
    if found is None or subprocess.run([found, "-c", ""], stderr=subprocess.DEVNULL).returncode:
        raise SystemExit("no working {} on PATH: needed to build for {} (scripts/with-pythons "
                         "puts pyenv's there)".format(interpreter, target))
    return found


def el_stand_in(target: str, workdir: str) -> str:
    """A venv of the EL target's Python version with its setuptools; its python."""
    interpreter, setuptools_version = EL_TARGETS[target]
    found = working_interpreter(interpreter, target)
    venv = os.path.join(workdir, "python-" + target)
    subprocess.run([found, "-m", "venv", venv], check=True, env=clean_env())
    python = os.path.join(venv, "bin", "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "setuptools=={}".format(setuptools_version)], check=True, env=clean_env())
    return python


def rpmbuild(sdist: str, topdir: str, defines: Dict[str, str]) -> None:
    command = ["rpmbuild", "-ta", "--define", "_topdir {}".format(topdir)]
    for name, value in defines.items():
        command += ["--define", "{} {}".format(name, value)]
    if not rpm_database_knows_rpm():
        command.append("--nodeps")
    command.append(sdist)
    print(" ".join(command), file=sys.stderr)
    subprocess.run(command, check=True, env=clean_env(), stdout=subprocess.DEVNULL)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("topdir", help="where the builds go; emptied first")
    parser.add_argument("--target", action="append", choices=TARGETS,
                        help="build only for these (repeatable); default: all")
    args = parser.parse_args(argv)
    if shutil.which("rpmbuild") is None:
        print("rpmbuild not found: install it (dnf install rpm-build, or apt-get install rpm)",
              file=sys.stderr)
        return 1
    if not rpm_database_knows_rpm():
        print("rpm database is empty (not an RPM distribution): building with --nodeps",
              file=sys.stderr)
    topdir = os.path.abspath(args.topdir)
    shutil.rmtree(topdir, ignore_errors=True)
    os.makedirs(topdir)
    # The README's flow makes the sdist (and the native RPMs) every time: the EL builds use it.
    sdist = readme_native_build(topdir)
    builds = {}
    for target in args.target or TARGETS:
        target_topdir = os.path.join(topdir, target)
        if target == "native":
            target_topdir = os.path.join(topdir, "source", "rpmbuild")  # README's _topdir
            # the spec's fallback %{__python3} is /usr/bin/python3 where rpm does not define it
            defined = subprocess.run(["rpm", "--eval", "%{?__python3}"], check=True,
                                     stdout=subprocess.PIPE, universal_newlines=True)
            python = defined.stdout.strip() or "/usr/bin/python3"
            shebang = python + " -s"
        elif target == "el7":
            python = working_interpreter(EL7_INTERPRETER, target)
            rpmbuild(sdist, target_topdir, {"rhel": "7", "__python2": python})
            shebang = ""  # no CLI on EL7
        else:
            python = el_stand_in(target, topdir)
            rpmbuild(sdist, target_topdir, {"__python3": python, "he_python_shebang": EL_SHEBANG})
            shebang = EL_SHEBANG
        builds[target] = {"topdir": target_topdir, "python": python,
                          "python_version": python_version(python),
                          "shebang": shebang, "sdist": os.path.basename(sdist),
                          "sdist_path": sdist}
        for path in sorted(glob.glob(os.path.join(target_topdir, "*RPMS", "**", "*.rpm"),
                                     recursive=True)):
            print(path)
    with open(os.path.join(topdir, MANIFEST), "w") as stream:
        json.dump(builds, stream, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
