"""What the fakes of the engine role's service and package modules share: the fake host's
state (tests/he_host.py) and tests/ansible/fake_host_ctl.py, which changes it.

HE_TEST_HOST_CTL holds fake_host_ctl.py's argv up to and with the state file (JSON). Without
it a fake fails: nothing here ever falls back to this machine's systemctl or dnf.
"""

import json
import os
import subprocess

HOST_CTL_ENV = "HE_TEST_HOST_CTL"


def host_ctl(module):
    argv = os.environ.get(HOST_CTL_ENV)
    if not argv:
        module.fail_json(msg="{} is not set: the fakes of tests/ansible/intercept act only on "
                         "a test's fake host, never on this machine".format(HOST_CTL_ENV))
    return json.loads(argv)


def state(module):
    """The fake host's services and packages, as fake_host_ctl.py keeps them."""
    path = host_ctl(module)[-1]
    if not os.path.exists(path):
        return {"services": {}, "packages": []}
    with open(path) as stream:
        return json.load(stream)


def unit(name):
    """ovirt-ha-agent.service and ovirt-ha-agent are one unit, as for systemctl."""
    return name[:-len(".service")] if name.endswith(".service") else name


def run(module, verb, names):
    process = subprocess.run(host_ctl(module) + [verb] + list(names),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
    if process.returncode != 0:
        module.fail_json(msg="fake_host_ctl.py {} {} failed: {}".format(
            verb, " ".join(names), process.stdout))
