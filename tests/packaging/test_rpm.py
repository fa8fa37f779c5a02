"""The built RPMs: file lists, dependencies, and the split between ovirt-he-deploy and -engine;
the EL7 build: the host side only, for Python 2.7."""

import glob
import json
import os
import re
import subprocess
import tarfile
from typing import Dict, List, Optional

import el7_install
import pytest

RPM_DIR_ENV = "OVIRT_HE_DEPLOY_RPM_DIR"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")

MAIN = "ovirt-he-deploy"
ENGINE = "ovirt-he-deploy-engine"
CLI = "/usr/bin/ovirt-he-deploy"
DATADIR = "/usr/share/ovirt-he-deploy"
# otopi finds a group as <dir on BASE/pluginPath>/<group>/; the package lives inside it.
PLUGIN_GROUP_DIR = DATADIR + "/plugins/ovirt-he-deploy/hosted-engine"
SOURCE_PLUGIN_GROUP_DIR = os.path.join(SRC, "plugins", "ovirt-he-deploy", "hosted-engine")
SOURCE_TEMPLATES = os.path.join(SRC, "ovirt_he_deploy", "templates")
# Installed files of the engine subpackage outside site-packages (absolute path -> source).
ENGINE_DATA_FILES = {
    DATADIR + "/ansible": None,
    DATADIR + "/ansible/ovirt-he-deploy-post-tasks.yml": os.path.join(
        ROOT, "src", "ansible", "ovirt-he-deploy-post-tasks.yml"),
}  # type: Dict[str, Optional[str]]


def _builds() -> Dict[str, Dict[str, str]]:
    """target (native, el8, el9) -> what build_rpms.py recorded: topdir, python_version, ..."""
    topdir = os.environ.get(RPM_DIR_ENV)
    if not topdir:
        return {}
    with open(os.path.join(topdir, "builds.json")) as stream:
        return json.load(stream)


BUILDS = _builds()
EL7 = "el7"
# The Python 3 builds (native, el8, el9): the library, the CLI and the -engine subpackage.
PY3_BUILDS = sorted(target for target in BUILDS if target != EL7)

pytestmark = pytest.mark.skipif(
    not BUILDS,
    reason="{} (build_rpms.py's output dir) is not set; `tox -e rpm` builds and sets it".format(
        RPM_DIR_ENV))


def rpm(*args: str) -> str:
    return subprocess.run(("rpm",) + args, check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout


def lines(text: str) -> List[str]:
    return [line for line in text.splitlines() if line.strip()]


def source_names(directory: str) -> List[str]:
    return sorted(os.path.basename(path) for path in glob.glob(os.path.join(directory, "*.py")))


@pytest.fixture(scope="module", params=PY3_BUILDS or ["none"])
def build(request) -> Dict[str, str]:
    """One build: native (this machine's python3), el8 (3.6) or el9 (3.9)."""
    return BUILDS[request.param]


@pytest.fixture(scope="module")
def packages(build) -> Dict[str, str]:
    """Binary package name -> .rpm path."""
    paths = glob.glob(os.path.join(build["topdir"], "RPMS", "**", "*.rpm"), recursive=True)
    return {rpm("-qp", "--qf", "%{NAME}", path): path for path in paths}


@pytest.fixture(scope="module")
def file_lists(packages: Dict[str, str]) -> Dict[str, List[str]]:
    return {name: lines(rpm("-qlp", path)) for name, path in packages.items()}


@pytest.fixture(scope="module")
def sitelib(file_lists: Dict[str, List[str]], build) -> str:
    inits = [path for path in file_lists[MAIN] if path.endswith("/ovirt_he_deploy/__init__.py")]
    assert len(inits) == 1, inits
    found = os.path.dirname(os.path.dirname(inits[0]))
    assert found == "/usr/lib/python{}/site-packages".format(build["python_version"])
    return found


def template_path(sitelib: str) -> str:
    return sitelib + "/ovirt_he_deploy/templates/hosted-engine.conf.j2"


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
    expected = {CLI, template_path(sitelib), PLUGIN_GROUP_DIR}
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
    for directory in (DATADIR, DATADIR + "/plugins", DATADIR + "/plugins/ovirt-he-deploy",
                      PLUGIN_GROUP_DIR):
        assert directory in files, directory


def _bytecode_of(directory: str, modules: List[str]) -> str:
    stems = "|".join(re.escape(name[:-3]) for name in modules)
    return r"{}/__pycache__(/({})\.cpython-3\d+(\.opt-[12])?\.pyc)?".format(
        re.escape(directory), stems)


def test_main_package_has_nothing_stray(file_lists, sitelib):
    library = sitelib + "/ovirt_he_deploy"
    modules = source_names(os.path.join(SRC, "ovirt_he_deploy"))
    plugin_files = source_names(SOURCE_PLUGIN_GROUP_DIR)
    known = {CLI, library, library + "/templates", template_path(sitelib), DATADIR,
             DATADIR + "/plugins", DATADIR + "/plugins/ovirt-he-deploy", PLUGIN_GROUP_DIR}
    known.update(library + "/" + name for name in modules)
    known.update(PLUGIN_GROUP_DIR + "/" + name for name in plugin_files)
    allowed = [
        _bytecode_of(library, modules),
        _bytecode_of(PLUGIN_GROUP_DIR, plugin_files),
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
    known = {engine} | {engine + "/" + name for name in modules} | set(ENGINE_DATA_FILES)
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
            assert path.startswith((sitelib + "/ovirt_he_deploy/", PLUGIN_GROUP_DIR + "/")), path


def test_the_plugin_group_ships_bytecode_for_the_target_python(file_lists, build):
    """otopi runs `python -B`: it writes no bytecode but reads it, so the group is compiled
    at build time, for the Python the RPM is for (benchmarks: issue 15)."""
    tag = "cpython-" + build["python_version"].replace(".", "")
    for name in source_names(SOURCE_PLUGIN_GROUP_DIR):
        compiled = "{}/__pycache__/{}.{}.pyc".format(PLUGIN_GROUP_DIR, name[:-3], tag)
        assert compiled in file_lists[MAIN], compiled


def automatic_requires(python_version: str) -> List[str]:
    """What rpm's generators add, for the build's own Python version and no other."""
    version = re.escape(python_version)
    return [
        r"rpmlib\(.+\)( <= .+)?",
        r"python\(abi\) = " + version,
        # Debian rpm's script.req, from the CLI's #! line (EL's rpm has no such generator)
        r"/usr/bin/python3",
        # the Python dependency generator, from the egg-info in the main package
        r"python{}dist\((jinja2|setuptools)\)( >= [\d.]+)?".format(version),
    ]


def requires(path: str) -> List[str]:
    return lines(rpm("-qp", "--requires", path))


def test_main_package_requires_otopi_and_jinja2_and_not_the_engine_sdk(packages, build):
    found = requires(packages[MAIN])
    explicit = ["python3-otopi", "python3-jinja2 >= 2.10.1"]
    assert sorted(set(explicit) - set(found)) == []
    stray = [req for req in found if req not in explicit and not any(
        re.fullmatch(pattern, req) for pattern in automatic_requires(build["python_version"]))]
    assert stray == []


def test_engine_package_requires_the_engine_sdk_and_this_exact_main_package(packages, build):
    version_release = rpm("-qp", "--qf", "%{VERSION}-%{RELEASE}", packages[MAIN])
    explicit = ["python3-ovirt-engine-sdk4", "{} = {}".format(MAIN, version_release)]
    found = requires(packages[ENGINE])
    assert sorted(set(explicit) - set(found)) == []
    stray = [req for req in found if req not in explicit and not any(
        re.fullmatch(pattern, req) for pattern in automatic_requires(build["python_version"]))]
    assert stray == []


@pytest.mark.parametrize("name", [MAIN, ENGINE])
def test_requires_name_only_the_target_python(packages, build, name):
    """No leak of the build machine's Python: python(abi) and every pythonX.Ydist name the
    version the RPM is built for (EL8: 3.6, EL9: 3.9), which is also its site-packages'."""
    found = requires(packages[name])
    assert "python(abi) = {}".format(build["python_version"]) in found
    versions = set(re.findall(r"python(?:\(abi\) = |)(\d+\.\d+)", " ".join(found)))
    assert versions == {build["python_version"]}


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


def test_cli_runs_with_the_target_system_python(main_payload, build):
    first_line = main_payload[CLI].splitlines()[0]
    assert first_line == "#!{}".format(build["shebang"]).encode()
    assert re.fullmatch(rb"#!/usr/bin/python3( -s)?", first_line), first_line


def test_plugin_group_and_template_are_the_sources(main_payload, sitelib):
    shipped = {template_path(sitelib): os.path.join(SOURCE_TEMPLATES, "hosted-engine.conf.j2")}
    shipped.update((PLUGIN_GROUP_DIR + "/" + name, os.path.join(SOURCE_PLUGIN_GROUP_DIR, name))
                   for name in source_names(SOURCE_PLUGIN_GROUP_DIR))
    for installed, source in shipped.items():
        with open(source, "rb") as stream:
            assert main_payload[installed] == stream.read(), installed


@pytest.fixture(scope="module")
def engine_payload(packages) -> Dict[str, bytes]:
    data = subprocess.run(["rpm2cpio", packages[ENGINE]], check=True,
                          stdout=subprocess.PIPE).stdout
    return cpio_members(data)


def test_engine_data_files_are_the_sources(engine_payload):
    for installed, source in ENGINE_DATA_FILES.items():
        if source is None:
            continue  # a directory
        with open(source, "rb") as stream:
            assert engine_payload[installed] == stream.read(), installed


def test_source_rpm_carries_the_spec_and_the_sdist(build):
    (srpm,) = glob.glob(os.path.join(build["topdir"], "SRPMS", "*.src.rpm"))
    assert sorted(lines(rpm("-qlp", srpm))) == sorted([build["sdist"], "ovirt-he-deploy.spec"])


def sdist_member(build, suffix: str) -> bytes:
    with tarfile.open(build["sdist_path"]) as tar:
        (member,) = [m for m in tar.getmembers() if m.name.count("/") == 1
                     and m.name.endswith("/" + suffix)]
        stream = tar.extractfile(member)
        assert stream is not None
        return stream.read()


def test_sdist_spec_takes_version_and_source_from_the_package(build):
    """One source of truth: the spec in the sdist says __version__ and names the sdist itself."""
    from ovirt_he_deploy import __version__

    spec = sdist_member(build, "ovirt-he-deploy.spec").decode()
    assert re.search(r"^Version:\s+{}$".format(re.escape(__version__)), spec, re.M)
    source0 = re.search(r"^Source0:\s+(\S+)$", spec, re.M)
    assert source0 is not None
    name = re.search(r"^Name:\s+(\S+)$", spec, re.M).group(1)  # type: ignore[union-attr]
    assert source0.group(1).replace("%{name}", name).replace(
        "%{version}", __version__) == build["sdist"]
    assert "@VERSION@" not in spec and "@SDIST_NAME@" not in spec
    with open(os.path.join(ROOT, "ovirt-he-deploy.spec.in")) as stream:
        template = stream.read()
    assert re.search(r"^Version:\s+@VERSION@$", template, re.M), "the template sets no version"


# The EL7 build (rhel < 8): the plugin group and the library modules it imports, for otopi 1.8
# on Python 2.7; no CLI, no -engine subpackage.

EL7_SITELIB = el7_install.SITE_PACKAGES + "/ovirt_he_deploy"
# Python 3 only: the CLI's modules and the engine side.
EL7_LEFT_OUT = ["__main__.py", "answerfile.py", "checkcmd.py", "cli.py", "clicommon.py",
                "hostcmd.py", "installed.py", "otopiconf.py", "preview.py", "rootdir.py",
                "sandbox.py"]
PY27_MAGIC = b"\x03\xf3\r\n"


@pytest.fixture(scope="module")
def el7() -> Dict[str, str]:
    if EL7 not in BUILDS:
        pytest.skip("build_rpms.py built no el7 target (built: {})".format(sorted(BUILDS)))
    return BUILDS[EL7]


@pytest.fixture(scope="module")
def el7_package(el7) -> str:
    paths = glob.glob(os.path.join(el7["topdir"], "RPMS", "**", "*.rpm"), recursive=True)
    assert [rpm("-qp", "--qf", "%{NAME}", path) for path in paths] == [MAIN], paths
    return paths[0]


@pytest.fixture(scope="module")
def el7_payload(el7_package) -> Dict[str, bytes]:
    data = subprocess.run(["rpm2cpio", el7_package], check=True, stdout=subprocess.PIPE).stdout
    return cpio_members(data)


@pytest.fixture(scope="module")
def el7_root(el7_payload, tmp_path_factory) -> str:
    """The EL7 RPM's files, extracted below a temp dir at their installed paths."""
    root = tmp_path_factory.mktemp("el7-root")
    for path, body in el7_payload.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return str(root)


def python27(el7, *args: str, env: Optional[Dict[str, str]] = None):
    assert el7["python_version"] == "2.7", el7
    return subprocess.run([el7["python"]] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True,
                          env=dict(env or {}, PATH=os.environ["PATH"]))


def test_el7_package_is_noarch_for_python_2_7(el7_package):
    from ovirt_he_deploy import __version__

    fields = info(el7_package)
    assert (fields["Name"], fields["Version"], fields["Architecture"]) == (
        MAIN, __version__, "noarch")
    # No CLI in the EL7 build: its summary does not promise one.
    assert "CLI" not in fields["Summary"] and "otopi plugins" in fields["Summary"]


def test_el7_package_ships_the_host_side_for_python_2_7_and_nothing_else(el7_package):
    files = set(lines(rpm("-qlp", el7_package)))
    sources = el7_install.source_files()
    assert sorted(set(sources) - files) == []
    assert el7_install.SITE_PACKAGES + "/ovirt_he_deploy/__init__.py" in sources
    assert PLUGIN_GROUP_DIR + "/__init__.py" in sources
    compiled = {path[:-3] + ".pyc" for path in sources if path.endswith(".py")}
    assert sorted(compiled - files) == [], "byte-compiled for 2.7 next to the sources"
    directories = {EL7_SITELIB, EL7_SITELIB + "/templates", DATADIR, DATADIR + "/plugins",
                   DATADIR + "/plugins/ovirt-he-deploy", PLUGIN_GROUP_DIR}
    allowed = [
        r".+\.pyo",  # EL7's brp-python-bytecompile adds them in site-packages
        r"/usr/share/licenses/ovirt-he-deploy(-[\w.]+)?(/LICENSE)?",
        r"/usr/share/doc/ovirt-he-deploy(-[\w.]+)?(/README\.md)?",
    ]
    stray = [path for path in files - set(sources) - compiled - directories
             if not any(re.fullmatch(pattern, path) for pattern in allowed)]
    assert stray == []
    pyos = [path for path in files if path.endswith(".pyo")]
    assert sorted(path for path in pyos if path[:-1] + "c" not in compiled) == []


def test_el7_package_leaves_out_the_python_3_cli_and_the_engine_side(el7_package):
    files = lines(rpm("-qlp", el7_package))
    assert [path for path in files if "python3" in path or path.startswith("/usr/bin/")] == []
    assert [path for path in files if "/engine" in path or "egg-info" in path] == []
    shipped = {os.path.basename(path) for path in files if path.startswith(EL7_SITELIB + "/")}
    assert sorted(shipped & set(EL7_LEFT_OUT)) == []
    # What it leaves out is all there is besides what it ships, and really is Python 3 only.
    library = source_names(os.path.join(SRC, "ovirt_he_deploy"))
    assert sorted(set(library) - shipped) == sorted(EL7_LEFT_OUT + ["rules.py"])


def test_el7_package_requires_otopi_1_8_and_el7_jinja2_and_python_2_7(el7_package):
    found = requires(el7_package)
    explicit = ["python2-otopi >= 1.8.0", "python-jinja2 >= 2.7.2", "python(abi) = 2.7"]
    assert sorted(set(explicit) - set(found)) == []
    stray = [req for req in found if req not in explicit
             and not re.fullmatch(r"rpmlib\(.+\)( <= .+)?", req)]
    assert stray == []


def test_el7_files_are_the_sources_and_the_bytecode_is_python_2_7(el7_payload):
    for installed, source in el7_install.source_files().items():
        with open(source, "rb") as stream:
            assert el7_payload[installed] == stream.read(), installed
    compiled = [path for path in el7_payload if path.endswith((".pyc", ".pyo"))]
    assert compiled
    assert [path for path in compiled if el7_payload[path][:4] != PY27_MAGIC] == []


def test_el7_every_module_compiles_with_python_2_7(el7, el7_root):
    modules = sorted(os.path.join(directory, name)
                     for directory, _, names in os.walk(el7_root)
                     for name in names if name.endswith(".py"))
    assert len(modules) == len([path for path in el7_install.source_files()
                                if path.endswith(".py")])
    done = python27(el7, "-B", "-c", "import py_compile, sys\n"
                    "for path in sys.argv[1:]:\n"
                    "    py_compile.compile(path, cfile=path + '.check', doraise=True)",
                    *modules)
    assert done.returncode == 0, done.stdout


# Runs on Python 2.7 from the extracted RPM (the otopi double as otopi): loads the group, imports
# what a deploy or remove imports, and prints where every ovirt_he_deploy module came from.
LOAD_THE_GROUP = """
import imp, importlib, json, sys
group = sys.argv[1]
imp.load_module("he_group", None, group, ("", "", imp.PKG_DIRECTORY))
customization = sys.modules["he_group.customization"]
for name in customization.INIT_MODULES + customization.RUN_MODULES:
    importlib.import_module(name)
print(json.dumps(dict((name, module.__file__) for name, module in sys.modules.items()
                      if module is not None and name.split(".")[0] == "ovirt_he_deploy")))
"""


def test_el7_group_loads_on_python_2_7_from_the_package_and_imports_only_what_it_ships(
        el7, el7_root):
    sitelib = el7_root + el7_install.SITE_PACKAGES
    group = el7_root + PLUGIN_GROUP_DIR
    double = os.path.join(ROOT, "tests", "otopi_double")
    done = python27(el7, "-B", "-c", LOAD_THE_GROUP, group,
                    env={"PYTHONPATH": os.pathsep.join((double, sitelib))})
    assert done.returncode == 0, done.stdout
    imported = json.loads(done.stdout.splitlines()[-1])
    assert sorted(path for path in imported.values()
                  if not path.startswith(sitelib + "/ovirt_he_deploy/")) == []
    # The spec's list is exactly what the group imports: nothing missing, nothing extra.
    names = sorted(name.split(".")[-1] + ".py" for name in imported if "." in name)
    assert names == sorted(name for name in el7_install.host_modules() if name != "__init__.py")
