"""A directory that stands for a host's root (preview's --root, the sandbox): nothing leaves it."""

import os

from . import hostfs, safety


class OutsideRoot(RuntimeError):
    """A host path below the root directory would be written somewhere else."""


def under(root: str, path: str) -> str:
    """Where a host path lands below root."""
    return os.path.join(root, path.lstrip("/"))


def is_host_root(root: str) -> bool:
    """True for the host's own /: writing below it would be a deploy without its checks."""
    return os.path.realpath(root) == "/"


def _inside(root_real: str, path: str) -> bool:
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


def check_below_root(root: str, path: str) -> None:
    """OutsideRoot when writing the host path below root would leave root.

    Every component below root that exists already is checked: a symlink whose target
    resolves outside root is refused (as root, DIR/etc -> /etc would overwrite the host's
    own file), and so is '..'. Missing components are created later as real directories.
    """
    root_real = os.path.realpath(root)
    parts = path.strip("/").split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise OutsideRoot("{} has the component {}; nothing is written outside {}."
                              .format(safety.printable(path), ascii(part),
                                      safety.printable(root)))
    current = root
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            target = os.path.realpath(current)
            if not _inside(root_real, target):
                raise OutsideRoot(
                    "{} is a symlink to {}, outside {}; nothing is written outside that "
                    "directory. Remove the link or choose another directory.".format(
                        safety.printable(current), safety.printable(os.readlink(current)),
                        safety.printable(root)))
        elif not os.path.lexists(current):
            return


def can_chown(owner: str, group: str) -> bool:
    """Whether files can be given this owner and group here: as root, where both exist."""
    if os.geteuid() != 0:
        return False
    try:
        hostfs.resolve_account(owner, group)
    except hostfs.HostFileError:
        return False
    return True


def ownership(owner: str, group: str, applied: bool) -> str:
    """The owner a file gets on a host, and whether it got it here."""
    return "owner {}:{}{}".format(owner, group, "" if applied else
                                  " on a host; not applied here: needs root and those accounts")
