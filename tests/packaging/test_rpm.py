"""The built RPMs: file lists, dependencies, and the split between ovirt-he-deploy and -engine."""

import glob
import os
import re
import subprocess
from typing import Dict, List

import pytest

RPM_DIR_ENV = "OVIRT_HE_DEPLOY_RPM_DIR"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")

MAIN = "ovirt-he-deploy"
ENGINE = "ovirt-he-deploy-engine"
CLI = "/usr/bin/ovirt-he-deploy"
DATADIR = "/usr/share/ovirt-he-deploy"
TEMPLATE = DATADIR + "/templates/hosted-engine.conf.j2"
# otopi finds a group as <dir on BASE/pluginPath>/<group>/; the package lives inside it.
PLUGIN_GROUP_DIR = DATADIR + "/plugins/ovirt-he-deploy/hosted-engine"
SOURCE_PLUGIN_GROUP_DIR = os.path.join(SRC, "plugins", "ovirt-he-deploy", "hosted-engine")

pytestmark = pytest.mark.skipif(
    not os.environ.get(RPM_DIR_ENV),
    reason="{} (an rpmbuild _topdir) is not set; `tox -e rpm` builds and sets it".format(
        RPM_DIR_ENV))


def rpm(*args: str) -> str:
    return subprocess.run(("rpm",) + args, check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout


def lines(text: str) -> List[str]:
    return [line for line in text.splitlines() if line.strip()]


def source_names(directory: str) -> List[str]:
    return sorted(os.path.basename(path) for path in glob.glob(os.path.join(directory, "*.py")))


@pytest.fixture(scope="module")
def packages() -> Dict[str, str]:
    """Binary package name -> .rpm path."""
    topdir = os.environ[RPM_DIR_ENV]
    paths = glob.glob(os.path.join(topdir, "RPMS", "**", "*.rpm"), recursive=True)
    return {rpm("-qp", "--qf", "%{NAME}", path): path for path in paths}


@pytest.fixture(scope="module")
def file_lists(packages: Dict[str, str]) -> Dict[str, List[str]]:
    return {name: lines(rpm("-qlp", path)) for name, path in packages.items()}


@pytest.fixture(scope="module")
def sitelib(file_lists: Dict[str, List[str]]) -> str:
    inits = [path for path in file_lists[MAIN] if path.endswith("/ovirt_he_deploy/__init__.py")]
    assert len(inits) == 1, inits
    found = os.path.dirname(os.path.dirname(inits[0]))
    assert re.fullmatch(r"/usr/lib/python3\.\d+/site-packages", found), found
    return found


def info(path: str) -> Dict[str, str]:
    """The `rpm -qip` header fields, up to the free-text description."""
    fields = {}
    for line in rpm("-qip", path).splitlines():
        match = re.match(r"(\w[\w ]*?)\s*: (.*)", line)
        if match is None or match.group(1) == "Description":
            break
        fields[match.group(1)] = match.group(2).strip()
    return fields


def test_exactly_the_main_package_and_the_engine_subpackage_are_built(packages):
    assert sorted(packages) == sorted([MAIN, ENGINE])


@pytest.mark.parametrize("name", [MAIN, ENGINE])
def test_package_is_noarch_apache_with_the_library_version(packages, name):
    from ovirt_he_deploy import __version__

    fields = info(packages[name])
    assert fields["Name"] == name
    assert fields["Version"] == __version__
    assert fields["Architecture"] == "noarch"
    assert fields["License"] == "Apache-2.0"


def test_main_package_ships_library_cli_template_plugin_group_license_and_doc(
        file_lists, sitelib):
    files = set(file_lists[MAIN])
    expected = {CLI, TEMPLATE, PLUGIN_GROUP_DIR}
    expected.update(sitelib + "/ovirt_he_deploy/" + name
                    for name in source_names(os.path.join(SRC, "ovirt_he_deploy")))
    expected.update(PLUGIN_GROUP_DIR + "/" + name
                    for name in source_names(SOURCE_PLUGIN_GROUP_DIR))
    assert PLUGIN_GROUP_DIR + "/__init__.py" in expected, "the plugin group sources are missing"
    assert sorted(expected - files) == []
    assert [path for path in files if re.fullmatch(
        r"/usr/share/licenses/ovirt-he-deploy(-[\w.]+)?/LICENSE", path)]
    assert [path for path in files if re.fullmatch(
        r"/usr/share/doc/ovirt-he-deploy(-[\w.]+)?/README\.md", path)]


def test_main_package_owns_its_share_directories(file_lists):
    files = set(file_lists[MAIN])
    for directory in (DATADIR, DATADIR + "/templates", DATADIR + "/plugins",
                      DATADIR + "/plugins/ovirt-he-deploy", PLUGIN_GROUP_DIR):
        assert directory in files, directory


def _bytecode_of(directory: str, modules: List[str]) -> str:
    stems = "|".join(re.escape(name[:-3]) for name in modules)
    return r"{}/__pycache__(/({})\.cpython-3\d+(\.opt-[12])?\.pyc)?".format(
        re.escape(directory), stems)


def test_main_package_has_nothing_stray(file_lists, sitelib):
    library = sitelib + "/ovirt_he_deploy"
    modules = source_names(os.path.join(SRC, "ovirt_he_deploy"))
    plugin_files = source_names(SOURCE_PLUGIN_GROUP_DIR)
    known = {CLI, library, DATADIR, DATADIR + "/templates", TEMPLATE, DATADIR + "/plugins",
             DATADIR + "/plugins/ovirt-he-deploy", PLUGIN_GROUP_DIR}
    known.update(library + "/" + name for name in modules)
    known.update(PLUGIN_GROUP_DIR + "/" + name for name in plugin_files)
    allowed = [
        _bytecode_of(library, modules),
        re.escape(sitelib) + r"/ovirt_he_deploy-[\w.]+-py3\.\d+\.egg-info(/[\w.-]+)?",
        r"/usr/share/licenses/ovirt-he-deploy(-[\w.]+)?(/LICENSE)?",
        r"/usr/share/doc/ovirt-he-deploy(-[\w.]+)?(/README\.md)?",
    ]
    stray = [path for path in file_lists[MAIN] if path not in known
             and not any(re.fullmatch(pattern, path) for pattern in allowed)]
    assert stray == []


def test_engine_package_is_only_in_the_subpackage(file_lists, sitelib):
    engine = sitelib + "/ovirt_he_deploy/engine"
    assert [path for path in file_lists[MAIN] if path.startswith(engine)] == []
    modules = source_names(os.path.join(SRC, "ovirt_he_deploy", "engine"))
    assert "__init__.py" in modules, "src/ovirt_he_deploy/engine is missing"
    known = {engine} | {engine + "/" + name for name in modules}
    assert sorted(known - set(file_lists[ENGINE])) == []
    stray = [path for path in file_lists[ENGINE] if path not in known
             and not re.fullmatch(_bytecode_of(engine, modules), path)]
    assert stray == []


@pytest.mark.parametrize("name", [MAIN, ENGINE])
def test_no_tests_and_no_bytecode_outside_site_packages(file_lists, sitelib, name):
    for path in file_lists[name]:
        base = os.path.basename(path)
        assert "/tests/" not in path and not base.startswith(("test_", "conftest")), path
        if "__pycache__" in path or path.endswith(".pyc"):
            assert path.startswith(sitelib + "/ovirt_he_deploy/"), path


AUTOMATIC_REQUIRES = [
    r"rpmlib\(.+\)( <= .+)?",
    r"python\(abi\) = 3\.\d+",
    r"/usr/bin/python3",
    # EL's (and Debian rpm's) Python dependency generator, from the egg-info in the main package.
    r"python3(\.\d+)?dist\((jinja2|setuptools)\)( >= [\d.]+)?",
]


def requires(path: str) -> List[str]:
    return lines(rpm("-qp", "--requires", path))


def test_main_package_requires_otopi_and_jinja2_and_not_the_engine_sdk(packages):
    found = requires(packages[MAIN])
    assert "python3-otopi" in found
    assert "python3-jinja2" in found
    stray = [req for req in found if req not in ("python3-otopi", "python3-jinja2")
             and not any(re.fullmatch(pattern, req) for pattern in AUTOMATIC_REQUIRES)]
    assert stray == []


def test_engine_package_requires_the_engine_sdk_and_this_exact_main_package(packages):
    version_release = rpm("-qp", "--qf", "%{VERSION}-%{RELEASE}", packages[MAIN])
    exact_main = "{} = {}".format(MAIN, version_release)
    found = requires(packages[ENGINE])
    assert "python3-ovirt-engine-sdk4" in found
    assert exact_main in found
    stray = [req for req in found if req not in ("python3-ovirt-engine-sdk4", exact_main)
             and not any(re.fullmatch(pattern, req) for pattern in AUTOMATIC_REQUIRES)]
    assert stray == []


def cpio_members(data: bytes) -> Dict[str, bytes]:
    """Regular files of a cpio 'newc' archive (what rpm2cpio writes), by absolute path."""
    members = {}
    offset = 0
    while True:
        header = data[offset:offset + 110]
        assert header[:6] in (b"070701", b"070702"), "not a newc cpio archive"
        mode = int(header[14:22], 16)
        size = int(header[54:62], 16)
        name_size = int(header[94:102], 16)
        name_start = offset + 110
        name = data[name_start:name_start + name_size - 1].decode()
        body_start = (name_start + name_size + 3) & ~3
        if name == "TRAILER!!!":
            return members
        if mode & 0o170000 == 0o100000:
            members["/" + name.lstrip("./")] = data[body_start:body_start + size]
        offset = (body_start + size + 3) & ~3


@pytest.fixture(scope="module")
def main_payload(packages) -> Dict[str, bytes]:
    data = subprocess.run(["rpm2cpio", packages[MAIN]], check=True,
                          stdout=subprocess.PIPE).stdout
    return cpio_members(data)


def test_cli_runs_with_the_system_python(main_payload):
    first_line = main_payload[CLI].splitlines()[0]
    assert re.fullmatch(rb"#!/usr/bin/python3( -s)?", first_line), first_line


def test_plugin_group_and_template_are_the_sources(main_payload):
    shipped = {TEMPLATE: os.path.join(SRC, "templates", "hosted-engine.conf.j2")}
    shipped.update((PLUGIN_GROUP_DIR + "/" + name, os.path.join(SOURCE_PLUGIN_GROUP_DIR, name))
                   for name in source_names(SOURCE_PLUGIN_GROUP_DIR))
    for installed, source in shipped.items():
        with open(source, "rb") as stream:
            assert main_payload[installed] == stream.read(), installed


def test_source_rpm_carries_the_spec_and_the_sdist():
    from ovirt_he_deploy import __version__

    topdir = os.environ[RPM_DIR_ENV]
    (srpm,) = glob.glob(os.path.join(topdir, "SRPMS", "*.src.rpm"))
    assert sorted(lines(rpm("-qlp", srpm))) == [
        "{}-{}.tar.gz".format(MAIN, __version__), "ovirt-he-deploy.spec"]
