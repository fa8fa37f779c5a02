"""Hardening tests: hypothesis profiles, the fake host, the secret scan after every run."""

import os

import pytest
import real_otopi
from he_host import real
from hypothesis import HealthCheck, settings

from .support import OLD_CONF, OLD_HA, Host, make_host, write

# "ci": a few hundred examples over all property tests, well under 30 s.
# "fuzz": tox -e fuzz, 20,000 examples per property test.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=20000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def host(tmp_path) -> Host:
    """A fresh fake host (the plugin tests' layout): ha.conf with maintenance set.

    Every test that runs otopi gets one (or `deployed`), so this is where they skip under
    the real otopi: their faults are injected into the double (in-process monkeypatches of
    os.open and os.write, the fakes' failure switches, `python -m otopi` paused at a point)
    and they read the double's log and events, which a real otopi run has not.
    """
    if real():
        pytest.skip("the hardening runs are otopi test double only (faults injected in "
                    "process, the double's log read); OTOPI_TREE is set, so they would run "
                    "on the real otopi at {}".format(real_otopi.tree()))
    return make_host(str(tmp_path))


@pytest.fixture
def deployed(host) -> Host:
    """A host deployed before: an old conf (mode 0440) and maintenance cleared."""
    write(host.conf, OLD_CONF, 0o440)
    write(host.ha_conf, OLD_HA)
    return host
