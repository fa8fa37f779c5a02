"""Which keys and values hosted-engine.conf can carry safely for all four of its readers.

The HA Python reader strips blanks and keeps quotes, `hosted-engine` sources the file
with bash as root, the liveliness check uses the regex ``^([^=]+)=(.*)$`` without
stripping, and everything is read with the locale encoding. The only values all four read
back identically, and that bash cannot turn into a command, are printable ASCII without
blanks and without the shell characters below.
"""

import re
from typing import FrozenSet, Optional

# Characters bash interprets inside an unquoted assignment word or right after it:
# expansion ($ `), quoting and escaping (' " \), command separators and pipes (; & |),
# redirections (< >), subshells and arrays (( )), and tilde expansion (~).
SHELL_SPECIAL: FrozenSet[str] = frozenset("$`\\'\";&|<>()~")

KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DIGITS_PATTERN = re.compile(r"[0-9]+")

_CONTROL_NAMES = {"\n": "LF", "\r": "CR", "\t": "TAB", "\x00": "NUL"}


def is_digits(text: str) -> bool:
    """True for one or more ASCII digits only (str.isdigit also takes other scripts' digits)."""
    return DIGITS_PATTERN.fullmatch(text) is not None


def describe_char(char: str) -> str:
    """A readable name for one character, safe to print."""
    if char in _CONTROL_NAMES:
        return "{} ({})".format(ascii(char), _CONTROL_NAMES[char])
    if char == " ":
        return "a space"
    return ascii(char)


def unsafe_char(value: str, allowed: FrozenSet[str] = frozenset()) -> Optional[str]:
    """Why a value cannot be written safely, or None when it can."""
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


def key_problem(key: str) -> Optional[str]:
    """Why a key cannot be a hosted-engine.conf key, or None."""
    if key == "":
        return "is empty"
    # fullmatch: with match, '$' also matches before a trailing LF, so 'host_id\n' passed.
    if KEY_PATTERN.fullmatch(key):
        if not any(char.islower() for char in key):
            # Environment-style names: bash or the hosted-engine script give many of them a
            # meaning (PATH, IFS, UID read-only, BASH_ENV, '_'), so `source` would not read
            # them back or would change what the script runs. Every HA key has a lower case
            # letter.
            return "has no lower case letter, like the shell's own variables (PATH, IFS, UID, _)"
        return None
    reason = unsafe_char(key)
    if reason:
        return reason
    return "is not a shell identifier (letters, digits and '_', not starting with a digit)"
