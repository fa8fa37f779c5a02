"""otopi's typed values (KEY=type:value) and config files, read and written as otopi does."""

import configparser
import re
from typing import Dict, List, Optional, Tuple

from . import confkeys, envkeys, keyvalue, safety
from .unit import DeployUnit, InvalidUnit, Problem, ValidUnit

WIRE_TYPES = ("none", "bool", "int", "str", "multi-str")
FALSE_WORDS = ("f", "F", "false", "False")

# Sections in the order otopi applies them; later ones win over earlier ones.
SECTIONS = ("environment:default", "environment:init", "environment:override",
            "environment:enforce")
DEFAULT_SECTION = SECTIONS[0]

_FIX_SYNTAX = ("write KEY=type:value with type one of {} (e.g. HOSTED_ENGINE_CONFIG/host_id="
               "str:2) under an [environment:default] section.".format(", ".join(WIRE_TYPES)))


SECTION_LINE = re.compile(r"^\s*\[[^\]]*\]\s*$", re.MULTILINE)
BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class WrongFile(InvalidUnit):
    """The file is not a deploy unit at all: one line says what it is and what to run."""

    def __init__(self, source: str, message: str, fix: str):
        super().__init__([Problem(safety.printable(source), message, fix)])
        self.line = "{}: {} Fix: {}".format(safety.printable(source), message, fix)

    def __str__(self) -> str:
        return self.line


def text_problem(data: bytes) -> Optional[str]:
    """Why bytes are no text file a reader of ours can take, or None.

    otopi reads its config files, and ovirt-ha-agent hosted-engine.conf, in the locale's
    encoding without skipping a byte order mark: the first line would not be what it says.
    """
    if data.startswith(BYTE_ORDER_MARKS):
        return ("starts with a byte order mark (BOM), which otopi and ovirt-ha-agent read "
                "as part of the first line")
    if b"\0" in data:
        return "is not a text file (it holds NUL bytes)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return "is not a text file (the byte at offset {} is not UTF-8)".format(error.start)
    return None


def _text_fix(problem: str) -> str:
    if "byte order mark" in problem:
        return "save the file without a BOM, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE."
    return "give the path of the text file meant."


def looks_like_conf(text: str) -> bool:
    """True for a hosted-engine.conf: key=value lines with HA keys, no section header."""
    if SECTION_LINE.search(text):
        return False
    return bool(set(keyvalue.parse(text)) & confkeys.KNOWN_KEYS)


def looks_like_unit(text: str) -> bool:
    """True for an otopi config file that carries (or tries to carry) a deploy unit."""
    return bool(SECTION_LINE.search(text)) or any(
        key.startswith((envkeys.CONFIG_PREFIX, envkeys.ACTION.name))
        for key in keyvalue.parse(text))


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
        raise InvalidUnit([Problem(safety.printable(error.option),
                                   "is set twice in section [{}] of {} (line {}).".format(
                                       safety.printable(error.section),
                                       safety.printable(source), error.lineno),
                                   "keep one line for the key.")]) from None
    except configparser.Error as error:
        raise InvalidUnit([Problem(safety.printable(source),
                                   "is not an otopi config file: {}.".format(safety.printable(
                                       str(error).splitlines()[0].rstrip("."))),
                                   _FIX_SYNTAX)]) from None
    sections = [name for name in parser.sections() if name in SECTIONS]
    if not sections:
        raise InvalidUnit([Problem(safety.printable(source),
                                   "has no [environment:default] (or :init, :override,"
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
                problems.append(Problem(safety.printable(key), str(error).split(": ", 1)[1],
                                        _FIX_SYNTAX))
    if problems:
        raise InvalidUnit(problems)
    return environment


def unit_from_bytes(data: bytes, source: str) -> DeployUnit:
    """The deploy unit in an otopi config file's bytes; WrongFile for another kind of file."""
    return unit_and_settings_from_bytes(data, source)[0]


def unit_and_settings_from_bytes(data: bytes,
                                 source: str) -> Tuple[DeployUnit, Dict[str, object]]:
    """The deploy unit in an otopi config file's bytes, and the OVIRT_HE_DEPLOY/ settings the
    file sets (the group reads them from the same file: confFile, serviceWaitSeconds, ...);
    WrongFile for another kind of file."""
    problem = text_problem(data)
    if problem:
        raise WrongFile(source, problem + ".", _text_fix(problem))
    text = data.decode("utf-8")
    if looks_like_conf(text):
        raise WrongFile(
            source, "is a hosted-engine.conf (key=value lines, no [environment:default] "
            "section), not a deploy unit.",
            "build a deploy unit from it: ovirt-he-deploy answer-file --from-conf {} "
            "--host-id N -o unit.conf, then check unit.conf.".format(safety.printable(source)))
    environment = parse_config_text(text, source=source)
    settings = {name: value for name, value in environment.items()
                if name.startswith(envkeys.OWN_PREFIX)}
    return DeployUnit.from_environment(environment), settings


def load_unit(path: str) -> DeployUnit:
    """The deploy unit in an otopi config file."""
    with open(path, "rb") as stream:
        data = stream.read()
    return unit_from_bytes(data, path)


def format_unit(unit: ValidUnit, extra: Tuple[Tuple[str, object], ...] = ()) -> str:
    """An otopi config file ([environment:default]) that carries a checked unit."""
    lines = ["# Hosted Engine {} unit for otopi, written by ovirt-he-deploy.".format(
        unit.action)]
    if unit.get("password") or unit.get("user"):
        lines.append("# It holds the iSCSI CHAP credentials: keep it mode 0600.")
    lines += ["[environment:default]",
             "{}={}".format(envkeys.ACTION.name, format_typed(unit.action))]
    lines.extend("{}={}".format(envkeys.config_key(key), format_typed(value))
                 for key, value in unit.entries)
    lines.extend("{}={}".format(key, format_typed(value)) for key, value in extra)
    return "\n".join(lines) + "\n"
