"""otopi's typed values (KEY=type:value) and config files, read and written as otopi does."""

import configparser
from typing import Dict, List, Tuple

from . import envkeys
from .unit import DeployUnit, InvalidUnit, Problem, ValidUnit

WIRE_TYPES = ("none", "bool", "int", "str", "multi-str")
FALSE_WORDS = ("f", "F", "false", "False")

# Sections in the order otopi applies them; later ones win over earlier ones.
SECTIONS = ("environment:default", "environment:init", "environment:override",
            "environment:enforce")
DEFAULT_SECTION = SECTIONS[0]

_FIX_SYNTAX = ("write KEY=type:value with type one of {} (e.g. HOSTED_ENGINE_CONFIG/host_id="
               "str:2) under an [environment:default] section.".format(", ".join(WIRE_TYPES)))


def _shown(key: str, text: str) -> str:
    """A value as an error may show it. 'password str:x' (blank for '=') reaches us as the
    key 'password str', so the first word of the key decides whether it is a secret."""
    words = key.split()
    return "(hidden)" if words and words[0] in envkeys.SECRET_ENV_KEYS else ascii(text)


def parse_typed(key: str, text: str) -> object:
    """A typed value as otopi parses it; ValueError naming the key otherwise."""
    wire_type, separator, value = text.partition(":")
    if not separator or wire_type not in WIRE_TYPES:
        raise ValueError("{}: value {} has no otopi type ({}).".format(
            key, _shown(key, text),
            "missing 'type:'" if not separator else "unknown type {}".format(
                ascii(wire_type))))
    if wire_type == "none":
        return None
    if wire_type == "bool":
        return value not in FALSE_WORDS
    if wire_type == "int":
        try:
            return int(value)
        except ValueError:
            raise ValueError("{}: value {} is not an int.".format(
                key, _shown(key, value))) from None
    if wire_type == "multi-str":
        return value.splitlines()
    return value


def format_typed(value: object) -> str:
    """type:value for a wire value (None, bool, int, str)."""
    if value is None:
        return "none:"
    if isinstance(value, bool):
        return "bool:{}".format(value)
    if isinstance(value, int):
        return "int:{}".format(value)
    if isinstance(value, str):
        return "str:{}".format(value)
    raise TypeError("no otopi wire type for {}".format(type(value).__name__))


def parse_config_text(text: str, source: str = "<config>") -> Dict[str, object]:
    """The environment an otopi config file sets, sections applied in otopi's order."""
    parser = configparser.RawConfigParser(strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text, source=source)
    except configparser.DuplicateOptionError as error:
        raise InvalidUnit([Problem(error.option, "is set twice in section [{}] of {} "
                                   "(line {}).".format(error.section, source, error.lineno),
                                   "keep one line for the key.")]) from None
    except configparser.Error as error:
        raise InvalidUnit([Problem(source, "is not an otopi config file: {}.".format(
            str(error).splitlines()[0].rstrip(".")), _FIX_SYNTAX)]) from None
    sections = [name for name in parser.sections() if name in SECTIONS]
    if not sections:
        raise InvalidUnit([Problem(source, "has no [environment:default] (or :init, :override,"
                                   " :enforce) section, so otopi would read nothing from it.",
                                   _FIX_SYNTAX)])
    environment: Dict[str, object] = {}
    problems: List[Problem] = []
    for section in SECTIONS:
        if not parser.has_section(section):
            continue
        for key, text_value in parser.items(section):
            try:
                environment[key] = parse_typed(key, text_value)
            except ValueError as error:
                problems.append(Problem(key, str(error).split(": ", 1)[1], _FIX_SYNTAX))
    if problems:
        raise InvalidUnit(problems)
    return environment


def load_unit(path: str) -> DeployUnit:
    """The deploy unit in an otopi config file."""
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
        text = stream.read()
    return DeployUnit.from_environment(parse_config_text(text, source=path))


def format_unit(unit: ValidUnit, extra: Tuple[Tuple[str, object], ...] = ()) -> str:
    """An otopi config file ([environment:default]) that carries a checked unit."""
    lines = ["# Hosted Engine deploy unit for otopi, written by ovirt-he-deploy.",
             "# It may hold the iSCSI CHAP password: keep it mode 0600.",
             "[environment:default]",
             "{}={}".format(envkeys.ACTION.name, format_typed(unit.action))]
    lines.extend("{}={}".format(envkeys.config_key(key), format_typed(value))
                 for key, value in unit.entries)
    lines.extend("{}={}".format(key, format_typed(value)) for key, value in extra)
    return "\n".join(lines) + "\n"
