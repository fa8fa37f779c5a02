"""Faults end to end through the otopi double: an unwritable conf directory, a full disk,
missing accounts, odd ha.conf files, failing packages and services."""

import errno
import grp
import os
import pwd
import stat
import subprocess

import pytest

from .support import (
    OLD_CONF,
    assert_no_secret_in_run,
    example,
    failed_stage,
    host_state,
    rerun_keeps_maintenance_until_cleared,
    temp_files,
    write,
)

NFS = example("nfs.conf")
ISCSI = example("iscsi-chap.conf")


def in_dir(path, directory):
    return os.path.dirname(os.path.abspath(path)) == os.path.abspath(directory)


def assert_clean_write_failure(result, host, reason):
    assert result.exit_code == 1
    assert failed_stage(result) == "misc"
    assert host.conf in result.stdout and reason in result.stdout
    assert host.read(host.conf) == OLD_CONF
    assert stat.S_IMODE(os.stat(host.conf).st_mode) == 0o440
    assert host.read(host.conf + ".previous") is None
    assert temp_files(host) == []
    # The services were stopped in PACKAGES: the host stays out of the engine's way.
    assert host.ha_values()["local_maintenance"] == "True"
    assert_no_secret_in_run(result, host)


def test_conf_directory_not_writable(deployed, monkeypatch):
    """EACCES simulated in-process: root ignores modes, so os.open refuses instead."""
    host = deployed
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if in_dir(path, os.path.dirname(host.conf)) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = host.run(ISCSI)
    monkeypatch.undo()
    assert_clean_write_failure(result, host, "Permission denied")
    rerun_keeps_maintenance_until_cleared(host, ISCSI)


def _fail_writes_in(monkeypatch, directory, skip=0):
    """os.write raises ENOSPC for files in directory (after `skip` successful files)."""
    real_write = os.write
    seen = set()

    def full_write(fd, data):
        try:
            target = os.readlink("/proc/self/fd/{}".format(fd))
        except OSError:
            target = ""
        if in_dir(target, directory):
            seen.add(target)
            if len(seen) > skip:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_write)


def test_disk_full_when_writing_the_conf(deployed, monkeypatch):
    host = deployed
    _fail_writes_in(monkeypatch, os.path.dirname(host.conf))
    result = host.run(ISCSI)
    monkeypatch.undo()
    assert_clean_write_failure(result, host, "No space left on device")


def test_disk_full_when_keeping_the_previous_copy(deployed, monkeypatch):
    """The new conf fits, its .previous copy does not: neither lands."""
    host = deployed
    _fail_writes_in(monkeypatch, os.path.dirname(host.conf), skip=1)
    result = host.run(ISCSI)
    monkeypatch.undo()
    assert_clean_write_failure(result, host, "No space left on device")


@pytest.fixture
def tiny_tmpfs(deployed):
    """The conf directory on a four-page tmpfs, filled up: a real ENOSPC."""
    host = deployed
    directory = os.path.dirname(host.conf)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", directory],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (the monkeypatched ENOSPC tests still run)")
    try:
        write(host.conf, OLD_CONF, 0o440)
        with open(os.path.join(directory, "filler"), "wb", buffering=0) as stream:
            try:
                while True:
                    stream.write(b"x" * 256)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        yield host
    finally:
        subprocess.run(["umount", directory], check=False)


def test_disk_full_on_a_real_tmpfs(tiny_tmpfs):
    host = tiny_tmpfs
    result = host.run(ISCSI)
    assert_clean_write_failure(result, host, "No space left on device")
    os.unlink(os.path.join(os.path.dirname(host.conf), "filler"))
    assert host.run(ISCSI).exit_code == 0
    assert b"password=Ch4p-S3cret.value" in host.read(host.conf)


@pytest.mark.parametrize("statement,named", [
    ("OVIRT_HE_DEPLOY/confOwner=str:no-such-vdsm", "user 'no-such-vdsm' does not exist"),
    ("OVIRT_HE_DEPLOY/confGroup=str:no-such-kvm", "group 'no-such-kvm' does not exist"),
], ids=["vdsm-user-missing", "kvm-group-missing"])
@pytest.mark.parametrize("action", ["deploy", "remove"])
def test_missing_account_fails_after_the_packages_naming_it(deployed, statement, named, action):
    """The accounts come with vdsm, which a new host gets only in STAGE_PACKAGES: they are
    looked up when the files are prepared (a deploy's in MISC; a remove's in CLOSEUP, after
    VDSM started again and the metadata cleanup), and a missing one stops the run there."""
    host = deployed
    before = host_state(host)
    conf = host.read(host.conf)
    result = host.run(ISCSI, statement, "HOSTED_ENGINE/action=str:" + action)
    assert result.exit_code == 1
    assert failed_stage(result) == ("misc" if action == "deploy" else "closeup")
    assert named in result.stdout
    assert "KeyError" not in result.log_text
    assert host.read(host.conf) == conf
    assert temp_files(host) == []
    if action == "deploy":
        # The services were stopped for the package update: the host stays out of the
        # engine VM's way until a deploy succeeds.
        assert host.ha_values()["local_maintenance"] == "True"
    else:
        assert host_state(host) == before
    assert_no_secret_in_run(result, host)


# -- ha.conf ------------------------------------------------------------------------------

def test_missing_ha_conf_is_created_with_both_keys(host):
    os.unlink(host.ha_conf)
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid).gr_name
    result = host.run(NFS, "OVIRT_HE_DEPLOY/confOwner=str:nobody",
                      "OVIRT_HE_DEPLOY/confGroup=str:" + group)
    assert result.exit_code == 0, result.stdout[-2000:]
    assert host.read(host.ha_conf) == (b"local_maintenance=False\n"
                                       b"local_maintenance_manual=False\n")
    status = os.stat(host.ha_conf)
    assert stat.S_IMODE(status.st_mode) == 0o644
    assert (status.st_uid, status.st_gid) == (nobody.pw_uid, nobody.pw_gid)


def test_empty_ha_conf_gets_both_keys(host):
    write(host.ha_conf, b"", 0o600)
    assert host.run(NFS).exit_code == 0
    assert host.read(host.ha_conf) == (b"local_maintenance=False\n"
                                       b"local_maintenance_manual=False\n")
    assert stat.S_IMODE(os.stat(host.ha_conf).st_mode) == 0o600, "an admin's mode is kept"


JUNK = ("# set by Jos\u00e9 during the 2024 outage\n"
        "this line has no equals sign\n"
        "local_maintenance=True\n"
        "  local_maintenance = True  \n"
        "#local_maintenance=False\n"
        "metadata_cache=1\n"
        "local_maintenance_manual=True\n"
        "local_maintenance=True\n").encode("utf-8")


def test_junk_ha_conf_keeps_foreign_lines_and_collapses_our_keys(host):
    write(host.ha_conf, JUNK)
    assert host.run(NFS).exit_code == 0
    assert host.read(host.ha_conf) == (
        "# set by Jos\u00e9 during the 2024 outage\n"
        "this line has no equals sign\n"
        "local_maintenance=False\n"
        "#local_maintenance=False\n"
        "metadata_cache=1\n"
        "local_maintenance_manual=False\n").encode("utf-8")


def test_junk_ha_conf_keeps_foreign_lines_when_maintenance_is_set(host):
    write(host.ha_conf, JUNK)
    result = host.run(NFS, "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    text = host.read(host.ha_conf).decode("utf-8")
    assert text.count("local_maintenance=") == 2  # ours, and the admin's comment
    assert "Jos\u00e9" in text and "this line has no equals sign" in text
    assert host.ha_values()["local_maintenance"] == "True"


# -- packages and services (extends tests/plugins/test_failures.py) ------------------------

@pytest.mark.parametrize("fault,service,after", [
    ("HE_FAKES/failStart=str:ovirt-ha-broker", "ovirt-ha-broker", "broker.log"),
    ("HE_FAKES/failStart=str:ovirt-ha-agent", "ovirt-ha-agent", "agent.log"),
    ("HE_FAKES/diesAfterStart=str:ovirt-ha-agent", "ovirt-ha-agent", "agent.log"),
    ("HE_FAKES/diesAfterStart=str:ovirt-ha-broker", "ovirt-ha-broker", "broker.log"),
], ids=["broker-fails-to-start", "agent-fails-to-start", "agent-exits-after-start",
        "broker-exits-after-start"])
def test_service_failure_on_an_iscsi_host(deployed, fault, service, after):
    host = deployed
    result = host.run(ISCSI, fault, "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:1")
    assert result.exit_code == 1
    assert failed_stage(result) == "closeup"
    assert "journalctl -u {}".format(service) in result.stdout
    assert "/var/log/ovirt-hosted-engine-ha/" + after in result.stdout
    assert host.ha_values()["local_maintenance"] == "True"
    # The conf landed (the failure is after the commit) and the old one is kept once.
    assert host.read(host.conf + ".previous") == OLD_CONF
    assert stat.S_IMODE(os.stat(host.conf).st_mode) == 0o440
    assert stat.S_IMODE(os.stat(host.conf + ".previous").st_mode) == 0o440
    assert_no_secret_in_run(result, host)
    rerun = rerun_keeps_maintenance_until_cleared(host, ISCSI)
    assert temp_files(host) == []
    assert_no_secret_in_run(rerun, host)


def test_package_failure_on_an_iscsi_host(deployed):
    host = deployed
    result = host.run(ISCSI, "HE_FAKES/failInstall=bool:True")
    assert result.exit_code == 1
    assert failed_stage(result) == "packages"
    assert "local maintenance was set" in result.stdout
    assert host.read(host.conf) == OLD_CONF
    assert temp_files(host) == []
    assert host.ha_values()["local_maintenance"] == "True"
    assert not [call for call in result.calls if call.startswith("closeup")]
    assert_no_secret_in_run(result, host)
    rerun_keeps_maintenance_until_cleared(host, ISCSI)
