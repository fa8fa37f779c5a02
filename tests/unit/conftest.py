"""Fixtures the library tests share."""

import pytest


@pytest.fixture(params=[False, True], ids=["chown-off", "chown-own-user"])
def chown(request):
    """Run a file test without chown, and with chown to the running user."""
    return request.param
