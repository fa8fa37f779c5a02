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


NEW_HOST = plan.HostFacts(conf_exists=False, ha_state_dir_exists=True)
DEPLOYED = plan.HostFacts(conf_exists=True, conf_host_id="3", ha_state_dir_exists=True)


def test_deploy_plan():
    unit = valid(config("iscsi"))
    the_plan = plan.build(unit, SETTINGS, NEW_HOST)
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
    assert dict(change.on_abort) == {"local_maintenance": "True"}
    assert the_plan.removals == () and the_plan.stop_before_commit == ()
    assert the_plan.disable == () and the_plan.warnings == ()


def test_deploy_on_a_new_host_clears_a_stale_manual_maintenance():
    change = plan.build(valid(config("nfs")), SETTINGS,
                        NEW_HOST._replace(manual_maintenance=True)).maintenance
    assert dict(change.on_commit) == {"local_maintenance": "False",
                                      "local_maintenance_manual": "False"}


def test_reinstall_keeps_the_admins_manual_maintenance_and_says_how_to_clear_it():
    the_plan = plan.build(valid(config("nfs")), SETTINGS,
                          DEPLOYED._replace(manual_maintenance=True))
    assert dict(the_plan.maintenance.on_commit) == {"local_maintenance": "False"}
    (warning,) = the_plan.warnings
    assert "local_maintenance_manual=True" in warning
    assert "'hosted-engine --set-maintenance --mode=none'" in warning


def test_reinstall_without_manual_maintenance_warns_nothing():
    the_plan = plan.build(valid(config("nfs")), SETTINGS, DEPLOYED)
    assert dict(the_plan.maintenance.on_commit) == {"local_maintenance": "False"}
    assert the_plan.warnings == ()


def test_remove_plan():
    the_plan = plan.build(ValidUnit(action="remove"), SETTINGS, DEPLOYED)
    (removal,) = the_plan.removals
    assert removal == plan.FileRemoval(path=CONF, keep_as=CONF + ".undeployed",
                                       owner="vdsm", group="kvm", mode=0o440,
                                       also_remove=(CONF + ".previous",),
                                       redact=("password",))
    assert the_plan.stop_before_commit == the_plan.disable == (
        "ovirt-ha-agent", "ovirt-ha-broker")
    assert the_plan.clean_metadata_host_id == "3"
    assert the_plan.writes == () and the_plan.packages == () and the_plan.maintenance is None
    assert the_plan.restart == () and the_plan.enable == ()


def test_remove_without_a_conf_frees_no_metadata_slot():
    the_plan = plan.build(ValidUnit(action="remove"), SETTINGS, plan.HostFacts())
    assert the_plan.clean_metadata_host_id is None


@pytest.mark.parametrize("old, kept", [
    pytest.param(b"host_id=2\npassword=s3cret\nuser=u\n", b"host_id=2\npassword=\nuser=u\n",
                 id="blanked"),
    pytest.param(b"host_id=2\n# note\npassword=a\npassword=b\n",
                 b"host_id=2\n# note\npassword=\n", id="duplicates"),
    pytest.param(b"host_id=2\ndomainType=nfs\n", b"host_id=2\ndomainType=nfs\n",
                 id="no-password"),
    pytest.param(b"host_id=2\npassword=\n", b"host_id=2\npassword=\n", id="already-empty"),
])
def test_the_removed_conf_is_kept_without_the_password(old, kept):
    (removal,) = plan.build(ValidUnit(action="remove"), SETTINGS, DEPLOYED).removals
    assert removal.kept_content(old) == kept


def test_none_plan_does_nothing():
    the_plan = plan.build(ValidUnit(action="none"), SETTINGS)
    assert the_plan == plan.Plan(action="none") and the_plan.does_nothing


def test_describe_deploy_on_a_new_host():
    unit = valid(config("nfs"))
    text = plan.describe(plan.build(unit, SETTINGS, NEW_HOST))
    size = len(render.render_conf(unit).encode("ascii"))
    assert text.splitlines() == [
        "Action deploy:",
        "  1. stop ovirt-ha-agent, ovirt-ha-broker where they exist",
        "  2. install or update ovirt-hosted-engine-setup",
        "  3. write {0} ({1} bytes, vdsm:kvm 0440), a new file, {0}.undeployed removed if "
        "present".format(CONF, size),
        "  4. in {}: set local_maintenance=False, local_maintenance_manual=False when the "
        "deploy commits; local_maintenance=True if it is aborted".format(HA_CONF),
        "  5. enable ovirt-ha-broker, ovirt-ha-agent",
        "  6. restart ovirt-ha-broker, ovirt-ha-agent, in this order",
        "  7. wait until ovirt-ha-broker, ovirt-ha-agent are running",
    ]


def test_describe_a_reinstall_mentions_the_previous_copy_and_the_kept_maintenance():
    text = plan.describe(plan.build(valid(config("nfs")), SETTINGS,
                                    DEPLOYED._replace(manual_maintenance=True)))
    assert "its current content kept as {}.previous if it changes".format(CONF) in text
    assert "set local_maintenance=False when the deploy commits" in text
    assert "warning: this host is in local maintenance set by an admin" in text


def test_describe_without_has_state_directory_says_maintenance_is_not_touched():
    text = plan.describe(plan.build(valid(config("nfs")), SETTINGS, plan.HostFacts()))
    assert "local maintenance: not touched here, {} has no directory".format(HA_CONF) in text
    assert "in {}: set".format(HA_CONF) not in text


def test_describe_remove():
    text = plan.describe(plan.build(ValidUnit(action="remove"), SETTINGS, DEPLOYED))
    assert text == (
        "Action remove:\n"
        "  1. once VDSM runs again (closeup): stop ovirt-ha-agent\n"
        "  2. free this host's slot in the shared metadata with 'hosted-engine "
        "--clean-metadata --host-id=3' while ovirt-ha-broker still runs (best effort)\n"
        "  3. stop ovirt-ha-broker\n"
        "  4. move {0} to {0}.undeployed (vdsm:kvm 0440, password blanked), remove "
        "{0}.previous if present\n"
        "  5. disable ovirt-ha-agent, ovirt-ha-broker\n".format(CONF))


@pytest.mark.parametrize("local,manual,cleared", [
    (True, True, (("local_maintenance", "False"), ("local_maintenance_manual", "False"))),
    (True, False, (("local_maintenance", "False"),)),
    (False, True, (("local_maintenance_manual", "False"),)),
])
def test_remove_clears_the_maintenance_flags_it_finds(local, manual, cleared):
    # Stale once the host leaves Hosted Engine: the next deploy, after a 4.4+ engine's role
    # wrote the conf, could not tell them from the engine's own.
    facts = plan.HostFacts(conf_exists=True, conf_host_id="3", ha_state_dir_exists=True,
                           local_maintenance=local, manual_maintenance=manual)
    the_plan = plan.build(ValidUnit(action="remove"), SETTINGS, facts)
    assert the_plan.maintenance.on_commit == cleared
    assert the_plan.maintenance.on_abort == ()
    text = plan.describe(the_plan)
    assert text.endswith("  5. disable ovirt-ha-agent, ovirt-ha-broker\n"
                         "  6. then in {}: set {} (this host leaves Hosted Engine: a flag left "
                         "True would keep it out of HA if it is added again)\n".format(
                             SETTINGS.ha_conf_file,
                             ", ".join("{}={}".format(*pair) for pair in cleared)))
    assert "when the deploy commits" not in text


def test_describe_remove_on_a_host_without_conf():
    text = plan.describe(plan.build(ValidUnit(action="remove"), SETTINGS, plan.HostFacts()))
    assert "{} does not exist: nothing to move".format(CONF) in text
    assert "clean-metadata" not in text


def test_describe_none():
    text = plan.describe(plan.build(ValidUnit(action="none"), SETTINGS))
    assert text == "Action none: Hosted Engine is left as it is on this host.\n"


@pytest.mark.parametrize("text, expected", [
    pytest.param("", "local_maintenance=False\nlocal_maintenance_manual=False\n", id="empty"),
    pytest.param("local_maintenance=True\nx\n",
                 "local_maintenance=False\nx\nlocal_maintenance_manual=False\n", id="stale"),
])
def test_maintenance_change_applies_commit_values(text, expected):
    change = plan.maintenance_change(SETTINGS, NEW_HOST)
    assert change.apply(text, change.on_commit) == expected


def test_plan_repr_never_shows_the_rendered_password():
    unit = valid(config("iscsi"))
    the_plan = plan.build(unit, SETTINGS)
    assert unit.get("password") not in repr(the_plan)


def test_manual_metadata_step_names_the_host_id_and_the_forced_cleanup():
    assert plan.metadata_manual_step("7") == (
        "once this host's ovirt-ha-agent is stopped for good, run 'hosted-engine "
        "--clean-metadata --host-id=7 --force-cleanup' on a remaining Hosted Engine host")
