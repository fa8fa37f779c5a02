"""hostfs: staged writes and removals and the host lock, on a tmp directory."""

import os
import signal
import subprocess
import sys
from typing import Tuple  # noqa: F401 (type comments)

import pytest

from ovirt_he_deploy import hostfs, plan

from .helpers import ME, MY_GROUP, SRC, mode_of, names


def staged(path, content, chown, mode=0o440):
    return hostfs.StagedFile(str(path), content, ME, MY_GROUP, mode, chown=chown)


def test_prepare_writes_a_temp_file_in_the_target_directory(tmp_path, chown):
    target = tmp_path / "he.conf"
    target.write_bytes(b"old\n")
    item = staged(target, b"new\n", chown)
    assert item.prepare() is True
    assert os.path.dirname(item.temp) == str(tmp_path)
    assert os.path.basename(item.temp).startswith(".ovirt-he-deploy.he.conf.")
    with open(item.temp, "rb") as stream:
        assert stream.read() == b"new\n"
    assert mode_of(item.temp) == 0o440
    assert target.read_bytes() == b"old\n"
    item.commit()
    assert target.read_bytes() == b"new\n" and mode_of(target) == 0o440
    assert names(tmp_path) == ["he.conf"]
    if chown:
        status = os.stat(str(target))
        assert (status.st_uid, status.st_gid) == (os.getuid(), os.getgid())


def test_abort_removes_the_temp_file_and_keeps_the_target(tmp_path, chown):
    target = tmp_path / "he.conf"
    target.write_bytes(b"old\n")
    item = staged(target, b"new\n", chown)
    item.prepare()
    temp = item.temp
    item.abort()
    assert not os.path.exists(temp) and item.temp is None
    assert names(tmp_path) == ["he.conf"] and target.read_bytes() == b"old\n"
    item.commit()  # nothing staged any more: a no-op
    assert target.read_bytes() == b"old\n"


def test_abort_before_any_target_leaves_nothing(tmp_path):
    item = staged(tmp_path / "new.conf", b"x\n", False)
    item.prepare()
    item.abort()
    assert names(tmp_path) == []


def stamp(status):  # type: (os.stat_result) -> Tuple[int, float]
    """A file's inode and modification time (in ns where Python 3 gives it)."""
    return status.st_ino, getattr(status, "st_mtime_ns", status.st_mtime)


def test_unchanged_content_prepares_nothing(tmp_path, chown):
    target = tmp_path / "he.conf"
    target.write_bytes(b"same\n")
    target.chmod(0o440)
    before = os.stat(str(target))
    item = staged(target, b"same\n", chown)
    assert item.unchanged() is True
    assert item.prepare() is False
    assert item.temp is None and names(tmp_path) == ["he.conf"]
    item.commit()
    after = os.stat(str(target))
    assert stamp(after) == stamp(before)


def test_same_content_with_another_mode_is_rewritten(tmp_path):
    target = tmp_path / "he.conf"
    target.write_bytes(b"same\n")
    target.chmod(0o644)
    item = staged(target, b"same\n", False)
    assert item.prepare() is True
    item.commit()
    assert mode_of(target) == 0o440


def test_prepare_removes_temp_files_a_killed_run_left(tmp_path):
    stale = tmp_path / ".ovirt-he-deploy.he.conf.abc123.tmp"
    stale.write_bytes(b"partial")
    other = tmp_path / ".ovirt-he-deploy.other.conf.abc123.tmp"
    other.write_bytes(b"not ours")
    item = staged(tmp_path / "he.conf", b"x\n", False)
    item.prepare()
    assert not stale.exists() and other.exists()
    item.abort()


def test_prepare_in_a_missing_directory_names_the_path(tmp_path):
    item = staged(tmp_path / "missing" / "he.conf", b"x\n", False)
    with pytest.raises(hostfs.HostFileError) as caught:
        item.prepare()
    assert str(tmp_path / "missing" / "he.conf") in str(caught.value)
    # Raised in MISC after PACKAGES may have stopped services: no claim beyond this file.
    assert "Nothing was changed" not in str(caught.value)
    assert str(caught.value).endswith("The file there before, if any, is kept as it was.")


def test_unknown_owner_is_named():
    with pytest.raises(hostfs.HostFileError) as caught:
        hostfs.resolve_account("no-such-user-he", MY_GROUP)
    assert "'no-such-user-he'" in str(caught.value) and "confOwner" in str(caught.value)
    with pytest.raises(hostfs.HostFileError) as caught:
        hostfs.resolve_account(ME, "no-such-group-he")
    assert "'no-such-group-he'" in str(caught.value) and "confGroup" in str(caught.value)


def file_write(path, content, mode=0o440):
    return plan.FileWrite(path=str(path), content=content, owner=ME, group=MY_GROUP,
                          mode=mode, keep_previous_as=str(path) + ".previous")


def write(path, content, chown=False):
    item = hostfs.StagedWrite(file_write(path, content), chown=chown)
    changed = item.prepare()
    item.commit()
    return changed


def test_staged_write_keeps_exactly_one_previous_copy(tmp_path, chown):
    target = tmp_path / "he.conf"
    assert write(target, b"one\n", chown) is True
    assert names(tmp_path) == ["he.conf"]
    assert write(target, b"two\n", chown) is True
    assert names(tmp_path) == ["he.conf", "he.conf.previous"]
    assert write(target, b"three\n", chown) is True
    assert names(tmp_path) == ["he.conf", "he.conf.previous"]
    assert target.read_bytes() == b"three\n"
    assert (tmp_path / "he.conf.previous").read_bytes() == b"two\n"
    assert mode_of(tmp_path / "he.conf.previous") == mode_of(target) == 0o440


def test_staged_write_unchanged_touches_nothing(tmp_path):
    target = tmp_path / "he.conf"
    write(target, b"one\n")
    write(target, b"two\n")
    item = hostfs.StagedWrite(file_write(target, b"two\n"))
    assert item.prepare() is False
    item.commit()
    assert (tmp_path / "he.conf.previous").read_bytes() == b"one\n"


def test_staged_write_abort_leaves_both_files(tmp_path):
    target = tmp_path / "he.conf"
    write(target, b"one\n")
    write(target, b"two\n")
    item = hostfs.StagedWrite(file_write(target, b"three\n"))
    assert item.prepare() is True
    assert len(names(tmp_path)) == 4  # two temp files staged beside the targets
    item.abort()
    assert names(tmp_path) == ["he.conf", "he.conf.previous"]
    assert target.read_bytes() == b"two\n"
    assert (tmp_path / "he.conf.previous").read_bytes() == b"one\n"


def removal(path, also=()):
    return plan.FileRemoval(path=str(path), keep_as=str(path) + ".undeployed", owner=ME,
                            group=MY_GROUP, mode=0o440, also_remove=tuple(also))


def test_staged_removal_keeps_undeployed_copy(tmp_path, chown):
    target = tmp_path / "he.conf"
    write(target, b"one\n")
    write(target, b"two\n")
    item = hostfs.StagedRemoval(removal(target, [str(target) + ".previous"]), chown=chown)
    assert item.prepare() is True
    assert target.exists()
    item.commit()
    assert names(tmp_path) == ["he.conf.undeployed"]
    assert (tmp_path / "he.conf.undeployed").read_bytes() == b"two\n"
    assert mode_of(tmp_path / "he.conf.undeployed") == 0o440


def test_staged_removal_of_missing_file_does_nothing(tmp_path):
    item = hostfs.StagedRemoval(removal(tmp_path / "he.conf"), chown=False)
    assert item.prepare() is False
    item.commit()
    assert names(tmp_path) == []


def test_staged_removal_clears_a_leftover_previous_copy_without_the_conf(tmp_path):
    target = tmp_path / "he.conf"
    write(tmp_path / "he.conf.previous", b"password=old\n")
    item = hostfs.StagedRemoval(removal(target, [str(target) + ".previous"]), chown=False)
    assert item.prepare() is True
    item.commit()
    assert names(tmp_path) == []


def test_staged_write_fixing_only_the_mode_keeps_no_previous_copy(tmp_path):
    target = tmp_path / "he.conf"
    write(target, b"same\n")
    target.chmod(0o644)
    item = hostfs.StagedWrite(file_write(target, b"same\n"))
    assert item.prepare() is True
    item.commit()
    assert names(tmp_path) == ["he.conf"]
    assert mode_of(target) == 0o440


def test_staged_removal_abort_keeps_the_file(tmp_path):
    target = tmp_path / "he.conf"
    target.write_bytes(b"one\n")
    item = hostfs.StagedRemoval(removal(target), chown=False)
    item.prepare()
    item.abort()
    assert names(tmp_path) == ["he.conf"] and target.read_bytes() == b"one\n"


# -- host lock ---------------------------------------------------------------------------

HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from ovirt_he_deploy.hostfs import HostLock
HostLock(sys.argv[2]).acquire()
sys.stdout.write("locked\\n")
sys.stdout.flush()
time.sleep(60)
"""


def test_second_acquire_in_the_same_process_fails_until_released(tmp_path):
    path = str(tmp_path / "he.lock")
    first = hostfs.HostLock(path)
    first.acquire()
    with pytest.raises(hostfs.LockBusy) as caught:
        hostfs.HostLock(path).acquire()
    assert "pid {}".format(os.getpid()) in str(caught.value) and path in str(caught.value)
    first.release()
    again = hostfs.HostLock(path)
    again.acquire()
    again.release()


def test_lock_names_the_holder_and_dies_with_it(tmp_path):
    path = str(tmp_path / "he.lock")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, SRC, path],
                              stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(hostfs.LockBusy) as caught:
            hostfs.HostLock(path).acquire()
        assert "(pid {}, lock {})".format(holder.pid, path) in str(caught.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert holder.returncode == -signal.SIGKILL
    lock = hostfs.HostLock(path)
    lock.acquire()
    with open(path) as stream:
        assert stream.read() == "{}\n".format(os.getpid())
    lock.release()


def test_lock_in_a_missing_directory_names_the_path(tmp_path):
    path = str(tmp_path / "missing" / "he.lock")
    with pytest.raises(hostfs.HostFileError) as caught:
        hostfs.HostLock(path).acquire()
    assert path in str(caught.value)
    # The OSError behind it stays out of otopi's traceback: the message says it all.
    assert caught.value.__suppress_context__ is True


@pytest.mark.parametrize("owner, group", [("no-such-vdsm", MY_GROUP), (ME, "no-such-kvm")],
                         ids=["user", "group"])
def test_missing_account_names_it_without_the_lookup_error(owner, group):
    with pytest.raises(hostfs.HostFileError) as caught:
        hostfs.resolve_account(owner, group)
    assert "'no-such-" in str(caught.value) and "does not exist" in str(caught.value)
    assert caught.value.__suppress_context__ is True


@pytest.fixture
def strict_umask():
    """The engine runs host-deploy under umask 0077."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_staged_write_creates_missing_directories_0755_even_under_umask_077(
        tmp_path, strict_umask):
    target = tmp_path / "etc" / "ovirt-hosted-engine" / "he.conf"
    item = hostfs.StagedWrite(file_write(target, b"one\n"), chown=False)
    assert item.prepare() is True
    item.commit()
    assert target.read_bytes() == b"one\n"
    assert mode_of(tmp_path / "etc") == mode_of(tmp_path / "etc" / "ovirt-hosted-engine") == 0o755


def test_aborted_write_removes_the_directories_it_created(tmp_path):
    target = tmp_path / "etc" / "ovirt-hosted-engine" / "he.conf"
    item = hostfs.StagedWrite(file_write(target, b"one\n"), chown=False)
    assert item.prepare() is True
    item.abort()
    assert names(tmp_path) == []




def test_staged_write_removes_stale_files_even_when_the_content_is_unchanged(tmp_path):
    target = tmp_path / "he.conf"
    write(target, b"one\n")
    stale = tmp_path / "he.conf.undeployed"
    stale.write_bytes(b"password=old\n")
    item = hostfs.StagedWrite(plan.FileWrite(
        path=str(target), content=b"one\n", owner=ME, group=MY_GROUP, mode=0o440,
        remove_on_commit=(str(stale),)), chown=False)
    assert item.prepare() is True
    item.commit()
    assert names(tmp_path) == ["he.conf"]
    assert target.read_bytes() == b"one\n"


def test_remove_files_skips_missing_ones_and_names_the_one_it_cannot_remove(tmp_path):
    gone, blocker = tmp_path / "gone", tmp_path / "a-directory"
    blocker.mkdir()
    with pytest.raises(hostfs.HostFileError) as error:
        hostfs.remove_files([str(gone), str(blocker)])
    assert "cannot remove {}".format(blocker) in str(error.value)
    assert blocker.is_dir()
