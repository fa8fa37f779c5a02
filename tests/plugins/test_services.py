"""Closeup waits for the HA services with a deadline: systemd's restarts of a healthy agent
do not fail a deploy; an agent that never comes up does, naming it, with local maintenance."""

from he_host import example

WAIT_5_S = "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:5"


def status_checks(result, service):
    return [call for call in result.calls if call == "closeup services.status " + service]


def test_an_agent_that_systemd_restarts_once_does_not_fail_the_deploy(host):
    # ovirt-ha-agent exits while the broker's socket is not up and systemd starts it again
    # 10 s later: "not running" at the first checks after a healthy start.
    result = host.run(example("nfs.conf"), WAIT_5_S, "HE_FAKES/slowStart=str:ovirt-ha-agent:3")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert len(status_checks(result, "ovirt-ha-agent")) == 4
    assert "ovirt-ha-broker, ovirt-ha-agent running" in result.stdout
    assert host.ha_values()["local_maintenance"] == "False"


def test_an_agent_that_never_comes_up_fails_the_deploy_naming_it(host):
    result = host.run(example("nfs.conf"), "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:1",
                      "HE_FAKES/diesAfterStart=str:ovirt-ha-agent")
    assert result.exit_code == 1
    checks = len(status_checks(result, "ovirt-ha-agent"))
    assert checks > 1
    assert ("ovirt-ha-agent is not running 1 s after its restart: not running at any of "
            "{} checks".format(checks)) in result.stdout
    assert "journalctl -u ovirt-ha-agent" in result.stdout
    assert host.ha_values()["local_maintenance"] == "True"
    # The conf landed before the services were started; a rerun completes it, and keeps
    # the local maintenance it finds unless asked to clear it.
    assert host.read(host.conf) is not None
    assert host.run(example("nfs.conf")).exit_code == 0
    assert host.ha_values()["local_maintenance"] == "True"
    assert host.run(example("nfs.conf"),
                    "OVIRT_HE_DEPLOY/clearLocalMaintenance=bool:True").exit_code == 0
    assert host.ha_values()["local_maintenance"] == "False"


def test_a_broker_that_fails_to_start_fails_at_once(host):
    result = host.run(example("nfs.conf"), WAIT_5_S, "HE_FAKES/failStart=str:ovirt-ha-broker")
    assert result.exit_code == 1
    assert "ovirt-ha-broker failed to start" in result.stdout
    assert status_checks(result, "ovirt-ha-broker") == []
    assert host.ha_values()["local_maintenance"] == "True"
