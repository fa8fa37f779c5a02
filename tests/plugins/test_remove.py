"""Remove: the shared metadata slot freed with the agent's own cleanup (agent stopped, broker
running, conf in place, never --force-cleanup), best effort; no copy of the CHAP password."""

import os

from he_host import SECRET_PASSWORD, example

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
                    "running": ["ovirt-ha-broker"]}
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
