"""The group beside ovirt-host-deploy, as the engine runs it: a stand-in of its vdsm and host
plugins (VDSM restarted in odeploycons.packages.vdsm.started at STAGE_CLOSEUP PRIORITY_LOW,
and the vdsm/kvm accounts appearing only when ovirt-host is installed in STAGE_PACKAGES)."""

import os

import otopi_harness
import pytest
from he_host import STANDINS, example, expected_conf

PROBE = os.path.join(STANDINS, "probe")


@pytest.fixture
def beside(host):
    """A new host: no vdsm yet, so no vdsm user or kvm group; files go to vdsm:kvm."""
    host.with_host_deploy = True
    host.owner = host.group = None
    return host


def standin_ids():
    # The stand-in's accounts: EL's ids 36:36 when root, else the running user's.
    if os.geteuid() == 0:
        return 36, 36
    return os.getuid(), os.getgid()


def closeup(result):
    return [call.split(" ", 1)[1] for call in result.calls if call.startswith("closeup ")]


def test_deploy_on_a_new_host_gives_the_conf_to_the_accounts_vdsm_creates(beside):
    result = beside.run(example("nfs.conf"), inprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert beside.read(beside.conf) == expected_conf(example("nfs.conf"))
    status = os.stat(beside.conf)
    assert (status.st_uid, status.st_gid) == standin_ids()
    assert beside.mode(beside.conf) == 0o440


def test_the_ha_services_start_after_vdsm_restarts(beside):
    result = beside.run(example("nfs.conf"), inprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:]
    calls = closeup(result)
    vdsm = calls.index("services.state vdsmd True")
    assert vdsm < calls.index("services.restart ovirt-ha-broker") < calls.index(
        "services.restart ovirt-ha-agent")
    assert [event[1].rsplit(".", 2)[-2:] for event in result.events
            if event[0] == "closeup" and ("vdsm" in event[1] or "hosted-engine" in event[1])
            ] == [["Plugin", "_closeup"], ["Plugin", "_start"], ["Plugin", "_closeup"]]


@pytest.mark.parametrize("action", ["none", "remove"])
def test_none_and_remove_beside_ovirt_host_deploy_succeed(beside, action):
    if action == "remove":
        assert beside.run(example("nfs.conf"), inprocess=False).exit_code == 0
    result = beside.run(None, "HOSTED_ENGINE/action=str:" + action, inprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "services.state vdsmd True" in closeup(result)
    assert beside.read(beside.conf) is None
    if action == "remove":
        assert beside.read(beside.conf + ".undeployed") is not None
        assert "services.startup ovirt-ha-agent False" in closeup(result)


def test_a_reinstall_of_a_host_that_has_vdsm_already(beside):
    assert beside.run(example("nfs.conf"), inprocess=False).exit_code == 0
    result = beside.run(example("nfs.conf"), "OHD_STANDIN/newHost=bool:False",
                        "HOSTED_ENGINE_CONFIG/host_id=str:7", inprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert b"\nhost_id=7\n" in beside.read(beside.conf)


def test_the_standin_accounts_exist_only_after_the_packages_stage(beside):
    """The stand-in bites: a plugin that looked the accounts up in VALIDATION would fail."""
    result = beside.run(None, *otopi_harness.group_statements(PROBE, "he-standin-probe"),
                        inprocess=False)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert result.environment["PROBE/accountsInValidation"] is False
    assert result.environment["PROBE/accountsInMisc"] is True


def test_an_event_after_vdsm_started_at_the_default_priority_breaks_every_install(beside):
    """Why the group's closeup events are at PRIORITY_LOW: otopi refuses the sequence."""
    probe = otopi_harness.group_statements(PROBE, "he-standin-probe")
    result = beside.run(None, *probe + ["PROBE/afterVdsmStartedAtDefault=bool:True"],
                        inprocess=False)
    assert result.exit_code == 1
    assert "has a higher priority than method" in result.stdout
    assert "although dependencies require opposite order" in result.stdout
