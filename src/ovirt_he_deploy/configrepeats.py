"""Hosted Engine keys and sections an otopi config file sets twice.

otopi reads such a file differently on each Python, so the unit a host gets would depend on
the host: otopi 1.8 on EL7's Python 2.7 keeps the last value; on Python 3.6-3.12 configparser
stops at the repeat and otopi fails its init; Python 3.13's configparser stops at the repeat
too but keeps what it read before it, so otopi goes on with the first value and without the
rest of the file. The group refuses such a file on every Python (customization.py, right
after otopi read its config files), as `check` does.

Python 2 and 3 syntax: the group imports this in STAGE_INIT of every run, action none
included, before it knows the action; if it cannot, only a run that carries keys of ours fails.
"""

import re

from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Tuple

# configparser's section header and option line (its SECTCRE and OPTCRE: the name ends at the
# first '=' or ':'); comment lines start with '#' or ';', continuation lines with a blank.
_SECTION = re.compile(r"\[(?P<name>.+)\]")
_OPTION = re.compile(r"(?P<name>.*?)\s*[=:]")
_OURS = ("HOSTED", "OVIRT_HE_DEPLOY")


class Repeat(object):
    """A key set twice in one section, or a section opened twice, in one file."""

    __slots__ = ("path", "key", "section", "first", "again")

    def __init__(self, path, key, section, first, again):
        # type: (str, Optional[str], str, int, int) -> None
        self.path = path
        self.key = key  # None: the section itself is repeated
        self.section = section
        self.first = first
        self.again = again

    def message(self):
        # type: () -> str
        if self.key is None:
            what = "opens section [{}] twice (lines {} and {})".format(
                self.section, self.first, self.again)
            fix = "merge the two [{}] sections into one".format(self.section)
        else:
            what = "sets {} twice in section [{}] (lines {} and {})".format(
                self.key, self.section, self.first, self.again)
            fix = "keep one line for {}".format(self.key)
        return (
            "Hosted Engine: the otopi config file {} {}. otopi reads such a file differently "
            "on each Python (2.7 keeps the last value, 3.6-3.12 stop the run, 3.13 keeps the "
            "first and ignores the rest of the file), so nothing was changed. Fix: {}."
        ).format(self.path, what, fix)


def _ours(name):
    # type: (str) -> bool
    return name.upper().startswith(_OURS)


def config_files(name, append, resolve):
    # type: (Optional[str], Optional[str], Callable[[str], str]) -> List[str]
    """The files otopi reads for CORE/configFileName and CORE/configFileAppend: each
    ':'-separated entry that exists, then its .d/*.conf, sorted (plugins/otopi/core/config.py)."""
    import glob
    import os

    files = []  # type: List[str]
    for value in (name, append):
        for entry in (value or "").split(":"):
            if not entry:
                continue
            path = resolve(entry)
            if os.path.isfile(path):
                files.append(path)
            files.extend(sorted(glob.glob(os.path.join(path + ".d", "*.conf"))))
    return files


def file_repeats(path):
    # type: (str) -> List[Repeat]
    """repeats() of one file; none for a file that never names a key of ours (read as bytes
    first: most host installs have no config file of ours at all) or cannot be read (otopi
    reported that itself)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except EnvironmentError:
        return []
    if not any(word.encode("ascii") in data.upper() for word in _OURS):
        return []
    return repeats(data.decode("utf-8", "replace"), path)


def repeats(text, path):
    # type: (str, str) -> List[Repeat]
    """Our keys set twice within one section, and sections holding our keys opened twice."""
    found = []  # type: List[Repeat]
    section_lines = {}  # type: Dict[str, List[int]]
    ours_in = set()  # sections holding one of our keys
    keys = {}  # type: Dict[Tuple[str, str], int]
    section = None  # type: Optional[str]
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0].isspace() and section is not None:
            continue  # a value's continuation line
        header = _SECTION.match(stripped)
        if header:
            section = header.group("name")
            section_lines.setdefault(section, []).append(number)
            keys = dict((k, v) for k, v in keys.items() if k[0] != section)
            continue
        option = _OPTION.match(stripped)
        if section is None or not option or not _ours(option.group("name")):
            continue
        key = option.group("name")
        ours_in.add(section)
        first = keys.setdefault((section, key), number)
        if first != number:
            found.append(Repeat(path, key, section, first, number))
    for name in sorted(ours_in):
        lines = section_lines[name]
        if len(lines) > 1:
            found.append(Repeat(path, None, name, lines[0], lines[1]))
    return sorted(found, key=lambda repeat: repeat.again)
