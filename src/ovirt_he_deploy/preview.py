"""ovirt-he-deploy preview: the plan for this machine, and its files written below a root."""

import argparse
import os
import sys
from typing import List, Tuple

from . import hostfs, plan, safety
from .clicommon import EXIT_INVALID, EXIT_OK, EXIT_USAGE, load_checked, report, summary


def _under(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


class OutsideRoot(RuntimeError):
    """A planned file below --root would be written somewhere else."""


def _inside(root_real: str, path: str) -> bool:
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


def check_below_root(root: str, path: str) -> None:
    """OutsideRoot when writing path below root would leave root.

    Every component below root that exists already is checked: a symlink whose target
    resolves outside root is refused (as root, DIR/etc -> /etc would overwrite the host's
    own file), and so is '..'. Missing components are created later as real directories.
    """
    root_real = os.path.realpath(root)
    parts = path.strip("/").split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise OutsideRoot("{} has the component {}; preview writes below --root only."
                              .format(safety.printable(path), ascii(part)))
    current = root
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            target = os.path.realpath(current)
            if not _inside(root_real, target):
                raise OutsideRoot(
                    "{} is a symlink to {}, outside {}; preview never writes outside its "
                    "root. Remove the link or choose another --root.".format(
                        safety.printable(current), safety.printable(os.readlink(current)),
                        safety.printable(root)))
        elif not os.path.lexists(current):
            return


def _can_chown(owner: str, group: str) -> bool:
    if os.geteuid() != 0:
        return False
    try:
        hostfs.resolve_account(owner, group)
    except hostfs.HostFileError:
        return False
    return True


def _preview_file(root: str, path: str, content: bytes, owner: str, group: str,
                  mode: int) -> str:
    """Write one planned file below root, same bytes and mode; say what was written."""
    target = _under(root, path)
    check_below_root(root, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    # Checked again now that the directories exist: nothing may have moved them outside.
    check_below_root(root, path)
    chown = _can_chown(owner, group)
    staged = hostfs.StagedFile(target, content, owner, group, mode, chown=chown)
    if staged.prepare():
        staged.commit()
    return "wrote {} (mode {:04o}, owner {}:{}{})".format(
        target, mode, owner, group, "" if chown else
        " on a host; not applied here: needs root and those accounts")


def _planned_files(the_plan: plan.Plan) -> List[Tuple[str, bytes, str, str, int]]:
    files = [(write.path, write.content, write.owner, write.group, write.mode)
             for write in the_plan.writes]
    change = the_plan.maintenance
    # As on a host: without HA's state directory nothing touches ha.conf (plan.describe).
    if change is not None and the_plan.facts.ha_state_dir_exists:
        content = change.apply("", change.on_commit).encode("ascii")
        files.append((change.path, content, change.owner, change.group, change.mode))
    return files


def write_preview(the_plan: plan.Plan, root: str) -> List[str]:
    """Write every file the plan writes, below root; return the lines that say what.

    OutsideRoot, before anything is written, when any of them would land outside root.
    """
    files = _planned_files(the_plan)
    for path, _content, _owner, _group, _mode in files:
        check_below_root(root, path)
    return [_preview_file(root, *planned) for planned in files]


def cmd_preview(args: argparse.Namespace) -> int:
    if os.path.realpath(args.root) == "/":
        # A preview below / would be the deploy itself, without its checks and transaction.
        print("ovirt-he-deploy preview: --root {} is the host's own root; preview writes "
              "below a separate directory, e.g. --root ./he-preview".format(args.root),
              file=sys.stderr)
        return EXIT_USAGE
    unit = load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    report(unit, sys.stderr)
    from . import hostfacts

    settings = plan.HostSettings.from_environment({})
    # The plan for this machine as it is: a previous copy only where a conf exists, ha.conf
    # only where HA's state directory does.
    the_plan = plan.build(unit, settings, hostfacts.read_facts(settings))
    print(summary(unit))
    sys.stdout.write(plan.describe(the_plan))
    try:
        for line in write_preview(the_plan, args.root):
            print(safety.printable(line))
    except (OSError, hostfs.HostFileError, OutsideRoot) as error:
        print("cannot write the preview under {}: {}".format(
            safety.printable(args.root), error), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str,
               help_text: str) -> None:
    preview = commands.add_parser(
        name, help=help_text,
        description="Check a unit, print the plan and write every file the deploy would "
                    "write below DIR, same bytes and modes. Nothing outside DIR is touched.")
    preview.add_argument("unit", metavar="UNIT", help="otopi config file with the unit")
    preview.add_argument("--root", metavar="DIR", default="./he-preview",
                         help="directory to write the files below (default: ./he-preview)")
    preview.set_defaults(func=cmd_preview)
