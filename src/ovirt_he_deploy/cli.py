"""The ovirt-he-deploy command line: check, preview and build deploy units without a host."""

import argparse
import os
import sys
from typing import List, Optional, TextIO

from . import __version__, confkeys, envkeys, hostfs, keyvalue, otopiconf, plan, safety, validation
from .unit import DeployUnit, InvalidUnit, ValidUnit

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _load_checked(path: str, out: TextIO) -> Optional[ValidUnit]:
    """The checked unit in an otopi config file, or None after printing every problem."""
    try:
        unit = otopiconf.load_unit(path)
        return validation.check(unit)
    except InvalidUnit as error:
        print(str(error), file=out)
    except OSError as error:
        print("cannot read {}: {}".format(path, error.strerror or error), file=out)
    return None


def summary(unit: ValidUnit) -> str:
    """One line that says what a valid unit does."""
    if unit.action != envkeys.ACTION_DEPLOY:
        return "valid: action {}".format(unit.action)
    extra = ""
    if unit.unknown_keys:
        extra = ", unknown keys kept: {}".format(" ".join(unit.unknown_keys))
    return "valid: action deploy, host_id {}, domainType {}, {} keys{}".format(
        unit.host_id, unit.domain_type, len(unit.entries), extra)


def _report(unit: ValidUnit, out: TextIO) -> None:
    for warning in unit.warnings:
        print("warning: {}".format(warning), file=out)
    for note in unit.notes:
        print("note: {}".format(note), file=out)


def cmd_check(args: argparse.Namespace) -> int:
    unit = _load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    _report(unit, sys.stderr)
    print(summary(unit))
    return EXIT_OK


def _under(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


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
    os.makedirs(os.path.dirname(target), exist_ok=True)
    chown = _can_chown(owner, group)
    staged = hostfs.StagedFile(target, content, owner, group, mode, chown=chown)
    if staged.prepare():
        staged.commit()
    return "wrote {} (mode {:04o}, owner {}:{}{})".format(
        target, mode, owner, group, "" if chown else
        " on a host; not applied here: needs root and those accounts")


def write_preview(the_plan: plan.Plan, root: str) -> List[str]:
    """Write every file the plan writes, below root; return the lines that say what."""
    lines = [_preview_file(root, write.path, write.content, write.owner, write.group,
                           write.mode) for write in the_plan.writes]
    change = the_plan.maintenance
    if change is not None:
        content = change.apply("", change.on_commit).encode("ascii")
        lines.append(_preview_file(root, change.path, content, change.owner, change.group,
                                   change.mode))
    return lines


def cmd_preview(args: argparse.Namespace) -> int:
    if os.path.realpath(args.root) == "/":
        # A preview below / would be the deploy itself, without its checks and transaction.
        print("ovirt-he-deploy preview: --root {} is the host's own root; preview writes "
              "below a separate directory, e.g. --root ./he-preview".format(args.root),
              file=sys.stderr)
        return EXIT_USAGE
    unit = _load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    _report(unit, sys.stderr)
    settings = plan.HostSettings.from_environment({})
    the_plan = plan.build(unit, settings)
    print(summary(unit))
    sys.stdout.write(plan.describe(the_plan))
    try:
        for line in write_preview(the_plan, args.root):
            print(line)
    except (OSError, hostfs.HostFileError) as error:
        print("cannot write the preview under {}: {}".format(args.root, error), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def write_private(path: str, text: str) -> None:
    """Create or replace a file readable by its owner only (it may hold a password)."""
    directory = os.path.dirname(os.path.abspath(path))
    staged = hostfs.StagedFile(os.path.abspath(path), text.encode("ascii"), "", "", 0o600,
                               chown=False)
    os.makedirs(directory, exist_ok=True)
    if staged.prepare():
        staged.commit()


def build_answer_file(conf_text: str, host_id: int) -> ValidUnit:
    """The deploy unit for a new host from a running HE host's hosted-engine.conf."""
    values = keyvalue.parse(conf_text)
    values["host_id"] = str(host_id)
    unit = DeployUnit(action=envkeys.ACTION_DEPLOY, config=tuple(values.items()))
    return validation.check(unit)


def cmd_answer_file(args: argparse.Namespace) -> int:
    try:
        with open(args.from_conf, encoding="ascii", errors="surrogateescape") as stream:
            conf_text = stream.read()
    except OSError as error:
        print("cannot read {}: {}".format(args.from_conf, error.strerror or error),
              file=sys.stderr)
        return EXIT_INVALID
    try:
        unit = build_answer_file(conf_text, args.host_id)
    except InvalidUnit as error:
        print(str(error), file=sys.stderr)
        return EXIT_INVALID
    _report(unit, sys.stderr)
    try:
        emit_unit(unit, args.output)
    except (OSError, hostfs.HostFileError) as error:
        print("cannot write {}: {}".format(args.output, error), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def emit_unit(unit: ValidUnit, output: Optional[str]) -> None:
    """A deploy unit as an otopi config file: to OUTPUT (mode 0600), or to stdout for - / None."""
    text = otopiconf.format_unit(unit)
    if output in (None, "-"):
        if unit.get("password"):
            print("note: the unit on standard output holds the iSCSI CHAP password; "
                  "prefer -o FILE, which is created mode 0600.", file=sys.stderr)
        sys.stdout.write(text)
        return
    write_private(str(output), text)
    print("wrote {} (mode 0600): {}".format(output, summary(unit)))


def host_id_arg(text: str) -> int:
    """argparse type for --host-id: a host id the HA agent accepts."""
    if not safety.is_digits(text) or \
            not confkeys.HOST_ID_MIN <= int(text) <= confkeys.HOST_ID_MAX:
        raise argparse.ArgumentTypeError("host id must be a number from {} to {}".format(
            confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX))
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ovirt-he-deploy",
        description="Check, preview and build oVirt Hosted Engine deploy units, and drive "
                    "Hosted Engine hosts through the engine.")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="check a deploy unit (an otopi config file)",
                                description="Check a deploy unit and print every problem, "
                                            "or a one-line summary of a valid unit.")
    check.add_argument("unit", metavar="UNIT", help="otopi config file with the unit")
    check.set_defaults(func=cmd_check)

    preview = commands.add_parser(
        "preview", help="show and write below a directory what a deploy would do",
        description="Check a unit, print the plan and write every file the deploy would "
                    "write below DIR, same bytes and modes. Nothing outside DIR is touched.")
    preview.add_argument("unit", metavar="UNIT", help="otopi config file with the unit")
    preview.add_argument("--root", metavar="DIR", default="./he-preview",
                         help="directory to write the files below (default: ./he-preview)")
    preview.set_defaults(func=cmd_preview)

    answer = commands.add_parser(
        "answer-file", help="build a deploy unit from a running host's hosted-engine.conf",
        description="Build a deploy unit (otopi config file, mode 0600) from the "
                    "hosted-engine.conf of a host running the engine VM, with a new host_id.")
    answer.add_argument("--from-conf", metavar="FILE", required=True,
                        help="hosted-engine.conf copied from an existing HE host")
    answer.add_argument("--host-id", metavar="N", required=True, type=host_id_arg,
                        help="the new host's vds_spm_id")
    answer.add_argument("-o", "--output", metavar="OUT",
                        help="file to write (default: standard output)")
    answer.set_defaults(func=cmd_answer_file)

    from . import hostcmd  # imported here: hostcmd imports this module
    hostcmd.add_parser(commands)

    try:
        from .engine import cli as engine_cli
    except ImportError:
        engine_cli = None  # type: ignore[assignment]
    if engine_cli is not None:
        engine_cli.add_parser(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
