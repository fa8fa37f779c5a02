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

# Subprocess runs of the double must import ovirt_he_deploy from the same tree.
otopi_harness.EXTRA_PYTHONPATH[:] = [SRC]


# tox -e real-otopi sets this: its whole point is the real otopi, so without OTOPI_TREE it
# runs nothing and says why, instead of quietly testing the double once more.
REAL_ONLY = "OVIRT_HE_DEPLOY_REAL_OTOPI_ONLY"


def pytest_report_header(config):
    import real_otopi
    return "plugin runs on: {}".format(real_otopi.flavour())


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
