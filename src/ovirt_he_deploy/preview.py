"""ovirt-he-deploy preview: the plan for this machine, and its files written below a root."""

import argparse
import os
import sys
from typing import List, Tuple

from . import hostfacts, hostfs, plan, rootdir, safety
from .clicommon import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    load_checked_with_settings,
    report,
    summary,
)


def _preview_file(root: str, path: str, content: bytes, owner: str, group: str,
                  mode: int) -> str:
    """Write one planned file below root, same bytes and mode; say what was written."""
    target = rootdir.under(root, path)
    rootdir.check_below_root(root, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    # Checked again now that the directories exist: nothing may have moved them outside.
    rootdir.check_below_root(root, path)
    chown = rootdir.can_chown(owner, group)
    staged = hostfs.StagedFile(target, content, owner, group, mode, chown=chown)
    if staged.prepare():
        staged.commit()
    return "wrote {} (mode {:04o}, {})".format(target, mode,
                                               rootdir.ownership(owner, group, chown))


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
        rootdir.check_below_root(root, path)
    return [_preview_file(root, *planned) for planned in files]


def planned_from(sources: Tuple[str, str, str]) -> str:
    """What the plan was made from on this machine: each file read, or found absent."""
    conf, ha_conf, ha_state_dir = sources
    read = [path for path in (conf, ha_conf) if os.path.lexists(path)]
    absent = [path for path in (conf, ha_conf) if not os.path.lexists(path)]
    what = []
    if read:
        what.append("it read {}".format(" and ".join(read)))
    if absent:
        what.append("found no {}".format(" and no ".join(absent)))
    what.append("{} {}".format(ha_state_dir, "exists" if os.path.isdir(ha_state_dir)
                               else "does not exist"))
    return ("Planned from this machine: {}; on another host the plan can differ (`host "
            "deploy --sandbox DIR` plans from a directory instead).".format(", ".join(what)))


def cmd_preview(args: argparse.Namespace) -> int:
    if rootdir.is_host_root(args.root):
        # A preview below / would be the deploy itself, without its checks and transaction.
        print("ovirt-he-deploy preview: --root {} is the host's own root; preview writes "
              "below a separate directory, e.g. --root ./he-preview".format(args.root),
              file=sys.stderr)
        return EXIT_USAGE
    loaded = load_checked_with_settings(args.unit, sys.stderr)
    if loaded is None:
        return EXIT_INVALID
    unit, unit_settings = loaded
    report(unit, sys.stderr)
    # The unit's own OVIRT_HE_DEPLOY/ settings (confFile, confOwner, ...), as the group reads
    # them from the same file.
    settings = plan.HostSettings.from_environment(unit_settings)
    # The plan for this machine as it is: a previous copy only where a conf exists, ha.conf
    # only where HA's state directory does.
    the_plan = plan.build(unit, settings, hostfacts.read_facts(settings))
    print(summary(unit))
    print(planned_from(hostfacts.sources(settings)))
    sys.stdout.write(plan.describe(the_plan))
    try:
        for line in write_preview(the_plan, args.root):
            print(safety.printable(line))
    except (OSError, hostfs.HostFileError, rootdir.OutsideRoot) as error:
        print("cannot write the preview under {}: {}".format(
            safety.printable(args.root), error), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str,
               help_text: str) -> None:
    preview = commands.add_parser(
        name, help=help_text,
        description="Check a unit, print the plan and write every file the deploy would "
                    "write below DIR, same bytes and modes. Nothing outside DIR is touched. "
                    "The plan is for this machine: it reads {} and {}, and whether {} exists "
                    "(`host deploy --sandbox DIR` plans from DIR instead).".format(
                        *hostfacts.sources(plan.HostSettings.from_environment({}))))
    preview.add_argument("unit", metavar="UNIT", help="otopi config file with the unit")
    preview.add_argument("--root", metavar="DIR", default="./he-preview",
                         help="directory to write the files below (default: ./he-preview)")
    preview.set_defaults(func=cmd_preview)
