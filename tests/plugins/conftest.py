"""Fixtures for the plugin group's end-to-end tests."""

import pytest
from he_host import make_host


@pytest.fixture
def host(tmp_path):  # type: (...) -> Host
    return make_host(str(tmp_path))
