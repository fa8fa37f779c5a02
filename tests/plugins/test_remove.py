"""Remove: the shared metadata slot freed with the agent's own cleanup (agent stopped, broker
running, conf in place, VDSM running, never --force-cleanup), best effort; no copy of the
CHAP password."""

import os

import otopi_harness
import pytest
from he_host import SECRET_PASSWORD, STANDINS, example

REMOVE = "HOSTED_ENGINE/action=str:remove"


def deployed(host, unit="iscsi-chap.conf"):
    result = host.run(example(unit))
    assert result.exit_code == 0, result.stdout[-3000:]
    return host


def test_remove_frees_the_metadata_slot_while_only_the_broker_runs(host):
    deployed(host)
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    (call,) = host.commands()
    assert call == {"argv": ["--clean-metadata", "--host-id=3"], "conf_exists": True,
                    "running": ["ovirt-ha-broker", "vdsmd"]}
    assert "freed this host's slot (host_id 3)" in result.stdout
    assert host.read(host.conf) is None


def test_a_failed_cleanup_does_not_fail_the_remove_and_says_what_to_run(host):
    deployed(host)
    with open(os.path.join(host.root, "hosted-engine.fail"), "w") as stream:
        stream.write("starting\nCannot clean unclean metadata block.\n")
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert ("'hosted-engine --clean-metadata --host-id=3' failed (exit 1: Cannot clean "
            "unclean metadata block.)") in result.stdout
    assert "'hosted-engine --clean-metadata --host-id=3 --force-cleanup'" in result.stdout
    assert host.read(host.conf) is None
    assert "services.startup ovirt-ha-broker False" in " ".join(result.calls)


def _agent_says(host, *lines):
    agent = "ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine"
    with open(os.path.join(host.root, "hosted-engine.output"), "w") as stream:
        stream.write("".join("ERROR:{}:{}\n".format(agent, line) for line in lines))


def test_an_unclean_block_is_not_reported_freed_though_the_cleanup_exits_0(host):
    deployed(host)
    _agent_says(host, "Cannot clean unclean metadata block. Consider --force-clean.")
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "freed this host's slot" not in result.stdout
    assert ("'hosted-engine --clean-metadata --host-id=3' exited 0 without cleaning: the "
            "agent found the slot not marked stopped") in result.stdout
    assert "'hosted-engine --clean-metadata --host-id=3 --force-cleanup'" in result.stdout
    assert host.read(host.conf) is None


def test_missing_metadata_is_not_reported_freed_though_the_cleanup_exits_0(host):
    deployed(host)
    _agent_says(host, "Metadata for current host missing.")
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "freed this host's slot" not in result.stdout
    assert "the agent found no metadata for host_id 3" in result.stdout
    assert "still lists host_id 3" in result.stdout


def test_a_cleanup_that_hangs_is_given_up_after_its_deadline(host):
    deployed(host)
    with open(os.path.join(host.root, "hosted-engine.sleep"), "w") as stream:
        stream.write("60")
    result = host.run(None, REMOVE, "OVIRT_HE_DEPLOY/metadataCleanupSeconds=int:1")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "did not finish within 1 s" in result.stdout
    assert host.read(host.conf) is None


def test_without_hosted_engine_the_remove_says_what_to_run_elsewhere(host):
    deployed(host)
    result = host.run(None, REMOVE, "COMMAND/hosted-engine=none:",
                      "SYSTEM/commandPath=str:" + os.path.join(host.root, "no-such-dir"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "'hosted-engine' is not installed" in result.stdout
    assert "--host-id=3 --force-cleanup" in result.stdout
    assert host.commands() == []


def test_no_file_left_by_the_group_holds_the_password(host):
    deployed(host)
    # An earlier deploy's copy and a previous conf with the same password, too.
    with open(host.conf, "ab") as stream:
        stream.write(b"fqdn=edited.example.com\n")
    assert host.run(example("iscsi-chap.conf")).exit_code == 0
    assert host.read(host.conf + ".previous") is not None
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    for name in host.files():
        data = host.read(os.path.join(host.root, name))
        assert SECRET_PASSWORD.encode() not in data, name
    assert sorted(os.listdir(os.path.dirname(host.conf))) == ["hosted-engine.conf.undeployed"]
    assert b"\npassword=\n" in host.read(host.conf + ".undeployed")


def test_remove_on_a_host_without_hosted_engine_changes_nothing(host):
    result = host.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert host.commands() == []
    assert host.files() == ["ovirt-he-deploy.lock", "var/lib/ovirt-hosted-engine-ha/ha.conf"]


# Beside ovirt-host-deploy 1.8 (its stand-in): vdsmd is stopped in PACKAGES for every action
# and started again only in odeploycons.packages.vdsm.started (CLOSEUP, PRIORITY_LOW).

@pytest.fixture
def beside(host):
    host.with_host_deploy = True
    host.owner = host.group = None
    return host


def test_the_standin_stops_vdsm_so_a_cleanup_in_misc_would_fail(beside):
    """The stand-in bites: the same command fails in MISC and works after VDSM started."""
    deployed(beside)
    result = beside.run(None, "PROBE/cleanMetadata=bool:True",
                        *otopi_harness.group_statements(os.path.join(STANDINS, "probe"),
                                                        "he-standin-probe"))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert result.environment["PROBE/cleanInMisc"] == (
        "254 ERROR:ovirt_hosted_engine_ha.agent.hosted_engine.HostedEngine:Required service "
        "vdsmd is not up.")
    # The agent runs (action none leaves it): the real one exits 0 and cleans nothing.
    assert result.environment["PROBE/cleanAfterVdsmStarted"].startswith("0 ")


def test_remove_beside_ovirt_host_deploy_frees_the_slot_once_vdsm_runs_again(beside):
    deployed(beside)
    result = beside.run(None, REMOVE)
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "packages services.state vdsmd False" in result.calls
    (call,) = beside.commands()
    assert call == {"argv": ["--clean-metadata", "--host-id=3"], "conf_exists": True,
                    "running": ["ovirt-ha-broker", "vdsmd"]}
    assert "freed this host's slot (host_id 3)" in result.stdout
    closeup = [event[1] for event in result.events if event[0] == "closeup"]
    assert closeup.index(
        "otopi.plugins.ovirt_host_deploy.vdsm.packages.Plugin._start") < closeup.index(
        "otopi.plugins.ovirt_he_deploy.hosted-engine.closeup.Plugin._closeup")
    assert beside.read(beside.conf) is None
    assert beside.read(beside.conf + ".undeployed") is not None
    assert not [call for call in result.calls if call.startswith("misc services.")]


def test_with_a_forced_reboot_vdsm_stays_down_and_the_remove_says_what_to_run(beside):
    deployed(beside)
    result = beside.run(None, REMOVE, "ODEPLOY/forceReboot=bool:True")
    assert result.exit_code == 0, result.stdout[-3000:]
    assert "'hosted-engine --clean-metadata --host-id=3' failed (exit 254: ERROR:" in (
        result.stdout)
    assert "Required service vdsmd is not up." in result.stdout
    assert "--host-id=3 --force-cleanup' on a remaining Hosted Engine host" in result.stdout
    assert beside.read(beside.conf) is None
