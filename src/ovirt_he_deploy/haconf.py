"""ha.conf, HA's local state: the local maintenance flags, edited as HA's own writers do."""

import errno
import fcntl
import os
import time

from .compat import TYPE_CHECKING, bytes_from_text, monotonic, text_from_bytes
from .hostfs import HostFileError, file_error, resolve_account
from .plan import LOCAL_MAINTENANCE, LOCAL_MAINTENANCE_MANUAL, HostFacts, MaintenanceChange

if TYPE_CHECKING:
    from typing import List, Optional, Tuple

# HA's own writers hold ha.conf's flock for a moment; never wait on it forever.
HA_CONF_LOCK_SECONDS = 30.0


def ha_flag(value):
    # type: (Optional[str]) -> bool
    """A boolean of ha.conf as HA reads it (lib/util.py to_bool): t, y or 1 first is True."""
    return str(value).lower()[:1] in ("t", "y", "1")


def changed_flags(values, before):
    # type: (Tuple[Tuple[str, str], ...], HostFacts) -> str
    """The flags among values that differ from what ha.conf said before the run, as text."""
    was = {LOCAL_MAINTENANCE: before.local_maintenance,
           LOCAL_MAINTENANCE_MANUAL: before.manual_maintenance}
    return ", ".join("{}={}".format(key, value) for key, value in values
                     if key not in was or ha_flag(value) != was[key])


def apply_maintenance(change, values, chown=True):
    # type: (MaintenanceChange, Tuple[Tuple[str, str], ...], bool) -> bool
    """Set ha.conf keys the way HA's own writers do; returns whether the file changed.

    ovirt-hosted-engine-ha (env/config_file.py set_and_write, used by VDSM's
    setHaMaintenanceMode and `hosted-engine --set-maintenance`) flocks ha.conf and rewrites
    it in place. Doing the same keeps the inode and cannot lose an update one of them makes
    meanwhile. Other lines are kept. A missing ha.conf is created (owner, group and mode
    of the change); without HA's state directory (ovirt-hosted-engine-ha not installed yet)
    there is no flag to set: nothing happens.
    """
    if not os.path.isdir(os.path.dirname(change.path) or "."):
        return False
    fd, created = _open_ha_conf(change, chown)
    try:
        _lock_ha_conf(fd, change.path)
        old = _read_fd(fd)
        # Bytes of lines we do not touch are written back exactly.
        new = bytes_from_text(change.apply(text_from_bytes(old), values))
        if new == old and not created:
            return False
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(new)
        while view:
            view = view[os.write(fd, view):]
        os.ftruncate(fd, len(new))
        os.fsync(fd)
        return True
    except EnvironmentError as error:  # OSError; fcntl raises IOError on Python 2
        raise file_error("update", change.path, error)
    finally:
        os.close(fd)  # also releases the flock


def _open_ha_conf(change, chown):
    # type: (MaintenanceChange, bool) -> Tuple[int, bool]
    # O_NOFOLLOW: the state directory belongs to vdsm; a link planted there must not make
    # a root run write somewhere else.
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(change.path, flags), False
    except OSError as error:
        if error.errno != errno.ENOENT:
            raise file_error("open", change.path, error)
    try:
        fd = os.open(change.path, flags | os.O_CREAT | os.O_EXCL, change.mode)
    except OSError as error:
        if error.errno == errno.EEXIST:  # HA created it meanwhile
            return _open_ha_conf(change, chown)
        raise file_error("create", change.path, error)
    try:
        if chown:
            uid, gid = resolve_account(change.owner, change.group)
            os.fchown(fd, uid, gid)
        os.fchmod(fd, change.mode)
    except (OSError, HostFileError) as error:
        os.close(fd)
        os.unlink(change.path)
        if isinstance(error, HostFileError):
            raise
        raise file_error("create", change.path, error)
    return fd, True


def _lock_ha_conf(fd, path):
    # type: (int, str) -> None
    deadline = monotonic() + HA_CONF_LOCK_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except EnvironmentError as error:  # BlockingIOError; IOError on Python 2
            if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                raise
            if monotonic() >= deadline:
                raise HostFileError(
                    "cannot lock {}: another process has held its lock for {:.0f} s "
                    "(ovirt-hosted-engine-ha, VDSM or hosted-engine write it under that "
                    "lock); check 'lsof {}' and retry. {} was not changed.".format(
                        path, HA_CONF_LOCK_SECONDS, path, path))
            time.sleep(0.1)


def _read_fd(fd):
    # type: (int) -> bytes
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []  # type: List[bytes]
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def set_local_maintenance(change, chown=True):
    # type: (MaintenanceChange, bool) -> bool
    """Keep a half-deployed host from being chosen to run the engine VM.

    Applies the change's on-abort values where ovirt-hosted-engine-ha has its state
    directory. Before the HA package is installed there is none, hence no agent and nothing
    to protect; returns whether ha.conf now says local maintenance.
    """
    if not os.path.isdir(os.path.dirname(change.path) or "."):
        return False
    apply_maintenance(change, change.on_abort, chown)
    return True


