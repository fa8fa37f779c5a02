"""Fixtures for the otopi double's own tests."""

import os
import sys

import pytest

DOUBLE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          'otopi_double')
if DOUBLE_DIR not in sys.path:
    sys.path.insert(0, DOUBLE_DIR)

import otopi_harness  # noqa: E402

GROUPS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'groups')


@pytest.fixture
def groups():
    """groups('dt_probe', ...) -> statements loading those test groups."""
    def _statements(*names):
        return otopi_harness.group_statements(GROUPS_DIR, *names)
    return _statements


@pytest.fixture
def run():
    return otopi_harness.run_otopi
