"""deployed.differences: the conf on the host against a unit, as ovirt-ha-agent and bash read it."""

import os

import pytest

from ovirt_he_deploy import deployed, envkeys, keyvalue, plan, validation
from ovirt_he_deploy.unit import DeployUnit

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "iscsi-chap.hosted-engine.conf")


def conf():
    with open(GOLDEN) as stream:
        return stream.read()


def unit():
    """The deploy unit that says what the golden conf says (as answer-file builds it; that
    module is the CLI's, Python 3 only, and deployed runs on the host's Python 2.7 too)."""
    config = tuple(keyvalue.parse(conf()).items())
    return validation.check(DeployUnit(action=envkeys.ACTION_DEPLOY, config=config))


def entries():
    return unit().entries


def test_the_render_itself_says_what_the_unit_says():
    assert deployed.differences(conf(), entries()) == ()


@pytest.mark.parametrize("edit", [
    lambda text: "# copied by the engine\n" + text,
    lambda text: "\n".join(reversed(text.splitlines())) + "\n",
    lambda text: "console=vnc\nvdsm_use_ssl=true\nca_subject=\"C=EN, L=Test, O=Test\"\n" + text,
    lambda text: text + "fqdn=engine.example.com\n",
], ids=["comment", "order", "legacy-keys", "duplicate-same-value"])
def test_what_no_reader_sees_does_not_count(edit):
    assert deployed.differences(edit(conf()), entries()) == ()


@pytest.mark.parametrize("edit,expected", [
    (lambda text: text.replace("host_id=3", "host_id=4"), ("host_id",)),
    (lambda text: text + "fqdn=other.example.com\n", ("fqdn",)),
    (lambda text: text + "extra_key=1\n", ("extra_key",)),
    (lambda text: text.replace("bridge=ovirtmgmt\n", ""), ("bridge",)),
    (lambda text: text.replace("bridge=", "bridge = "), (deployed.LAYOUT,)),
    (lambda text: text + "reboot\n", (deployed.LAYOUT,)),
    (lambda text: "console=$(reboot)\n" + text, (deployed.LAYOUT,)),
], ids=["host_id", "last-one-wins", "unknown-key", "missing-key", "blanks-around-equals",
        "bare-command", "legacy-key-bash-runs"])
def test_what_a_reader_sees_differently_counts(edit, expected):
    assert deployed.differences(edit(conf()), entries()) == expected


def test_describe_names_keys_never_values():
    text = deployed.describe(("password", deployed.LAYOUT))
    assert text == "password, (line layout)"


def test_a_deployed_conf_makes_a_completing_plan():
    settings = plan.HostSettings("/c", "vdsm", "kvm", "/h", "/l", install_missing_only=True)
    facts = plan.HostFacts(conf_exists=True, conf_differences=(), ha_state_dir_exists=True,
                           local_maintenance=True)
    the_plan = plan.build(unit(), settings, facts)
    assert the_plan.completes and the_plan.writes == () and the_plan.restart == ()
    assert the_plan.stop_before == () and the_plan.start == plan.START_ORDER
    assert the_plan.attributes == (plan.FileAttributes("/c", "vdsm", "kvm", 0o440),)
    assert the_plan.maintenance.on_commit == ()  # the local maintenance found is kept
    assert any("--mode=none" in warning for warning in the_plan.warnings)
    cleared = plan.build(unit(), settings._replace(clear_local_maintenance=True), facts)
    assert cleared.maintenance.on_commit == (("local_maintenance", "False"),)
    otopi_path = plan.build(unit(), settings._replace(install_missing_only=False), facts)
    assert otopi_path.stop_before == plan.STOP_ORDER and otopi_path.completes


def test_a_differing_conf_gets_the_full_deploy():
    settings = plan.HostSettings("/c", "vdsm", "kvm", "/h", "/l")
    facts = plan.HostFacts(conf_exists=True, conf_differences=("host_id",))
    the_plan = plan.build(unit(), settings, facts)
    assert not the_plan.completes and len(the_plan.writes) == 1
    assert the_plan.restart == plan.START_ORDER
