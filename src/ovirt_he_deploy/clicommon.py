"""What the ovirt-he-deploy commands share: exit codes, reading and reporting a unit.

It sits below every command's module and above the library; it imports no command module.
"""

import argparse
import sys
from typing import Dict, Optional, TextIO, Tuple

from . import confkeys, envkeys, otopiconf, safety, validation
from .unit import InvalidUnit, ValidUnit

EXIT_OK = 0
# A unit that is not valid, or a command that could not do its work (otopi's own status is
# passed through as it is by `host`: 0 success, 1 failure, 2 plugin loading failed).
EXIT_INVALID = 1
EXIT_FAILED = 1
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
    loaded = load_checked_with_settings(path, out)
    return loaded[0] if loaded else None


def checked_unit(data: bytes, source: str) -> Tuple[ValidUnit, Dict[str, object]]:
    """The checked unit in an otopi config file's bytes and the OVIRT_HE_DEPLOY/ settings it
    sets, checked as the group checks them in a run that acts; InvalidUnit otherwise."""
    raw, settings = otopiconf.unit_and_settings_from_bytes(data, source)
    unit = validation.check(raw)
    if unit.action != envkeys.ACTION_NONE:
        problems = validation.setting_problems(settings)
        if problems:
            raise InvalidUnit(problems)
    return unit, settings


def load_checked_with_settings(path: str, out: TextIO
                               ) -> Optional[Tuple[ValidUnit, Dict[str, object]]]:
    """checked_unit of an otopi config file, or None after printing every problem."""
    try:
        return checked_unit(read_bytes(path), source_name(path))
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


def host_id_arg(text: str) -> int:
    """argparse type for --host-id: a host id the HA agent accepts."""
    if not safety.is_digits(text) or \
            not confkeys.HOST_ID_MIN <= int(text) <= confkeys.HOST_ID_MAX:
        raise argparse.ArgumentTypeError("host id must be a number from {} to {}".format(
            confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX))
    return int(text)
