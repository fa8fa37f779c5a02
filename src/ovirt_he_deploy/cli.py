"""The ovirt-he-deploy command line: the parser, and check. Every other command's module is
imported only when that command runs, so `check` pays for nothing else."""

import argparse
import os
import sys
from typing import List, Optional, TextIO

from . import __version__, confkeys, envkeys, otopiconf, safety, validation
from .unit import InvalidUnit, ValidUnit

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


STDIN = "-"


def read_bytes(path: str) -> bytes:
    """A file's bytes; '-' is standard input."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    with open(path, "rb") as stream:
        return stream.read()


def source_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def load_checked(path: str, out: TextIO) -> Optional[ValidUnit]:
    """The checked unit in an otopi config file, or None after printing every problem."""
    try:
        unit = otopiconf.unit_from_bytes(read_bytes(path), source_name(path))
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


def report(unit: ValidUnit, out: TextIO) -> None:
    for warning in unit.warnings:
        print("warning: {}".format(warning), file=out)
    for note in unit.notes:
        print("note: {}".format(note), file=out)


def cmd_check(args: argparse.Namespace) -> int:
    unit = load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    report(unit, sys.stderr)
    print(summary(unit))
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from . import preview
    return preview.cmd_preview(args)


def cmd_answer_file(args: argparse.Namespace) -> int:
    from . import answerfile
    return answerfile.cmd_answer_file(args)


def host_id_arg(text: str) -> int:
    """argparse type for --host-id: a host id the HA agent accepts."""
    if not safety.is_digits(text) or \
            not confkeys.HOST_ID_MIN <= int(text) <= confkeys.HOST_ID_MAX:
        raise argparse.ArgumentTypeError("host id must be a number from {} to {}".format(
            confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX))
    return int(text)


def build_parser(argv: Optional[List[str]] = None) -> argparse.ArgumentParser:
    """The command line; given the arguments to parse, only what they ask for is imported
    (without, every command is complete: for tests and --help of a subcommand)."""
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

    wanted = _command_word(argv) if argv is not None else None
    if argv is None or wanted == "host":
        from . import hostcmd  # imported here: hostcmd imports this module
        hostcmd.add_parser(commands)
    else:
        commands.add_parser("host", help=HOST_HELP, add_help=False)
    if argv is None or wanted == "engine":
        try:
            from .engine import cli as engine_cli
        except ImportError:
            engine_cli = None  # type: ignore[assignment]
        if engine_cli is not None:
            engine_cli.add_parser(commands)
    elif engine_installed():
        commands.add_parser("engine", help=ENGINE_HELP, add_help=False)
    return parser


# What `host` and `engine` say in the command list. Their modules (subprocess, the engine
# side's HTTP and TLS) cost more to import than `check` itself, so they are imported only
# when their command is run or asked about.
HOST_HELP = "deploy or remove Hosted Engine on this host with otopi"
ENGINE_HELP = "deploy, undeploy and inspect Hosted Engine hosts through the engine"


def engine_installed() -> bool:
    """Whether the engine side is installed (the -engine RPM), without importing it."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.isfile(os.path.join(here, "engine", "__init__.py"))


def _command_word(argv: List[str]) -> Optional[str]:
    """The subcommand an argument list asks for (its first word that is not an option)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
