"""The ovirt-he-deploy command line: check, preview and build deploy units without a host."""

import argparse
import os
import sys
from typing import List, Optional, TextIO, Tuple

from . import __version__, confkeys, envkeys, hostfs, keyvalue, otopiconf, plan, safety, validation
from .unit import DeployUnit, InvalidUnit, ValidUnit

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


STDIN = "-"


def _read_bytes(path: str) -> bytes:
    """A file's bytes; '-' is standard input."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    with open(path, "rb") as stream:
        return stream.read()


def _source_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def _load_checked(path: str, out: TextIO) -> Optional[ValidUnit]:
    """The checked unit in an otopi config file, or None after printing every problem."""
    try:
        unit = otopiconf.unit_from_bytes(_read_bytes(path), _source_name(path))
        return validation.check(unit)
    except InvalidUnit as error:
        print(str(error), file=out)
    except OSError as error:
        print("cannot read {}: {}".format(safety.printable(path), error.strerror or error),
              file=out)
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
    unit = _load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    _report(unit, sys.stderr)
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


def write_private(path: str, text: str) -> None:
    """Create or replace a file readable by its owner only (it may hold a password).

    The directory must exist: a typo in -o must not grow a directory tree (as root).
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise hostfs.HostFileError(
            "the directory {} {}; ovirt-he-deploy creates no directories. Create it first, "
            "or choose another -o path.".format(safety.printable(directory),
                                                _why_no_directory(directory)))
    staged = hostfs.StagedFile(os.path.abspath(path), text.encode("ascii"), "", "", 0o600,
                               chown=False)
    if staged.prepare():
        staged.commit()


def _why_no_directory(directory: str) -> str:
    if os.path.lexists(directory):
        return "is not a directory"
    missing = directory
    while not os.path.lexists(os.path.dirname(missing)) and \
            os.path.dirname(missing) != missing:
        missing = os.path.dirname(missing)
    if missing == directory:
        return "does not exist"
    return "does not exist ({} is missing)".format(safety.printable(missing))


def build_answer_file(conf_text: str, host_id: int, source: str = "hosted-engine.conf"
                      ) -> ValidUnit:
    """The deploy unit for a new host from a running HE host's hosted-engine.conf."""
    if otopiconf.looks_like_unit(conf_text):
        raise otopiconf.WrongFile(
            source, "is a deploy unit (an otopi config file), not a hosted-engine.conf.",
            "check it with: ovirt-he-deploy check {}".format(safety.printable(source)))
    values = keyvalue.parse(conf_text)
    values["host_id"] = str(host_id)
    unit = DeployUnit(action=envkeys.ACTION_DEPLOY, config=tuple(values.items()))
    return validation.check(unit)


def read_conf(path: str) -> str:
    """A hosted-engine.conf's text; WrongFile (one line) for a binary or BOM file."""
    data = _read_bytes(path)
    problem = otopiconf.text_problem(data)
    if problem and "UTF-8" not in problem:
        raise otopiconf.WrongFile(
            _source_name(path), problem + ".",
            "give a copy of /etc/ovirt-hosted-engine/hosted-engine.conf from a host that runs "
            "the engine VM" + ("" if "byte order" not in problem else ", saved without a BOM")
            + ".")
    # Undecodable bytes stay visible (as surrogates) so the value checks name them.
    return data.decode("ascii", errors="surrogateescape")


def _answer_mode(args: argparse.Namespace) -> None:
    """Usage errors (exit 2) for option mixes that make no unit."""
    if args.remove:
        given = [name for name, value in (("--from-conf", args.from_conf),
                                          ("--host-id", args.host_id)) if value is not None]
        if given:
            args.usage_error("--remove builds a remove unit from nothing; drop {}.".format(
                " and ".join(given)))
        return
    if args.from_conf is None:
        args.usage_error("give --from-conf FILE --host-id N for a deploy unit, or --remove "
                         "for a remove unit.")
    if args.host_id is None:
        args.usage_error("--from-conf needs --host-id N (the new host's vds_spm_id).")


def cmd_answer_file(args: argparse.Namespace) -> int:
    _answer_mode(args)
    if args.remove:
        unit = ValidUnit(action=envkeys.ACTION_REMOVE)
    else:
        try:
            conf_text = read_conf(args.from_conf)
            unit = build_answer_file(conf_text, args.host_id, _source_name(args.from_conf))
        except OSError as error:
            print("cannot read {}: {}".format(safety.printable(args.from_conf),
                                              error.strerror or error), file=sys.stderr)
            return EXIT_INVALID
        except InvalidUnit as error:
            print(str(error), file=sys.stderr)
            return EXIT_INVALID
    _report(unit, sys.stderr)
    try:
        emit_unit(unit, args.output)
    except (OSError, hostfs.HostFileError) as error:
        print("cannot write {}: {}".format(safety.printable(str(args.output)), error),
              file=sys.stderr)
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
    print("wrote {} (mode 0600): {}".format(safety.printable(str(output)), summary(unit)))


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
    check.add_argument("unit", metavar="UNIT",
                       help="otopi config file with the unit; - reads standard input")
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
        "answer-file", help="build a deploy unit from a running host's hosted-engine.conf, "
                            "or a remove unit",
        description="Build a deploy unit (otopi config file, mode 0600) from the "
                    "hosted-engine.conf of a host running the engine VM, with a new host_id; "
                    "or, with --remove, a unit that removes Hosted Engine from a host.")
    answer.add_argument("--from-conf", metavar="FILE",
                        help="hosted-engine.conf copied from an existing HE host (- reads "
                             "standard input)")
    answer.add_argument("--host-id", metavar="N", type=host_id_arg,
                        help="the new host's vds_spm_id")
    answer.add_argument("--remove", action="store_true",
                        help="build a remove unit (HOSTED_ENGINE/action=str:remove) instead")
    answer.add_argument("-o", "--output", metavar="OUT",
                        help="file to write, in an existing directory (default: standard "
                             "output)")
    answer.set_defaults(func=cmd_answer_file, usage_error=answer.error)

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
