"""plan.build and plan.describe for deploy, remove and none."""

import pytest

from ovirt_he_deploy import envkeys, plan, render
from ovirt_he_deploy.unit import ValidUnit

from .helpers import config, valid

SETTINGS = plan.HostSettings.from_environment({})
CONF = "/etc/ovirt-hosted-engine/hosted-engine.conf"
HA_CONF = "/var/lib/ovirt-hosted-engine-ha/ha.conf"


def test_host_settings_defaults_come_from_envkeys():
    assert SETTINGS == plan.HostSettings(
        conf_file=CONF, conf_owner="vdsm", conf_group="kvm", ha_conf_file=HA_CONF,
        lock_file="/run/ovirt-he-deploy.lock")


def test_host_settings_follow_the_environment():
    settings = plan.HostSettings.from_environment({
        envkeys.CONF_FILE.name: "/tmp/x/he.conf", envkeys.CONF_OWNER.name: "me",
        envkeys.CONF_GROUP.name: "us", envkeys.HA_CONF_FILE.name: "/tmp/x/ha.conf",
        envkeys.LOCK_FILE.name: "/tmp/x/lock"})
    assert settings == plan.HostSettings("/tmp/x/he.conf", "me", "us", "/tmp/x/ha.conf",
                                         "/tmp/x/lock")


def test_deploy_plan():
    unit = valid(config("iscsi"))
    the_plan = plan.build(unit, SETTINGS)
    assert the_plan.action == "deploy" and not the_plan.does_nothing
    assert the_plan.packages == ("ovirt-hosted-engine-setup",)
    assert the_plan.stop_before == ("ovirt-ha-agent", "ovirt-ha-broker")
    assert the_plan.enable == the_plan.restart == the_plan.must_run == (
        "ovirt-ha-broker", "ovirt-ha-agent")
    (write,) = the_plan.writes
    assert write == plan.FileWrite(
        path=CONF, content=render.render_conf(unit).encode("ascii"), owner="vdsm",
        group="kvm", mode=0o440, keep_previous_as=CONF + ".previous",
        remove_on_commit=(CONF + ".undeployed",))
    change = the_plan.maintenance
    assert change.path == HA_CONF and change.mode == 0o644
    assert (change.owner, change.group) == ("vdsm", "kvm")
    assert dict(change.on_commit) == {"local_maintenance": "False",
                                      "local_maintenance_manual": "False"}
    assert dict(change.on_abort) == {"local_maintenance": "True"}
    assert the_plan.removals == () and the_plan.stop_after == () and the_plan.disable == ()


def test_remove_plan():
    the_plan = plan.build(ValidUnit(action="remove"), SETTINGS)
    (removal,) = the_plan.removals
    assert removal == plan.FileRemoval(path=CONF, keep_as=CONF + ".undeployed",
                                       owner="vdsm", group="kvm", mode=0o440,
                                       also_remove=(CONF + ".previous",))
    assert the_plan.stop_after == the_plan.disable == ("ovirt-ha-agent", "ovirt-ha-broker")
    assert the_plan.writes == () and the_plan.packages == () and the_plan.maintenance is None
    assert the_plan.restart == () and the_plan.enable == ()


def test_none_plan_does_nothing():
    the_plan = plan.build(ValidUnit(action="none"), SETTINGS)
    assert the_plan == plan.Plan(action="none") and the_plan.does_nothing


def test_describe_deploy():
    unit = valid(config("nfs"))
    text = plan.describe(plan.build(unit, SETTINGS))
    size = len(render.render_conf(unit).encode("ascii"))
    assert text.splitlines() == [
        "Action deploy:",
        "  1. stop ovirt-ha-agent, ovirt-ha-broker where they exist",
        "  2. install or update ovirt-hosted-engine-setup",
        "  3. write {0} ({1} bytes, vdsm:kvm 0440), previous content kept as {0}.previous, "
        "stale {0}.undeployed removed".format(CONF, size),
        "  4. in {}: set local_maintenance=False, local_maintenance_manual=False when the "
        "deploy commits; local_maintenance=True if it is aborted".format(HA_CONF),
        "  5. enable ovirt-ha-broker, ovirt-ha-agent",
        "  6. restart ovirt-ha-broker, ovirt-ha-agent, in this order",
        "  7. check that ovirt-ha-broker, ovirt-ha-agent keep running",
    ]


def test_describe_remove():
    text = plan.describe(plan.build(ValidUnit(action="remove"), SETTINGS))
    assert text == ("Action remove:\n"
                    "  1. move {0} to {0}.undeployed (vdsm:kvm 0440), remove {0}.previous\n"
                    "  2. stop ovirt-ha-agent, ovirt-ha-broker\n"
                    "  3. disable ovirt-ha-agent, ovirt-ha-broker\n".format(CONF))


def test_describe_none():
    text = plan.describe(plan.build(ValidUnit(action="none"), SETTINGS))
    assert text == "Action none: Hosted Engine is left as it is on this host.\n"


@pytest.mark.parametrize("text, expected", [
    pytest.param("", "local_maintenance=False\nlocal_maintenance_manual=False\n", id="empty"),
    pytest.param("local_maintenance=True\nx\n",
                 "local_maintenance=False\nx\nlocal_maintenance_manual=False\n", id="stale"),
])
def test_maintenance_change_applies_commit_values(text, expected):
    change = plan.maintenance_change(SETTINGS)
    assert change.apply(text, change.on_commit) == expected


def test_plan_repr_never_shows_the_rendered_password():
    unit = valid(config("iscsi"))
    the_plan = plan.build(unit, SETTINGS)
    assert unit.get("password") not in repr(the_plan)
