"""The ovirt-he-deploy command line: the parser, built from one module per command.

A command's module is imported only when that command runs or is asked about, so `check`
pays for nothing else. No module imports this one: what the commands share is in clicommon.
"""

import argparse
import importlib
import os
import sys
from typing import List, Optional

from . import __version__

# Each command: its name, the module (in this package) whose add_parser(commands, name,
# help) adds it, and the line the command list shows. The list is built from this table
# without importing the modules: the engine side's HTTP and TLS, otopi runs, host files
# and jinja2 cost more to import than `check` itself.
COMMANDS = (
    ("check", "checkcmd", "check a deploy unit (an otopi config file)"),
    ("preview", "preview", "show and write below a directory what a deploy would do"),
    ("answer-file", "answerfile",
     "build a deploy unit from a running host's hosted-engine.conf, or a remove unit"),
    ("host", "hostcmd",
     "deploy or remove Hosted Engine on this host with otopi, or try it in a sandbox"),
    ("engine", "engine.cli",
     "deploy, undeploy and inspect Hosted Engine hosts through the engine"),
)
# Commands in a subpackage another RPM ships (ovirt-he-deploy-engine): listed only where
# installed.
OPTIONAL_PACKAGES = {"engine": "engine"}


def installed(name: str) -> bool:
    """Whether a command's code is installed, without importing it."""
    package = OPTIONAL_PACKAGES.get(name)
    if package is None:
        return True
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.isfile(os.path.join(here, package, "__init__.py"))


def build_parser(argv: Optional[List[str]] = None) -> argparse.ArgumentParser:
    """The command line; given the arguments to parse, only the command they ask for is
    imported (without, every command is complete: for tests and --help of a subcommand)."""
    parser = argparse.ArgumentParser(
        prog="ovirt-he-deploy",
        description="Check, preview and build oVirt Hosted Engine deploy units, and drive "
                    "Hosted Engine hosts through the engine.")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    wanted = _command_word(argv) if argv is not None else None
    for name, module_name, help_text in COMMANDS:
        if not installed(name):
            continue
        if argv is not None and name != wanted:
            commands.add_parser(name, help=help_text, add_help=False)
            continue
        try:
            module = importlib.import_module("." + module_name, __package__)
        except ImportError:
            if name in OPTIONAL_PACKAGES:
                continue  # half installed: argparse names the valid commands
            raise
        module.add_parser(commands, name, help_text)
    return parser


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
