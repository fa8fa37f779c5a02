"""The group and the library it imports load on Python 2.7 (EL7's otopi 1.8), and a module
that cannot load fails only a deploy or remove, with a clear message (issue 21).

Which modules count is read from the sources: the group's modules, and every library module
they import, directly or through another (at module level or inside an event). Python 2.7
is this interpreter when the suite runs on it (tox -e py27, el7), else pyenv's or PATH's
python2.7; without one the Python 2 checks skip and say so.
"""

import ast
import glob
import os
import shutil
import subprocess
import sys

import pytest
from he_host import example, real
from paths import SRC

PLUGIN_DIR = os.path.join(SRC, "plugins", "ovirt-he-deploy")
LIBRARY = "ovirt_he_deploy"
LIBRARY_DIR = os.path.join(SRC, LIBRARY)
# What a run with action none may import of the library before it knows the action.
NONE_MODULES = frozenset((LIBRARY, LIBRARY + ".envkeys", LIBRARY + ".records",
                          LIBRARY + ".compat"))


PY2 = sys.version_info[0] == 2


def _python2():
    """A Python 2.7 interpreter, or None."""
    if PY2:
        return sys.executable
    candidates = [os.path.join(directory, "python2.7")
                  for directory in os.environ.get("PATH", "").split(os.pathsep) if directory]
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser(os.path.join("~", ".pyenv"))
    candidates += sorted(glob.glob(os.path.join(root, "versions", "2.7*", "bin", "python2.7")))
    for path in candidates:
        # pyenv's shims answer python2.7 with "command not found" when no 2.7 is selected.
        if os.access(path, os.X_OK) and "shims" not in path.split(os.sep):
            return path
    return None


PYTHON2 = _python2()
needs_python2 = pytest.mark.skipif(
    PYTHON2 is None, reason="SKIPPED: no Python 2.7 found (this interpreter, PATH's python2.7 "
                            "or pyenv's versions/2.7*): the Python 2 checks need one")


def _parse(path):
    with open(path, "rb") as stream:
        return ast.parse(stream.read(), path)


def _library_path(name):
    """The source file of a library module name (package or module)."""
    relative = os.path.join(*name.split("."))
    package = os.path.join(SRC, relative, "__init__.py")
    return package if os.path.exists(package) else os.path.join(SRC, relative + ".py")


def _library_imports(path, package):
    """Library modules one source file imports: (module-level ones, all of them)."""
    top, every = set(), set()
    tree = _parse(path)
    module_level = set(id(node) for node in tree.body)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: inside the library only
                if package != LIBRARY:
                    continue
                base = LIBRARY + ("." + base if base else "")
            names = [base] + [base + "." + alias.name for alias in node.names]
        found = set(name for name in names if name.split(".")[0] == LIBRARY
                    and os.path.exists(_library_path(name)))
        every |= found
        if id(node) in module_level:
            top |= found
    return top, every


def _with_parents(names):
    out = set()
    for name in names:
        parts = name.split(".")
        out |= set(".".join(parts[:index]) for index in range(1, len(parts) + 1))
    return out


def _closure(names, module_level_only=False):
    """The library modules `names` import, themselves and their packages included."""
    seen = set()
    todo = list(_with_parents(names))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        top, every = _library_imports(_library_path(name), LIBRARY)
        todo.extend(_with_parents(top if module_level_only else every) - seen)
    return seen


def _group_files():
    return sorted(glob.glob(os.path.join(PLUGIN_DIR, "*", "*.py")))


def _group_imports():
    top, every = set(), set()
    for path in _group_files():
        module_top, module_every = _library_imports(path, "group")
        top |= module_top
        every |= module_every
    return top, every


def host_side_modules():
    """Every library module a run of the group can import, for any action."""
    return _closure(_group_imports()[1])


def _run_python2(code, *args):
    env = dict(os.environ, PYTHONPATH=SRC, PYTHONDONTWRITEBYTECODE="1")
    process = subprocess.Popen([PYTHON2, "-c", code] + list(args), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
    output = process.communicate()[0]
    return process.returncode, output


def test_the_host_side_modules_are_found():
    modules = host_side_modules()
    # The modules a deploy and a remove use; a wrong reading of the imports finds fewer.
    assert set(LIBRARY + "." + name for name in (
        "compat", "envkeys", "records", "unit", "validation", "keychecks", "safety",
        "confkeys", "plan", "render", "hostfs", "hostfacts", "haconf", "keyvalue",
        "metadata", "servicewait", "conflicts")) <= modules
    # Never on a host: the CLI and the engine side.
    assert not set(LIBRARY + "." + name for name in (
        "cli", "hostcmd", "preview", "answerfile", "otopiconf", "installed", "engine")) & modules


@needs_python2
def test_the_group_and_its_library_modules_compile_on_python2():
    # py_compile reads a file as Python 2 imports it (a non-ASCII byte without a coding
    # line fails too, which compile() of a string would not notice).
    paths = _group_files() + sorted(_library_path(name) for name in host_side_modules())
    code = ("import py_compile, sys\n"
            "for path in sys.argv[1:]:\n"
            "    try:\n"
            "        py_compile.compile(path, cfile=path + '.py2-check', doraise=True)\n"
            "    except py_compile.PyCompileError as error:\n"
            "        print(error.msg)\n"
            "    else:\n"
            "        __import__('os').unlink(path + '.py2-check')\n")
    rc, output = _run_python2(code, *paths)
    assert rc == 0 and output == "", "on {}:\n{}".format(PYTHON2, output)


@needs_python2
def test_the_library_modules_import_on_python2_without_typing():
    # EL7 has no typing module: the library imports it only under TYPE_CHECKING.
    names = sorted(host_side_modules())
    code = ("import sys\n"
            "sys.modules['typing'] = None\n"
            "for name in sys.argv[1:]:\n"
            "    __import__(name)\n"
            "print(sys.version_info[0])\n")
    rc, output = _run_python2(code, *names)
    assert (rc, output) == (0, "2\n"), "on {}:\n{}".format(PYTHON2, output)


def test_before_it_knows_the_action_the_group_imports_only_envkeys():
    # At module level (loading the group) the plugins import envkeys and nothing else of
    # the library; everything else is imported inside the events of a deploy or remove.
    top = _group_imports()[0]
    assert top - set([LIBRARY]) == set([LIBRARY + ".envkeys"])
    assert _closure(top, module_level_only=True) == NONE_MODULES


@needs_python2
def test_what_action_none_imports_loads_on_python2():
    # Python 2 leaves None in sys.modules for names it tried as implicit relative imports.
    code = ("import sys\n"
            "import ovirt_he_deploy.envkeys\n"
            "print(' '.join(sorted(name for name, module in sys.modules.items()\n"
            "                      if name.split('.')[0] == 'ovirt_he_deploy'\n"
            "                      and module is not None)))\n")
    rc, output = _run_python2(code)
    assert rc == 0, output
    assert set(output.split()) == NONE_MODULES


# A line this interpreter cannot read: Python 3 syntax on Python 2, Python 2 syntax on 3.
SLIP = "slip: int = 1\n" if PY2 else "print 'slip'\n"


def _slipped(tmp_path, module):
    """A copy of the library where this interpreter cannot load `module`."""
    copy = str(tmp_path / "src")
    shutil.copytree(LIBRARY_DIR, os.path.join(copy, LIBRARY),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    with open(os.path.join(copy, LIBRARY, module + ".py"), "a") as stream:
        stream.write(SLIP)
    return copy


@pytest.fixture
def slipped_library(tmp_path):
    """A copy of the library whose validation module this interpreter cannot load."""
    return _slipped(tmp_path, "validation")


@pytest.fixture
def slipped_repeats(tmp_path):
    """A copy of the library whose configrepeats (every run imports it in INIT) cannot load."""
    return _slipped(tmp_path, "configrepeats")


def _run(host, library, unit=None, *more, **options):
    """A run of the group on this interpreter, importing the library from `library`;
    ours=False leaves out every key of ours (HOSTED_ENGINE/*, OVIRT_HE_DEPLOY/* ...)."""
    statements = host.statements(unit, *more)
    if not options.pop("ours", True):
        from ovirt_he_deploy import envkeys
        statements = [statement for statement in statements
                      if not statement.startswith(envkeys.OUR_PREFIXES)]
    if real():
        import real_otopi
        return real_otopi.run(statements, os_env=host.os_env(), pythonpath=(library,))
    import otopi_harness
    from paths import DOUBLE
    return otopi_harness.run_otopi(
        statements, inprocess=False,
        os_env=dict(host.os_env(), PYTHONPATH=os.pathsep.join((DOUBLE, library))))


@pytest.mark.parametrize("action", ["none", "remove"])
def test_a_module_that_cannot_load_leaves_none_and_fails_remove(host, slipped_library, action):
    result = _run(host, slipped_library, None, "HOSTED_ENGINE/action=str:" + action)
    if action == "none":
        assert result.exit_code == 0, result.stderr + result.log_text[-3000:]
        assert "cannot import" not in result.log_text
    else:
        assert result.exit_code == 1
        _assert_says_why(result)


def test_a_module_that_cannot_load_fails_deploy_before_anything_changed(host, slipped_library):
    result = _run(host, slipped_library, example("nfs.conf"))
    assert result.exit_code == 1
    _assert_says_why(result)
    assert not os.path.exists(host.conf)
    # otopi's own plugins may look services up; nothing is stopped, started or installed.
    assert not [call for call in result.calls
                if any(what in call for what in ("services.state", "services.restart",
                                                 "services.startup", "packager"))]


def test_a_configrepeats_that_cannot_load_leaves_a_host_install_without_our_keys_alone(
        host, slipped_repeats):
    result = _run(host, slipped_repeats, ours=False)
    assert result.exit_code == 0, result.stderr + result.log_text[-3000:]
    assert "cannot import ovirt_he_deploy.configrepeats" in result.log_text
    assert "This run carries no Hosted Engine keys, so it goes on" in result.log_text
    assert not os.path.exists(host.conf)


@pytest.mark.parametrize("keys", [
    pytest.param((), id="deploy-unit"),
    pytest.param(("HOSTED_ENGINE/action=str:none",), id="action-none-on-the-command-line"),
])
def test_a_configrepeats_that_cannot_load_fails_a_run_with_our_keys(host, slipped_repeats, keys):
    # A repeated key could hide another action: a run that carries keys of ours stops.
    unit = None if keys else example("nfs.conf")
    result = _run(host, slipped_repeats, unit, *keys)
    assert result.exit_code == 1
    _assert_says_why(result, "configrepeats")
    assert "Host installs that carry no HOSTED_ENGINE/*, HOSTED_ENGINE_CONFIG/*, " \
           "OVIRT_HE_DEPLOY/* keys go on without it." in result.log_text
    assert not os.path.exists(host.conf)


def _assert_says_why(result, module="validation"):
    version = sys.version.split()[0]
    expected = "Hosted Engine: cannot import ovirt_he_deploy.{} on this host's " \
               "Python {} ".format(module, version)
    assert expected in result.log_text, result.log_text[-3000:]
    assert "SyntaxError" in result.log_text
    assert "Nothing was changed" in result.stdout + result.stderr
