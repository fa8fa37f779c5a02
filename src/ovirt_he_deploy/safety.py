"""Which keys and values hosted-engine.conf can carry safely for all four of its readers.

The HA Python reader strips blanks and keeps quotes, `hosted-engine` sources the file
with bash as root, the liveliness check uses the regex ``^([^=]+)=(.*)$`` without
stripping, and everything is read with the locale encoding. A value is refused when bash
would run something or stop reading the file, or when the readers would split or decode it
differently; a value that only bash reads differently (quotes, backslashes, ``$NAME``, a
leading ``~``) is accepted, and the caller decides whether bash's reading matters.

Evidence (commits of the mirrors this was checked against):
ovirt-hosted-engine-setup af825aac21 ``src/bin/hosted-engine.in``: line 1 ``#!/bin/sh``
(bash on Enterprise Linux, run in POSIX mode), line 27 ``source`` of the file, no ``set``
options; ovirt-hosted-engine-ha 9d39eb07c0 ``env/config_file.py`` lines 50-55.
"""

import re

from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import FrozenSet, Optional, Tuple

# Characters bash interprets inside an unquoted assignment word or right after it:
# expansion ($ `), quoting and escaping (' " \), command separators and pipes (; & |),
# redirections (< >), subshells and arrays (( )), and tilde expansion (~).
SHELL_SPECIAL = frozenset("$`\\'\";&|<>()~")  # type: FrozenSet[str]

KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DIGITS_PATTERN = re.compile(r"[0-9]+")
NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
SPECIAL_PARAMETERS = frozenset("0123456789@*#?$!-")
OPERATORS = frozenset(";&|()<>")
# Fast paths (most values): printable ASCII without outer blanks; nothing bash reads specially.
PLAIN_VALUE = re.compile(r"(?:[!-~](?:[ -~]*[!-~])?)?")
NOTHING_FOR_BASH = re.compile(r"[^$`\\'\"\s;&|<>()~]*")

_CONTROL_NAMES = {"\n": "LF", "\r": "CR", "\t": "TAB", "\x00": "NUL", "\x1b": "ESC",
                  "\x7f": "DEL"}


def is_digits(text):
    # type: (str) -> bool
    """True for one or more ASCII digits only (str.isdigit also takes other scripts' digits)."""
    return DIGITS_PATTERN.fullmatch(text) is not None


def printable(text):
    # type: (str) -> str
    """Text safe for a terminal or a log: every non-printable character as an escape.

    Keys, paths and values can hold ESC, CR or bidi controls; echoed raw they would move
    the cursor, rewrite the line or hide text. Printable text (non-ASCII letters too) stays.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)


def describe_char(char):
    # type: (str) -> str
    """A readable name for one character, safe to print."""
    if char in _CONTROL_NAMES:
        return "{} ({})".format(ascii(char), _CONTROL_NAMES[char])
    if char == " ":
        return "a space"
    return ascii(char)


def unsafe_char(value, allowed=frozenset()):
    # type: (str, FrozenSet[str]) -> Optional[str]
    """The strict rule: printable ASCII without blanks or shell characters, or why not.

    Used for keys; values go through value_problem and bash_reading instead.
    """
    for char in value:
        if char in allowed:
            continue
        code = ord(char)
        if code < 32 or code == 127:
            return "contains the control character {}".format(describe_char(char))
        if code > 127:
            return "contains the non-ASCII character {}".format(describe_char(char))
        if char == " ":
            return "contains a space"
        if char in SHELL_SPECIAL:
            return "contains the shell character {}".format(describe_char(char))
    return None


def value_problem(value):
    # type: (str) -> Optional[str]
    """Why the readers would split, strip or decode a value differently, or None.

    - control characters: CR ends a line for HA (text mode, config_file.py:50-51) but not
      for bash; VT, FF and FS..RS end a line for the liveliness check (str.splitlines,
      check_liveliness.py:203); TAB and LF split the line for bash; the others are
      terminal escapes wherever the file is shown (cat, --get-shared-config, logs).
    - non-ASCII: HA opens the file with the locale's encoding (config_file.py:50) and
      catches only OSError/IOError (:57), so an undecodable byte stops the agent.
    - a leading or trailing blank: HA strips it (config_file.py:55), bash does not.
    """
    if PLAIN_VALUE.fullmatch(value):
        return None
    for char in value:
        code = ord(char)
        if code < 32 or code == 127:
            return "contains the control character {}".format(describe_char(char))
        if code > 127:
            return "contains the non-ASCII character {}".format(describe_char(char))
    if value != value.strip():
        return "starts or ends with a blank, which ovirt-ha-agent strips and bash does not"
    return None


class BashReading(Record):
    """What `source` does with the line key=VALUE: refuses (runs or stops), or differs."""

    __slots__ = ("refused", "differs")

    def __init__(self, refused=None, differs=None):
        # type: (Optional[str], Optional[str]) -> None
        self.refused = refused
        self.differs = differs


_UNBALANCED = ("an unbalanced {} quote: bash reads the following lines of the file into "
               "this value, or stops with a syntax error")
_SUBSTITUTION = "{}: bash runs or evaluates it (command, arithmetic or parameter expansion)"


class _Scanner(object):
    """Follows bash's quoting through one assignment value (no LF, printable ASCII)."""

    def __init__(self, value, redirect_pairs):
        # type: (str, bool) -> None
        self.value = value
        self.redirect_pairs = redirect_pairs
        self.differs = None  # type: Optional[str]

    def _differ(self, why):
        # type: (str) -> None
        if self.differs is None:
            self.differs = why

    def _expansion(self, index):
        # type: (int) -> Optional[str]
        """A refusal for '$' at index when it starts $( ${ $[, else None."""
        following = self.value[index + 1:index + 2]
        if following in ("(", "{", "["):
            return _SUBSTITUTION.format("'$" + following + "'")
        if following and (following in NAME_START or following in SPECIAL_PARAMETERS):
            self._differ("'$' expands a shell variable")
        return None

    def _double(self, index):
        # type: (int) -> Tuple[int, Optional[str]]
        """Scan a double-quoted part from just after its quote: (end, refusal)."""
        value = self.value
        while index < len(value):
            char = value[index]
            if char == '"':
                return index + 1, None
            if char == "\\":
                index += 2
                continue
            if char == "`":
                return index, _SUBSTITUTION.format("a backquote")
            if char == "$":
                refused = self._expansion(index)
                if refused:
                    return index, refused
            index += 1
        return index, _UNBALANCED.format("double")

    def scan(self):
        # type: () -> BashReading
        value = self.value
        index = 0
        tilde_here = True  # start of the value, after an unquoted ':' or a redirection
        while index < len(value):
            char = value[index]
            at_tilde, tilde_here = tilde_here, False
            if char == "'":
                end = value.find("'", index + 1)
                if end < 0:
                    return BashReading(refused=_UNBALANCED.format("single"))
                self._differ("bash removes the quotes")
                index = end + 1
            elif char == '"':
                self._differ("bash removes the quotes")
                index, refused = self._double(index + 1)
                if refused:
                    return BashReading(refused=refused)
            elif char == "\\":
                if index + 1 == len(value):
                    return BashReading(refused="a trailing backslash: bash joins the next "
                                               "line of the file to this value")
                self._differ("bash removes the backslash")
                index += 2
            elif char == "`":
                return BashReading(refused=_SUBSTITUTION.format("a backquote"))
            elif char == "$":
                following = value[index + 1:index + 2]
                if following in ("'", '"'):
                    self._differ("bash reads $'...' and $\"...\" as its own quoting")
                    index, refused = (self._ansi_c(index + 2) if following == "'"
                                      else self._double(index + 2))
                    if refused:
                        return BashReading(refused=refused)
                    continue
                refused = self._expansion(index)
                if refused:
                    return BashReading(refused=refused)
                index += 1
            elif char == " ":
                return BashReading(refused="an unquoted blank: bash runs the rest of the "
                                           "line as a command")
            elif self.redirect_pairs and value.startswith("<>", index):
                following = value[index + 2:index + 3]
                if not following or following in OPERATORS or following == " ":
                    return BashReading(refused="'<>' without a file name after it: bash "
                                               "stops with a syntax error")
                self._differ("bash reads '<>' as a redirection that opens a file named "
                             "after the address")
                index += 2
                tilde_here = True
            elif char in OPERATORS:
                return BashReading(refused="the unquoted shell operator {}: bash runs a "
                                           "command, redirects or stops with a syntax "
                                           "error".format(ascii(char)))
            else:
                if char == "~" and at_tilde:
                    self._differ("bash expands a leading '~' to a home directory")
                tilde_here = char == ":"
                index += 1
        return BashReading(differs=self.differs)

    def _ansi_c(self, index):
        # type: (int) -> Tuple[int, Optional[str]]
        """Scan $'...' from just after its quote: a backslash escapes any character."""
        value = self.value
        while index < len(value):
            if value[index] == "\\":
                index += 2
                continue
            if value[index] == "'":
                return index + 1, None
            index += 1
        return index, _UNBALANCED.format("$'")


def bash_reading(value, redirect_pairs=False):
    # type: (str, bool) -> BashReading
    """How `source` reads the line key=VALUE, for a value that passed value_problem.

    refused: bash would run something, redirect, or stop reading or join lines, so the
    rest of the file is not what it says. differs: bash only reads another value than the
    other readers (quotes or backslashes removed, $NAME or a leading ~ expanded); nothing
    runs and every other line still reads back exactly. redirect_pairs allows '<>' (the
    separator of iscsi_paths_blacklist), which bash reads as a harmless redirection.
    """
    if NOTHING_FOR_BASH.fullmatch(value):
        return BashReading()
    return _Scanner(value, redirect_pairs).scan()


def key_problem(key):
    # type: (str) -> Optional[str]
    """Why a key cannot be a hosted-engine.conf key, or None."""
    if key == "":
        return "is empty"
    # fullmatch: with match, '$' also matches before a trailing LF, so 'host_id\n' passed.
    if KEY_PATTERN.fullmatch(key):
        if not any(char.islower() for char in key):
            # Environment-style names: bash or the hosted-engine script give many of them a
            # meaning (PATH, IFS, UID read-only, BASH_ENV, '_'), so `source` would not read
            # them back or would change what the script runs (IFS splits the unquoted
            # ${VDSMHELPER} and ${vmid}, hosted-engine.in:185). Every HA key has a lower
            # case letter.
            return "has no lower case letter, like the shell's own variables (PATH, IFS, UID, _)"
        return None
    reason = unsafe_char(key)
    if reason:
        return reason
    return "is not a shell identifier (letters, digits and '_', not starting with a digit)"
