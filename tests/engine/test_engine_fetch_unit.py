"""engine fetch-unit: the configuration disk through an image transfer, into a deploy unit."""

import os
import stat

from fake_engine.conftar import SAMPLE_CONF, build_archive, default_members
from he_host import expected_conf, make_host

from ovirt_he_deploy import otopiconf, validation

from .conftest import FAST, PASSWORD


def transfer_calls(engine):
    return (len(engine.find("POST", "/finalize")), len(engine.find("POST", "/cancel")))


def test_fetch_unit_writes_a_private_unit_the_library_accepts(engine, run, tmp_path):
    out = tmp_path / "unit.conf"
    result = run(engine, "fetch-unit", "--host-id", "7", "-o", str(out), *FAST)
    assert result.code == 0, result.err
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    unit = validation.check(otopiconf.load_unit(str(out)))
    assert unit.action == "deploy" and unit.host_id == 7
    assert unit.get("sdUUID") == "6a1b2c3d-0004-4a5b-8c9d-0e1f2a3b4c5d"
    assert "wrote {} (mode 0600): valid: action deploy, host_id 7".format(out) in result.out
    [add] = engine.find("POST", "/api/imagetransfers")
    assert "<direction>download</direction>" in add.body
    assert 'id="{}"'.format(engine.model.conf_disk.id) in add.body
    [get] = engine.find("GET", "/images/ticket-1")
    assert get.headers["Range"] == "bytes=0-20479"
    assert transfer_calls(engine) == (1, 0)


def test_fetch_unit_over_tls_reads_imageio_with_the_same_ca(tls_engine, run, pki):
    result = run(tls_engine, "fetch-unit", "--host-id", "2", "--ca-file", pki.ca_file, *FAST)
    assert result.code == 0, result.err
    assert "HOSTED_ENGINE_CONFIG/host_id=str:2" in result.out
    assert transfer_calls(tls_engine) == (1, 0)


def test_fetch_unit_finds_a_legacy_disk_by_alias(engine, run):
    engine.conf_disk_mode = "alias"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 0, result.err
    assert "configuration disk {} (HostedEngineConfigurationImage)".format(
        engine.model.conf_disk.id) in result.err


def test_fetch_unit_without_configuration_disk_says_what_is_missing(engine, run):
    engine.conf_disk_mode = "missing"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "storage domain {} holds no Hosted Engine configuration disk".format(
        engine.model.storage_domain) in result.err
    assert "hosted_engine_configuration" in result.err
    assert "HostedEngineConfigurationImage" in result.err
    assert not engine.find("POST", "/api/imagetransfers")


def test_fetch_unit_without_hosted_engine_vm(engine, run):
    engine.model.he_vm_present = False
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "the engine has no Hosted Engine VM" in result.err


def test_fetch_unit_tar_without_hosted_engine_conf(engine, run):
    members = default_members()
    del members["hosted-engine.conf"]
    engine.archive = build_archive(members)
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "holds no hosted-engine.conf (members: version, fhanswers.conf, broker.conf, " \
           "vm.conf)" in result.err
    assert transfer_calls(engine) == (1, 0)


def test_fetch_unit_disk_that_is_not_a_tar(engine, run):
    engine.archive = b"\x01" * 20480
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "are not a tar archive" in result.err


def test_fetch_unit_invalid_configuration_names_the_key(engine, run, tmp_path):
    conf = SAMPLE_CONF.replace("sdUUID=6a1b2c3d-0004-4a5b-8c9d-0e1f2a3b4c5d",
                               "sdUUID=not-a-uuid")
    engine.archive = build_archive(default_members(conf))
    out = tmp_path / "unit.conf"
    result = run(engine, "fetch-unit", "--host-id", "3", "-o", str(out), *FAST)
    assert result.code == 1
    assert "sdUUID: value 'not-a-uuid' is not a UUID." in result.err
    assert not out.exists()


def test_fetch_unit_transfer_failing_mid_way_cancels_and_never_finalizes(engine, run):
    engine.transfer_mode = "truncate"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "cannot read the configuration disk" in result.err
    assert "IncompleteRead" in result.err or "1000 bytes" in result.err
    assert transfer_calls(engine) == (0, 1)
    assert [t.cancelled for t in engine.transfers] == [True]


def test_fetch_unit_imageio_error_tries_the_proxy_then_cancels(engine, run):
    engine.transfer_mode = "http_error"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert result.err.count("HTTP 500") == 2
    assert "/images/ticket-1" in result.err and "/proxy/images/ticket-1" in result.err
    assert transfer_calls(engine) == (0, 1)


def test_fetch_unit_failed_transfer_phase_cancels(engine, run):
    engine.transfer_mode = "fail_phase"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "is in phase finished_failure instead of transferring" in result.err
    assert transfer_calls(engine) == (0, 1)
    assert PASSWORD not in result.text


def test_fetched_unit_deploys_through_the_plugin_group(engine, run, tmp_path):
    """Engine side to host side: the unit fetch-unit writes is what the group deploys."""
    out = tmp_path / "unit.conf"
    assert run(engine, "fetch-unit", "--host-id", "9", "-o", str(out), *FAST).code == 0
    host = make_host(str(tmp_path / "host"))
    result = host.run(str(out))
    assert result.exit_code == 0, result.log_text[-3000:]
    assert host.read(host.conf) == expected_conf(str(out))
    assert b"\nhost_id=9\n" in host.read(host.conf)
    assert host.ha_values()["local_maintenance"] == "False"
