"""haconf: ha.conf edited in place under HA's flock, as HA's own writers do."""

import fcntl
import os
import subprocess
import sys

import pytest
from otopi_harness import killed_after

from ovirt_he_deploy import haconf, hostfs, plan

from .helpers import ME, MY_GROUP, mode_of, names


def maintenance(path):
    return plan.MaintenanceChange(
        path=str(path), on_commit=(("local_maintenance", "False"),
                                   ("local_maintenance_manual", "False")),
        on_abort=(("local_maintenance", "True"),), owner=ME, group=MY_GROUP)


COMMITTED = b"local_maintenance=False\nlocal_maintenance_manual=False\n"


def test_apply_maintenance_creates_a_missing_ha_conf(tmp_path, chown):
    change = maintenance(tmp_path / "ha.conf")
    assert haconf.apply_maintenance(change, change.on_commit, chown=chown) is True
    assert (tmp_path / "ha.conf").read_bytes() == COMMITTED
    assert mode_of(tmp_path / "ha.conf") == 0o644
    assert names(tmp_path) == ["ha.conf"]


def test_apply_maintenance_on_an_empty_ha_conf(tmp_path):
    path = tmp_path / "ha.conf"
    path.write_bytes(b"")
    change = maintenance(path)
    assert haconf.apply_maintenance(change, change.on_commit, chown=False) is True
    assert path.read_bytes() == COMMITTED


def test_apply_maintenance_keeps_junk_comments_and_the_mode(tmp_path, chown):
    path = tmp_path / "ha.conf"
    path.write_bytes(b"# by hand\nlocal_maintenance=True\njunk line\n\xff\xfe binary junk\n"
                     b"local_maintenance=True\nmetadata_checksum=abc\n")
    path.chmod(0o600)
    change = maintenance(path)
    assert haconf.apply_maintenance(change, change.on_commit, chown=chown) is True
    assert path.read_bytes() == (b"# by hand\nlocal_maintenance=False\njunk line\n"
                                 b"\xff\xfe binary junk\nmetadata_checksum=abc\n"
                                 b"local_maintenance_manual=False\n")
    assert mode_of(path) == 0o600


def test_apply_maintenance_twice_changes_nothing_the_second_time(tmp_path):
    change = maintenance(tmp_path / "ha.conf")
    haconf.apply_maintenance(change, change.on_commit, chown=False)
    before = os.stat(str(tmp_path / "ha.conf"))
    assert haconf.apply_maintenance(change, change.on_commit, chown=False) is False
    assert os.stat(str(tmp_path / "ha.conf")).st_ino == before.st_ino


def test_apply_maintenance_abort_values(tmp_path):
    change = maintenance(tmp_path / "ha.conf")
    haconf.apply_maintenance(change, change.on_commit, chown=False)
    haconf.apply_maintenance(change, change.on_abort, chown=False)
    assert (tmp_path / "ha.conf").read_bytes() == (
        b"local_maintenance=True\nlocal_maintenance_manual=False\n")


def test_maintenance_without_the_ha_state_directory_does_nothing(tmp_path):
    change = maintenance(tmp_path / "missing" / "ha.conf")
    assert haconf.apply_maintenance(change, change.on_commit, chown=False) is False
    assert haconf.set_local_maintenance(change, chown=False) is False
    assert names(tmp_path) == []


def test_a_change_keeps_the_inode_owner_and_mode(tmp_path):
    path = tmp_path / "ha.conf"
    path.write_bytes(b"local_maintenance=True\nlocal_maintenance_manual=True\n")
    path.chmod(0o640)
    before = os.stat(str(path))
    change = maintenance(path)
    assert haconf.apply_maintenance(change, change.on_commit, chown=False) is True
    after = os.stat(str(path))
    assert (after.st_ino, after.st_uid, after.st_gid) == (
        before.st_ino, before.st_uid, before.st_gid)
    assert mode_of(path) == 0o640
    assert path.read_bytes() == COMMITTED
    assert names(tmp_path) == ["ha.conf"], "no temp file, no copy"


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
sys.stdout.write("locked\\n")
sys.stdout.flush()
sys.stdin.readline()
# HA's set_and_write: rewrite in place while holding the lock
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"local_maintenance=True\\nlocal_maintenance_manual=True\\nadmin=1\\n")
os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_CUR))
time.sleep(0.2)
"""


def test_the_update_waits_for_has_lock_and_keeps_what_ha_wrote_meanwhile(tmp_path):
    path = tmp_path / "ha.conf"
    path.write_bytes(b"local_maintenance=True\n")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              universal_newlines=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        # The holder rewrites the file only after we are already waiting for the lock;
        # a read-modify-rename without the lock would lose its admin=1 line.
        holder.stdin.write("go\n")
        holder.stdin.flush()
        change = maintenance(path)
        assert haconf.apply_maintenance(change, change.on_commit, chown=False) is True
    finally:
        with killed_after(holder, 30):
            holder.wait()
    assert path.read_bytes() == b"local_maintenance=False\nlocal_maintenance_manual=False\n" \
        b"admin=1\n"


def test_a_lock_held_too_long_is_an_error_that_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(haconf, "HA_CONF_LOCK_SECONDS", 0.3)
    path = tmp_path / "ha.conf"
    path.write_bytes(b"local_maintenance=True\n")
    fd = os.open(str(path), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        # flock is per open file description: a second open in this process conflicts too
        change = maintenance(path)
        with pytest.raises(hostfs.HostFileError) as error:
            haconf.apply_maintenance(change, change.on_commit, chown=False)
    finally:
        os.close(fd)
    assert "cannot lock {}".format(path) in str(error.value)
    assert "Nothing was changed" not in str(error.value)
    assert str(error.value).endswith("{} was not changed.".format(path))
    assert path.read_bytes() == b"local_maintenance=True\n"


def test_a_symlink_in_has_state_directory_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"precious\n")
    state = tmp_path / "state"
    state.mkdir()
    (state / "ha.conf").symlink_to(elsewhere)
    change = maintenance(state / "ha.conf")
    with pytest.raises(hostfs.HostFileError) as error:
        haconf.apply_maintenance(change, change.on_commit, chown=False)
    assert str(state / "ha.conf") in str(error.value)
    assert elsewhere.read_bytes() == b"precious\n"


@pytest.mark.parametrize("value, expected", [
    ("True", True), ("true", True), ("yes", True), ("1", True),
    ("False", False), ("no", False), ("0", False), ("", False), (None, False),
])
def test_ha_flag_reads_booleans_as_ha_does(value, expected):
    assert haconf.ha_flag(value) is expected


def test_set_local_maintenance_sets_only_the_abort_values(tmp_path):
    path = tmp_path / "ha.conf"
    path.write_bytes(b"local_maintenance=False\nlocal_maintenance_manual=False\n")
    assert haconf.set_local_maintenance(maintenance(path), chown=False) is True
    assert path.read_bytes() == b"local_maintenance=True\nlocal_maintenance_manual=False\n"
