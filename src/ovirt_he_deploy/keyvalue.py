"""key=value files as ovirt-hosted-engine-ha reads them (hosted-engine.conf, ha.conf)."""

import io

from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Dict, List


def lines_of(text):
    # type: (str) -> List[str]
    """Lines as a text-mode file yields them: split at LF, CR and CRLF only.

    str.splitlines also splits at form feed, vertical tab, U+0085 and others, which the
    HA reader keeps inside a value.
    """
    return [line[:-1] if line.endswith("\n") else line
            for line in io.StringIO(text, newline=None)]


def parse(text):
    # type: (str) -> Dict[str, str]
    """Values as the HA ConfigFile reader sees them: first '=', strip, last wins."""
    values = {}  # type: Dict[str, str]
    for line in lines_of(text):
        if line.strip().startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def update(text, changes):
    # type: (str, Dict[str, str]) -> str
    """Set keys in key=value text, keeping every other line (comments, junk) as it was.

    Each changed key ends up on exactly one line, where it first appeared (or appended),
    so a stale duplicate can never win under the reader's last-one-wins rule.
    """
    lines = lines_of(text)  # type: List[str]
    out = []  # type: List[str]
    written = {}  # type: Dict[str, bool]
    for line in lines:
        key = _key_of(line)
        if key in changes:
            if not written.get(key):
                out.append("{}={}".format(key, changes[key]))
                written[key] = True
            continue
        out.append(line)
    out.extend("{}={}".format(key, value) for key, value in changes.items()
               if not written.get(key))
    return "\n".join(out) + "\n"


def _key_of(line):
    # type: (str) -> str
    if line.strip().startswith("#") or "=" not in line:
        return ""
    return line.partition("=")[0].strip()
