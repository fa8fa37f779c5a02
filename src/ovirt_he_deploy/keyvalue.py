"""key=value files as ovirt-hosted-engine-ha reads them (hosted-engine.conf, ha.conf)."""

from typing import Dict, List, Tuple


def parse(text: str) -> Dict[str, str]:
    """Values as the HA ConfigFile reader sees them: first '=', strip, last wins."""
    values: Dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def update(text: str, changes: Dict[str, str]) -> str:
    """Set keys in key=value text, keeping every other line (comments, junk) as it was.

    Each changed key ends up on exactly one line, where it first appeared (or appended),
    so a stale duplicate can never win under the reader's last-one-wins rule.
    """
    lines: List[str] = text.splitlines()
    out: List[str] = []
    written: Dict[str, bool] = {}
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


def _key_of(line: str) -> str:
    if line.strip().startswith("#") or "=" not in line:
        return ""
    return line.partition("=")[0].strip()


def junk_lines(text: str) -> List[Tuple[int, str]]:
    """Lines the HA reader ignores silently (no '=', not a comment, not blank)."""
    return [(number, line) for number, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith("#") and "=" not in line]
