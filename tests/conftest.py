"""Shared test setup: the source tree and the otopi test double on sys.path."""

import os
import sys

import pytest
from paths import DOUBLE, SRC

# The double must come before any real otopi; the source tree before an installed copy.
for path in (SRC, DOUBLE):
    if path not in sys.path:
        sys.path.insert(0, path)

import otopi_harness  # noqa: E402  (needs the double on sys.path)

# Python 2.7 (tox -e py27, el7) runs the host side only: the plugin group, the library modules
# it imports and the otopi double. These test the CLI, the engine side, the packaging or
# need Python 3 tools (hypothesis' fuzzing, ansible), all Python 3 only, so on 2.7 they are not
# collected, and the report header names them.
PYTHON3_ONLY = [
    "ansible", "engine", "fake_engine", "hardening", "packaging",
    "plugins/test_manual_flows.py", "plugins/test_sandbox.py",
    "unit/test_cli.py", "unit/test_cli_typos.py", "unit/test_hostcmd.py", "unit/test_layers.py",
    "unit/test_keynames_properties.py", "unit/test_metadata_properties.py",
    "unit/test_otopiconf.py", "unit/test_repository_docs.py", "unit/test_sandbox.py",
]
collect_ignore = PYTHON3_ONLY if sys.version_info[0] == 2 else []

# Subprocess runs of the double must import ovirt_he_deploy from the same tree.
otopi_harness.EXTRA_PYTHONPATH[:] = [SRC]


if sys.version_info[0] == 2:
    import pathlib2

    class NativeTextPath(type(pathlib2.Path())):
        """pytest 4.6's tmp_path on Python 2.7, with pathlib's text methods as on Python 3.

        pathlib2's write_text takes only unicode and read_text gives unicode; the tests, the
        library and otopi 1.8 deal in native str (bytes on 2.7), text files are ASCII or UTF-8.
        """

        def write_text(self, data, encoding="utf-8", errors="strict"):
            with open(str(self), "wb") as stream:
                stream.write(data if isinstance(data, bytes) else data.encode(encoding, errors))

        def read_text(self, encoding="utf-8", errors="strict"):
            with open(str(self), "rb") as stream:
                return stream.read()

    @pytest.fixture
    def tmp_path(tmpdir):
        return NativeTextPath(str(tmpdir))


# tox -e real-otopi sets this: its whole point is the real otopi, so without OTOPI_TREE it
# runs nothing and says why, instead of quietly testing the double once more.
REAL_ONLY = "OVIRT_HE_DEPLOY_REAL_OTOPI_ONLY"


def pytest_report_header(config):
    import real_otopi
    lines = ["plugin runs on: {}".format(real_otopi.flavour())]
    if collect_ignore:
        lines.append("Python {}: the host side only; not collected (Python 3 only): {}".format(
            sys.version.split()[0], ", ".join("tests/" + path for path in collect_ignore)))
    return lines


def pytest_collection_modifyitems(config, items):
    import real_otopi
    if os.environ.get(REAL_ONLY) and real_otopi.tree() is None:
        skip = pytest.mark.skip(reason=(
            "SKIPPED: OTOPI_TREE is not set, so there is no real otopi to run the plugin "
            "tests on. Point OTOPI_TREE at an oVirt/otopi checkout with src/otopi/config.py "
            "generated from config.py.in.in (docs/development.md: Testing against the real "
            "otopi)."))
        for item in items:
            item.add_marker(skip)
