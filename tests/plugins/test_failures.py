"""Failures injected at each stage of a deploy: exit 1, nothing half-done, maintenance set."""

import os
import shutil

import pytest
from he_host import assert_no_secret, example

OLD_CONF = b"# an earlier deploy\nhost_id=7\n"


@pytest.fixture
def deployed_before(host):
    """A host with a previous conf and local maintenance already cleared."""
    with open(host.conf, "wb") as stream:
        stream.write(OLD_CONF)
    with open(host.ha_conf, "w") as stream:
        stream.write("local_maintenance=False\nlocal_maintenance_manual=False\n")
    return host


def test_failure_before_the_services_are_stopped_keeps_the_conf_and_sets_maintenance(
        deployed_before):
    # Any failure of a reinstall leaves local maintenance on, even before our packages event.
    host = deployed_before
    result = host.run(example("iscsi-chap.conf"),
                      os_env={"OTOPI_FORCE_FAIL_STAGE": "STAGE_PACKAGES",
                              "OTOPI_FORCE_FAIL_PRIORITY": "PRIORITY_HIGH"})
    assert result.exit_code == 1
    assert host.read(host.conf) == OLD_CONF
    assert host.ha_values() == {"local_maintenance": "True",
                                "local_maintenance_manual": "False"}
    assert not [call for call in result.calls if "services.state" in call
                or "services.restart" in call]


@pytest.mark.parametrize("stage,priority", [
    ("STAGE_PACKAGES", "PRIORITY_LOW"),
    ("STAGE_MISC", "PRIORITY_LOW"),
    ("STAGE_TRANSACTION_END", "PRIORITY_HIGH"),
], ids=["packages", "misc", "transaction-end-before-commit"])
def test_failure_before_commit_keeps_conf_and_sets_maintenance(deployed_before, stage, priority):
    host = deployed_before
    result = host.run(example("iscsi-chap.conf"),
                      os_env={"OTOPI_FORCE_FAIL_STAGE": stage,
                              "OTOPI_FORCE_FAIL_PRIORITY": priority})
    assert result.exit_code == 1
    assert host.read(host.conf) == OLD_CONF
    assert host.read(host.conf + ".previous") is None
    assert host.ha_values()["local_maintenance"] == "True"
    assert not [name for name in host.files() if name.endswith(".tmp")]
    assert not [call for call in result.calls if call.startswith("closeup")]
    assert_no_secret(result.log_text, result.stdout)


def test_failure_in_closeup_keeps_previous_copy_and_sets_maintenance(deployed_before):
    host = deployed_before
    result = host.run(example("iscsi-chap.conf"),
                      os_env={"OTOPI_FORCE_FAIL_STAGE": "STAGE_CLOSEUP",
                              "OTOPI_FORCE_FAIL_PRIORITY": "PRIORITY_HIGH"})
    assert result.exit_code == 1
    assert host.read(host.conf + ".previous") == OLD_CONF
    assert b"host_id=3" in host.read(host.conf)
    assert host.ha_values()["local_maintenance"] == "True"
    assert "local maintenance was set" in result.stdout
    assert_no_secret(result.log_text, result.stdout)


def test_validation_failure_leaves_a_healthy_host_alone(deployed_before):
    host = deployed_before
    ha_before = host.read(host.ha_conf)
    result = host.run(example("iscsi-chap.conf"), "HOSTED_ENGINE_CONFIG/password=str:a;b")
    assert result.exit_code == 1
    assert "HOSTED_ENGINE_CONFIG/password" in result.stdout
    assert host.read(host.conf) == OLD_CONF
    assert host.read(host.ha_conf) == ha_before
    assert "a;b" not in result.log_text


@pytest.mark.parametrize("fault,service", [
    ("HE_FAKES/failStart=str:ovirt-ha-broker", "ovirt-ha-broker"),
    ("HE_FAKES/failStart=str:ovirt-ha-agent", "ovirt-ha-agent"),
    ("HE_FAKES/diesAfterStart=str:ovirt-ha-agent", "ovirt-ha-agent"),
], ids=["broker-fails-to-start", "agent-fails-to-start", "agent-exits-after-start"])
def test_service_failure_names_the_service_and_where_to_look(host, fault, service):
    result = host.run(example("nfs.conf"), fault)
    assert result.exit_code == 1
    assert "journalctl -u {}".format(service) in result.stdout
    assert "/var/log/ovirt-hosted-engine-ha/" in result.stdout
    assert host.ha_values()["local_maintenance"] == "True"
    # A rerun keeps a local maintenance it finds (the engine clears it when it activates
    # the host) and says how to clear it; the opt-in clears it as ovirt-host-deploy did.
    rerun = host.run(example("nfs.conf"))
    assert rerun.exit_code == 0
    assert host.ha_values()["local_maintenance"] == "True"
    assert "hosted-engine --set-maintenance --mode=none" in rerun.stdout
    rerun = host.run(example("nfs.conf"), "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True")
    assert rerun.exit_code == 0
    assert host.ha_values()["local_maintenance"] == "False"


def test_package_failure_sets_maintenance_and_a_rerun_converges(deployed_before):
    host = deployed_before
    result = host.run(example("nfs.conf"), "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    assert host.read(host.conf) == OLD_CONF
    assert host.ha_values()["local_maintenance"] == "True"
    assert host.run(example("nfs.conf"),
                    "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True").exit_code == 0
    assert host.ha_values()["local_maintenance"] == "False"
    assert b"host_id=2" in host.read(host.conf)


def test_package_failure_on_a_fresh_host_leaves_no_ha_state_behind(host):
    """Before ovirt-hosted-engine-ha is installed there is no agent to keep away."""
    shutil.rmtree(os.path.dirname(host.ha_conf))
    result = host.run(example("nfs.conf"), "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    assert not os.path.exists(os.path.dirname(host.ha_conf))
    assert "could not set local maintenance" not in result.log_text
    assert host.read(host.conf) is None


def test_failure_to_set_maintenance_is_reported_not_hidden(host):
    """If even ha.conf cannot be written, the admin must read that, not a silent success."""
    os.unlink(host.ha_conf)
    os.mkdir(host.ha_conf)  # an ha.conf that cannot be read or replaced
    result = host.run(example("nfs.conf"), "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    assert "could not set local maintenance" in result.stdout
    assert host.ha_conf in result.stdout
