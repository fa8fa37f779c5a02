"""engine fetch-unit: the configuration disk through an image transfer, into a deploy unit."""

import os
import stat
import time

import pytest

from .conftest import FAST, PASSWORD, SDK_MISSING

pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)

from fake_engine.conftar import SAMPLE_CONF, build_archive, default_members  # noqa: E402
from fake_engine.model import FakeDisk  # noqa: E402
from he_host import expected_conf, make_host  # noqa: E402

from ovirt_he_deploy import otopiconf, validation  # noqa: E402
from ovirt_he_deploy.engine import transfer  # noqa: E402


def transfer_calls(engine):
    return (len(engine.find("POST", "/finalize")), len(engine.find("POST", "/cancel")))


def test_fetch_unit_writes_a_private_unit_the_library_accepts(engine, run, tmp_path):
    engine.add_host("he-1", he=True)
    out = tmp_path / "unit.conf"
    result = run(engine, "fetch-unit", "--host-id", "7", "-o", str(out), *FAST)
    assert result.code == 0, result.err
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    unit = validation.check(otopiconf.load_unit(str(out)))
    assert unit.action == "deploy" and unit.host_id == 7
    assert unit.get("sdUUID") == "6a1b2c3d-0004-4a5b-8c9d-0e1f2a3b4c5d"
    assert "wrote {} (mode 0600): valid: action deploy, host_id 7".format(out) in result.out
    assert "on storage domain hosted_storage ({})".format(engine.model.storage_domain) \
        in result.err
    [add] = engine.find("POST", "/api/imagetransfers")
    assert "<direction>download</direction>" in add.body
    assert 'id="{}"'.format(engine.model.conf_disk.id) in add.body
    [get] = engine.find("GET", "/images/ticket-1")
    assert get.headers["Range"] == "bytes=0-20479"
    assert transfer_calls(engine) == (1, 0)
    assert engine.model.conf_disk.status == "ok"


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
    engine.daemon_mode = engine.proxy_mode = "truncate"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "cannot read the configuration disk through imageio" in result.err
    assert "ticket-1: sent 1000 bytes, expected 20480" in result.err
    assert transfer_calls(engine) == (0, 1)
    assert [t.cancelled for t in engine.transfers] == [True]
    assert engine.model.conf_disk.status == "ok"


def test_fetch_unit_failed_transfer_phase_cancels(engine, run):
    engine.transfer_fails = True
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


# -- 8: finalize is asynchronous ---------------------------------------------------------

def test_success_only_once_the_transfer_is_finished_success(engine, run, tmp_path):
    engine.finalize_polls = 4
    out = tmp_path / "unit.conf"
    result = run(engine, "fetch-unit", "--host-id", "3", "-o", str(out), *FAST)
    assert result.code == 0, result.err
    [finalize] = engine.find("POST", "/finalize")
    polls_after = [r for r in engine.find("GET", "/imagetransfers/" + engine.transfers[0].id)
                   if r.at > finalize.at]
    assert len(polls_after) == 5  # 4 x finalizing_success, then finished_success
    assert "image transfer {} finished (finished_success)".format(engine.transfers[0].id) \
        in result.err
    assert engine.transfers[0].phase == "finished_success"


def test_finished_failure_after_finalize_is_a_failure_and_writes_nothing(engine, run,
                                                                         tmp_path):
    engine.finalize_mode = "failure"
    out = tmp_path / "unit.conf"
    result = run(engine, "fetch-unit", "--host-id", "3", "-o", str(out), *FAST)
    assert result.code == 1
    assert "image transfer {} ended in finished_failure after finalize: the engine did not " \
           "accept the download, so no deploy unit was written".format(
               engine.transfers[0].id) in result.err
    assert not out.exists()


def test_a_transfer_the_engine_drops_after_finalize_counts_by_the_disk_status(engine, run):
    engine.finalize_mode = "vanish"  # engines before 4.4.7
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 0, result.err
    assert engine.find("GET", "/disks/" + engine.model.conf_disk.id)


def test_a_rerun_while_the_last_transfer_is_finalizing_gets_a_clear_answer(engine, run,
                                                                          monkeypatch):
    engine.finalize_polls = 10 ** 9
    monkeypatch.setattr(transfer, "FINALIZE_TIMEOUT", 0.2)
    first = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert first.code == 1
    assert "is still finalizing_success 0.2 s after finalize; the engine keeps disk {} " \
           "locked until it finishes. No deploy unit was written".format(
               engine.model.conf_disk.id) in first.err
    second = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert second.code == 1
    assert "the engine refused to start an image transfer of disk {} " \
           "(HostedEngineConfigurationImage)".format(engine.model.conf_disk.id) in second.err
    assert "The following disks are locked: HostedEngineConfigurationImage" in second.err
    assert "wait a minute and rerun" in second.err
    assert len(engine.transfers) == 1


# -- 9: transfer_url with a short connect timeout, then proxy_url ------------------------

def test_the_timeouts_fit_inside_the_transfers_inactivity_timeout(engine, run):
    assert transfer.both_urls_fit(transfer.CONNECT_TIMEOUT, transfer.READ_TIMEOUT,
                                  transfer.INACTIVITY_TIMEOUT)
    assert not transfer.both_urls_fit(60, 60, 60)  # what a single 60 s timeout did
    assert transfer.CONNECT_TIMEOUT <= 10
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 0, result.err
    [add] = engine.find("POST", "/api/imagetransfers")
    assert "<inactivity_timeout>{}</inactivity_timeout>".format(
        transfer.INACTIVITY_TIMEOUT) in add.body


def test_a_refused_transfer_url_falls_back_to_the_proxy(engine, run):
    engine.daemon_mode = "refused"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 0, result.err
    [done] = engine.transfers
    assert "cannot read {} (cannot connect within 10 s: ".format(done.transfer_url) \
        in result.err
    assert "trying {}".format(done.proxy_url) in result.err
    assert engine.find("GET", "/proxy/images/ticket-1")


def test_a_hanging_transfer_url_is_given_up_after_the_connect_timeout(tls_engine, run, pki,
                                                                     monkeypatch):
    tls_engine.daemon_mode = "hang"  # TCP accepted, TLS handshake never answered
    monkeypatch.setattr(transfer, "CONNECT_TIMEOUT", 0.3)
    started = time.monotonic()
    result = run(tls_engine, "fetch-unit", "--host-id", "3", "--ca-file", pki.ca_file, *FAST)
    assert result.code == 0, result.err
    assert time.monotonic() - started < 5
    assert "(cannot connect within 0.3 s: timed out); trying" in result.err


def test_both_urls_failing_name_both_urls_and_both_errors(engine, run):
    engine.daemon_mode = "refused"
    engine.proxy_mode = "http_error"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    [failed] = engine.transfers
    assert "cannot read the configuration disk through imageio: {}: cannot connect within " \
           "10 s: ".format(failed.transfer_url) in result.err
    assert "; {}: HTTP 500 Internal Server Error".format(failed.proxy_url) in result.err
    assert transfer_calls(engine) == (0, 1)


# -- 10: no silent first pick; setups whose disk the engine does not list ----------------

def test_two_candidate_disks_are_an_error_listing_both(engine, run):
    engine.add_host("he-1", he=True)
    copy = FakeDisk("HostedEngineConfigurationImage", "Hosted-Engine configuration disk",
                    "hosted_engine_configuration", engine.model.storage_domain)
    engine.model.disks.append(copy)
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "storage domain hosted_storage ({}) has 2 disks that could be the Hosted Engine " \
           "configuration disk".format(engine.model.storage_domain) in result.err
    for disk in (engine.model.conf_disk, copy):
        assert "  {} (alias HostedEngineConfigurationImage, content type " \
               "hosted_engine_configuration, ".format(disk.id) in result.err
    assert "Give the right one with --disk-id ID: it is conf_image_UUID in " \
           "/etc/ovirt-hosted-engine/hosted-engine.conf" in result.err
    assert not engine.transfers
    chosen = run(engine, "fetch-unit", "--host-id", "3", "--disk-id", copy.id, *FAST)
    assert chosen.code == 0, chosen.err
    assert 'id="{}"'.format(copy.id) in engine.find("POST", "/api/imagetransfers")[0].body


def test_a_disk_id_not_on_the_domain_is_refused(engine, run):
    result = run(engine, "fetch-unit", "--host-id", "3", "--disk-id", "nope", *FAST)
    assert result.code == 1
    assert "--disk-id nope: storage domain hosted_storage" in result.err
    assert not engine.transfers


def test_a_setup_whose_disk_the_engine_does_not_list_gets_the_answer_file_way(engine, run):
    engine.add_host("he-1", he=True)
    engine.conf_disk_mode = "missing"
    result = run(engine, "fetch-unit", "--host-id", "3", *FAST)
    assert result.code == 1
    assert "the engine lists no Hosted Engine configuration disk on storage domain " \
           "hosted_storage ({})".format(engine.model.storage_domain) in result.err
    assert "hosted_engine_configuration" in result.err
    assert "Setups deployed with oVirt 4.1 or earlier wrote that volume without registering " \
           "it as a disk in the engine" in result.err
    assert "copy /etc/ovirt-hosted-engine/hosted-engine.conf from he-1 (it runs the engine VM) " \
           "and run `ovirt-he-deploy answer-file --from-conf hosted-engine.conf --host-id N " \
           "-o unit.conf`" in result.err
    assert not engine.find("POST", "/api/imagetransfers")
