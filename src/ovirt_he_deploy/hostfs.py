"""The filesystem seam: atomic staged writes, removals, ha.conf edits and the host lock."""

import errno
import fcntl
import grp
import os
import pwd
import tempfile

from .compat import TYPE_CHECKING, ascii, readable_text, without_context
from .plan import FileAttributes, FileRemoval, FileWrite

if TYPE_CHECKING:
    from typing import Iterable, List, Optional, Tuple

TEMP_PREFIX = ".ovirt-he-deploy."
TEMP_SUFFIX = ".tmp"
DIR_MODE = 0o755


class HostFileError(RuntimeError):
    """A file operation failed; the message names the path and what to check."""


class LockBusy(RuntimeError):
    """Another deploy run holds the host lock."""


def resolve_account(owner, group):
    # type: (str, str) -> Tuple[int, int]
    """uid and gid of an owner and group; HostFileError naming what is missing."""
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise without_context(HostFileError(
            "user {} does not exist on this host; ovirt-ha-agent and ovirt-ha-broker run as "
            "that user. Install vdsm (which creates it) or set OVIRT_HE_DEPLOY/confOwner."
            .format(ascii(owner))))
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise without_context(HostFileError(
            "group {} does not exist on this host. Install vdsm (which creates it) or set "
            "OVIRT_HE_DEPLOY/confGroup.".format(ascii(group))))
    return uid, gid


def file_error(action, path, error):
    # type: (str, str, OSError) -> HostFileError
    hint = {
        errno.EACCES: "check the directory's permissions and that the run is root",
        errno.EPERM: "check the directory's permissions and that the run is root",
        errno.ENOSPC: "free space on that filesystem",
        errno.EROFS: "the filesystem is read-only",
        errno.ENOENT: "the directory does not exist",
    }.get(error.errno or 0, "see the error above")
    # Only what is true of this file: the run may have changed others before (services
    # stopped, local maintenance set in PACKAGES); the caller's cleanup reports those.
    kept = _KEPT.get(action)
    # Raised while the OSError is handled: the message says it all.
    return without_context(HostFileError("cannot {} {}: {} ({}).{}".format(
        action, path, error.strerror or error, hint, " " + kept if kept else "")))


# What a failed action leaves of the file, where that is certain (a write goes to a temp
# file that is removed, a replace is one rename).
_KEPT = {
    "write": "The file there before, if any, is kept as it was.",
    "replace": "The file there before, if any, is kept as it was.",
    "create the directory for": "No file was written there.",
    "remove": "It is still there.",
}


def cleanup_stale_temps(directory, basename):
    # type: (str, str) -> List[str]
    """Remove temp files a killed earlier run left next to a target; return their names."""
    removed = []  # type: List[str]
    prefix = TEMP_PREFIX + basename + "."
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def _fsync_dir(directory):
    # type: (str) -> None
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_files(paths):
    # type: (Iterable[str]) -> None
    """Unlink files that may already be gone; HostFileError naming the first that fails."""
    for path in paths:
        try:
            os.unlink(path)
        except OSError as error:
            if error.errno != errno.ENOENT:
                raise file_error("remove", path, error)


def read_bytes(path):
    # type: (str) -> Optional[bytes]
    """Content of a file, or None when it does not exist."""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except EnvironmentError as error:  # OSError; open() raises IOError on Python 2
        if error.errno == errno.ENOENT:
            return None
        raise file_error("read", path, error)


class StagedFile(object):
    """New content for one path, written next to it at prepare and renamed in at commit."""

    def __init__(self, path, content, owner, group, mode, chown=True, make_dirs=False):
        # type: (str, bytes, str, str, int, bool, bool) -> None
        self.path = path
        self.content = content
        self.owner = owner
        self.group = group
        self.mode = mode
        self.chown = chown
        self.make_dirs = make_dirs
        self.temp = None  # type: Optional[str]
        self.created_dirs = []  # type: List[str]
        # After commit: what was put in place (the top created directory, else the file),
        # for the caller to restore SELinux contexts on.
        self.committed = []  # type: List[str]

    def __str__(self):
        # type: () -> str
        return "file {}".format(self.path)

    def _ids(self):
        # type: () -> Tuple[int, int]
        if not self.chown:
            return -1, -1
        return resolve_account(self.owner, self.group)

    def unchanged(self):
        # type: () -> bool
        """True when the file already has this content, owner, group and mode."""
        try:
            status = os.stat(self.path)
        except OSError as error:
            if error.errno == errno.ENOENT:
                return False
            raise file_error("inspect", self.path, error)
        if (status.st_mode & 0o7777) != self.mode:
            return False
        if self.chown and (status.st_uid, status.st_gid) != self._ids():
            return False
        return read_bytes(self.path) == self.content

    def prepare(self):
        # type: () -> bool
        """Write the temp file; returns False (and stages nothing) when nothing would change."""
        if self.unchanged():
            return False
        uid, gid = self._ids()
        directory, basename = os.path.split(self.path)
        directory = directory or "."
        if self.make_dirs:
            self._make_dirs(directory)
        cleanup_stale_temps(directory, basename)
        try:
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX + basename + ".",
                                        suffix=TEMP_SUFFIX, dir=directory)
        except OSError as error:
            self._remove_created_dirs()
            raise file_error("write", self.path, error)
        try:
            if self.chown:
                os.fchown(fd, uid, gid)
            os.fchmod(fd, self.mode)
            view = memoryview(self.content)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as error:
            os.close(fd)
            os.unlink(temp)
            self._remove_created_dirs()
            raise file_error("write", self.path, error)
        os.close(fd)
        self.temp = temp
        return True

    def _make_dirs(self, directory):
        # type: (str) -> None
        """Create missing parents as the owning RPM would (0755, whatever the umask)."""
        missing = []
        while not os.path.isdir(directory):
            missing.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for path in reversed(missing):
            try:
                os.mkdir(path)
                os.chmod(path, DIR_MODE)
            except OSError as error:
                if error.errno == errno.EEXIST:
                    continue
                self._remove_created_dirs()
                raise file_error("create the directory for", self.path, error)
            self.created_dirs.append(path)

    def _remove_created_dirs(self):
        # type: () -> None
        # Unlike otopi's FileTransaction, an aborted write leaves no new directory behind.
        for path in reversed(self.created_dirs):
            try:
                os.rmdir(path)
            except OSError:
                break
        self.created_dirs = []

    def commit(self):
        # type: () -> None
        if self.temp is None:
            return
        try:
            os.rename(self.temp, self.path)
        except OSError as error:
            self.abort()
            raise file_error("replace", self.path, error)
        self.temp = None
        self.committed = [self.created_dirs[0] if self.created_dirs else self.path]
        self.created_dirs = []
        _fsync_dir(os.path.dirname(self.path) or ".")

    def abort(self):
        # type: () -> None
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError as error:
                if error.errno != errno.ENOENT:
                    raise
            self.temp = None
        self._remove_created_dirs()


class StagedWrite(object):
    """A plan FileWrite: the new file, plus one previous copy of what it replaces."""

    def __init__(self, write, chown=True):
        # type: (FileWrite, bool) -> None
        self.write = write
        self.new = StagedFile(write.path, write.content, write.owner, write.group,
                              write.mode, chown, make_dirs=True)
        self.previous = None  # type: Optional[StagedFile]
        self.stale = []  # type: List[str]

    def __str__(self):
        # type: () -> str
        return str(self.new)

    def prepare(self):
        # type: () -> bool
        self.stale = [path for path in self.write.remove_on_commit if os.path.lexists(path)]
        if not self.new.prepare():
            return bool(self.stale)
        old = read_bytes(self.write.path)
        # Only content is worth keeping: a mode or owner fix needs no copy.
        if self.write.keep_previous_as and old is not None and old != self.write.content:
            self.previous = StagedFile(self.write.keep_previous_as, old, self.write.owner,
                                       self.write.group, self.write.mode, self.new.chown)
            try:
                self.previous.prepare()
            except HostFileError:
                self.new.abort()
                raise
        return True

    def commit(self):
        # type: () -> None
        # The previous copy lands first: a kill between the two renames leaves the old
        # file in place and its copy beside it, never a missing or partial file.
        if self.previous is not None:
            self.previous.commit()
        self.new.commit()
        remove_files(self.stale)

    @property
    def committed(self):
        # type: () -> List[str]
        """Paths put in place by the commit."""
        return self.new.committed + (self.previous.committed if self.previous else [])

    def describe(self):
        # type: () -> str
        """What the commit changed, for the admin."""
        return "wrote {}{}".format(self.write.path, ", the old content kept as {}".format(
            self.write.keep_previous_as) if self.previous is not None else "")

    def abort(self):
        # type: () -> None
        self.new.abort()
        if self.previous is not None:
            self.previous.abort()


class StagedRemoval(object):
    """A plan FileRemoval: keep the content under keep_as, then remove the file."""

    def __init__(self, removal, chown=True):
        # type: (FileRemoval, bool) -> None
        self.removal = removal
        self.keep = None  # type: Optional[StagedFile]
        self.chown = chown

    def __str__(self):
        # type: () -> str
        return "removal of {}".format(self.removal.path)

    def prepare(self):
        # type: () -> bool
        # A deploy killed after its prepare left staged copies of the conf (with the CHAP
        # password) next to it; a remove must not leave them behind either.
        directory, basename = os.path.split(self.removal.path)
        cleanup_stale_temps(directory or ".", basename)
        old = read_bytes(self.removal.path)
        if old is not None:
            # The kept copy has the CHAP password blanked: after a remove no file of ours
            # holds it.
            self.keep = StagedFile(self.removal.keep_as, self.removal.kept_content(old),
                                   self.removal.owner, self.removal.group, self.removal.mode,
                                   self.chown)
            self.keep.prepare()
        # A leftover previous copy holds the password too, even without the conf itself.
        return old is not None or any(os.path.lexists(path)
                                      for path in self.removal.also_remove)

    def commit(self):
        # type: () -> None
        if self.keep is not None:
            self.keep.commit()
        remove_files((self.removal.path,) + self.removal.also_remove)

    def describe(self):
        # type: () -> str
        """What the commit changed, for the admin."""
        if self.keep is None:
            return "removed {}".format(", ".join(self.removal.also_remove))
        return "moved {} to {} ({} blanked)".format(
            self.removal.path, self.removal.keep_as, ", ".join(self.removal.redact))

    @property
    def committed(self):
        # type: () -> List[str]
        """Paths put in place by the commit."""
        return self.keep.committed if self.keep is not None else []

    def abort(self):
        # type: () -> None
        if self.keep is not None:
            self.keep.abort()


class StagedAttributes(object):
    """A plan FileAttributes: owner, group and mode set in place at commit, content kept."""

    def __init__(self, attributes, chown=True):
        # type: (FileAttributes, bool) -> None
        self.attributes = attributes
        self.chown = chown
        self.before = None  # type: Optional[Tuple[int, int, int]]
        self.committed = []  # type: List[str]

    def __str__(self):
        # type: () -> str
        return "owner and mode of {}".format(self.attributes.path)

    def _wanted(self):
        # type: () -> Tuple[int, int]
        if not self.chown:
            return -1, -1
        return resolve_account(self.attributes.owner, self.attributes.group)

    def prepare(self):
        # type: () -> bool
        """Whether owner, group or mode differ (nothing is changed yet)."""
        path = self.attributes.path
        try:
            status = os.lstat(path)
        except OSError as error:
            raise file_error("inspect", path, error)
        uid, gid = self._wanted()
        self.before = (status.st_uid, status.st_gid, status.st_mode & 0o7777)
        return (status.st_mode & 0o7777) != self.attributes.mode or \
            (self.chown and (status.st_uid, status.st_gid) != (uid, gid))

    def commit(self):
        # type: () -> None
        path = self.attributes.path
        uid, gid = self._wanted()
        # O_NOFOLLOW: never change a file a planted link points at.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            raise file_error("open", path, error)
        try:
            if self.chown:
                os.fchown(fd, uid, gid)
            os.fchmod(fd, self.attributes.mode)
        except OSError as error:
            raise file_error("set the owner and mode of", path, error)
        finally:
            os.close(fd)

    def describe(self):
        # type: () -> str
        """What the commit changed, for the admin."""
        before = self.before or (-1, -1, 0)
        return "owner and mode of {}: {} {:04o} -> {}:{} {:04o}".format(
            self.attributes.path, _account_names(before[0], before[1]), before[2],
            self.attributes.owner, self.attributes.group, self.attributes.mode)

    def abort(self):
        # type: () -> None
        pass


def _account_names(uid, gid):
    # type: (int, int) -> str
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        owner = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return "{}:{}".format(owner, group)


class HostLock(object):
    """An flock held for a whole run; the kernel drops it when the process dies."""

    def __init__(self, path):
        # type: (str) -> None
        self.path = path
        self.fd = None  # type: Optional[int]

    def acquire(self):
        # type: () -> None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise file_error("open the lock", self.path, error)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except EnvironmentError:  # OSError; fcntl raises IOError on Python 2
            holder = readable_text(os.read(fd, 64)).strip() or "unknown"
            os.close(fd)
            raise without_context(LockBusy(
                "another Hosted Engine deploy is running on this host (pid {}, lock {}); "
                "wait for it to finish and retry.".format(holder, self.path)))
        os.ftruncate(fd, 0)
        os.write(fd, "{}\n".format(os.getpid()).encode("ascii"))
        self.fd = fd

    def release(self):
        # type: () -> None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
