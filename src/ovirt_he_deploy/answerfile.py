"""ovirt-he-deploy answer-file: a deploy unit from a running host's conf, or a remove unit."""

import argparse
import os
import sys
from typing import Optional

from . import envkeys, hostfs, keyvalue, otopiconf, safety, validation
from .clicommon import (
    EXIT_INVALID,
    EXIT_OK,
    host_id_arg,
    read_bytes,
    report,
    source_name,
    summary,
)
from .unit import DeployUnit, InvalidUnit, ValidUnit


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
    data = read_bytes(path)
    problem = otopiconf.text_problem(data)
    if problem and "UTF-8" not in problem:
        raise otopiconf.WrongFile(
            source_name(path), problem + ".",
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
            unit = build_answer_file(conf_text, args.host_id, source_name(args.from_conf))
        except OSError as error:
            print("cannot read {}: {}".format(safety.printable(args.from_conf),
                                              error.strerror or error), file=sys.stderr)
            return EXIT_INVALID
        except InvalidUnit as error:
            print(str(error), file=sys.stderr)
            return EXIT_INVALID
    report(unit, sys.stderr)
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


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str,
               help_text: str) -> None:
    answer = commands.add_parser(
        name, help=help_text,
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
