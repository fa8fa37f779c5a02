"""ovirt-he-deploy check: every problem of a deploy unit, or one line saying what it does."""

import argparse
import sys

from .clicommon import EXIT_INVALID, EXIT_OK, load_checked, report, summary


def cmd_check(args: argparse.Namespace) -> int:
    unit = load_checked(args.unit, sys.stderr)
    if unit is None:
        return EXIT_INVALID
    report(unit, sys.stderr)
    print(summary(unit))
    return EXIT_OK


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str,
               help_text: str) -> None:
    check = commands.add_parser(name, help=help_text,
                                description="Check a deploy unit and print every problem, "
                                            "or a one-line summary of a valid unit.")
    check.add_argument("unit", metavar="UNIT",
                       help="otopi config file with the unit; - reads standard input")
    check.set_defaults(func=cmd_check)
