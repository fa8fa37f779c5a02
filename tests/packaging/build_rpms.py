"""Build an sdist of the project and the RPMs from it with rpmbuild -ba, below one top dir."""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from typing import List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "ovirt-he-deploy.spec")
# The Python seen by rpmbuild is the system one, never the tox env's.
ENV_DROPPED = ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


def name_and_version() -> Tuple[str, str]:
    """The distribution name and version, both from setup.cfg (version: __version__)."""
    out = subprocess.run([sys.executable, "setup.py", "--name", "--version"], cwd=ROOT,
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    name, version = out.strip().splitlines()[-2:]
    return name.strip(), version.strip()


def make_sdist(dist_dir: str) -> str:
    """The sdist tarball, built without leaving egg-info behind in the source tree."""
    with tempfile.TemporaryDirectory() as egg_base:
        subprocess.run([sys.executable, "setup.py", "-q", "egg_info", "--egg-base", egg_base,
                        "sdist", "--formats=gztar", "--dist-dir", dist_dir],
                       cwd=ROOT, check=True)
    tarballs = glob.glob(os.path.join(dist_dir, "*.tar.gz"))
    if len(tarballs) != 1:
        raise SystemExit("expected one sdist in {}, found {}".format(dist_dir, tarballs))
    return tarballs[0]


def rpm_database_knows_rpm() -> bool:
    """False where rpm is a guest (Debian): BuildRequires cannot be checked there."""
    result = subprocess.run(["rpm", "-q", "rpm"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return result.returncode == 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("topdir", help="rpmbuild _topdir; emptied first")
    args = parser.parse_args(argv)
    if shutil.which("rpmbuild") is None:
        print("rpmbuild not found: install it (dnf install rpm-build, or apt-get install rpm)",
              file=sys.stderr)
        return 1
    topdir = os.path.abspath(args.topdir)
    shutil.rmtree(topdir, ignore_errors=True)
    sources = os.path.join(topdir, "SOURCES")
    os.makedirs(sources)

    name, version = name_and_version()
    sdist = make_sdist(os.path.join(topdir, "sdist"))
    # Source0 is Name-Version.tar.gz; newer setuptools spells the sdist name with underscores.
    shutil.copy(sdist, os.path.join(sources, "{}-{}.tar.gz".format(name, version)))

    command = ["rpmbuild", "-ba",
               "--define", "_topdir {}".format(topdir),
               "--define", "he_version {}".format(version)]
    if not rpm_database_knows_rpm():
        print("rpm database is empty (not an RPM distribution): building with --nodeps",
              file=sys.stderr)
        command.append("--nodeps")
    command.append(SPEC)
    env = {key: value for key, value in os.environ.items() if key not in ENV_DROPPED}
    print(" ".join(command), file=sys.stderr)
    subprocess.run(command, check=True, env=env)
    for path in sorted(glob.glob(os.path.join(topdir, "*RPMS", "**", "*.rpm"), recursive=True)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
