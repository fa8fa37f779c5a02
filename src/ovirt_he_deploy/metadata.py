"""Freeing a host's slot in the shared Hosted Engine metadata when Hosted Engine is removed.

`hosted-engine --clean-metadata` runs the agent's own cleanup (`ovirt-ha-agent --cleanup`,
ovirt-hosted-engine-setup src/bin/hosted-engine.in cmd_clean_metadata): it needs this host's
agent stopped (so its slot says "stopped"), the broker running, hosted-engine.conf in place
(the script sources it) and vdsmd running (ovirt-hosted-engine-ha agent/hosted_engine.py
clean() checks it first): so a remove runs it in closeup, after ovirt-host-deploy has started
VDSM again. --force-cleanup overrides those safety checks and is never used here.
"""

import re

from . import plan
from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple

CLEAN_OPTION = "--clean-metadata"

# What the agent's clean() logs (ovirt-hosted-engine-ha agent/hosted_engine.py clean()): it
# exits 0 after each of these. agent.py _initialize_logging adds a stderr handler with the
# format LEVEL:LOGGER:MESSAGE (root level INFO), or logs to /dev/stdout in that same format
# when its log configuration cannot be read; agent.log gets everything too.
CLEANED = "Cleaning the metadata block!"
UNCLEAN = "Cannot clean unclean metadata block."
MISSING = "Metadata for current host missing."
WRONG_FORMAT = "Metadata block has wrong format"
_AGENT_LINE = re.compile(r"^(?P<level>[A-Z]+):ovirt_hosted_engine_ha\.agent\.hosted_engine\."
                         r"HostedEngine:(?P<message>.*)$")


class Outcome(Record):
    """Whether the slot was freed, and what the admin is told."""

    __slots__ = ("freed", "message")

    def __init__(self, freed, message):
        # type: (bool, str) -> None
        self.freed = freed
        self.message = message


def clean_command(command, host_id):
    # type: (str, str) -> Tuple[str, ...]
    """The command line that frees host_id's slot, with the safety checks on."""
    return (command, CLEAN_OPTION, "--host-id={}".format(host_id))


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(char):
    # type: (str) -> str
    if char in _ESCAPES:
        return _ESCAPES[char]
    if " " <= char <= "~":
        return char
    code = ord(char)
    return ("\\x{:02x}" if code <= 0xff else "\\u{:04x}" if code <= 0xffff else
            "\\U{:08x}").format(code)


def _shown(text):
    # type: (str) -> str
    """Command output as a log line may show it: what ascii() shows between its quotes
    (Python 2 has no ascii())."""
    return "".join(_escaped(char) for char in text)


def _last_line(lines):
    # type: (Sequence[str]) -> str
    text = [line.strip() for line in lines if line.strip()]
    return _shown(text[-1]) if text else ""


def _agent_messages(output):
    # type: (Sequence[str]) -> List[Tuple[str, str]]
    """(level, message) of each line the agent's cleanup logged in the output."""
    found = []  # type: List[Tuple[str, str]]
    for line in output:
        match = _AGENT_LINE.match(line.strip())
        if match:
            found.append((match.group("level"), match.group("message")))
    return found


def _said(messages, text):
    # type: (List[Tuple[str, str]], str) -> Optional[str]
    """The first agent message that starts with text, escaped for the log, or None."""
    for _level, message in messages:
        if message.startswith(text):
            return _shown(message)
    return None


def outcome(host_id, rc, output, seconds):
    # type: (str, Optional[int], Sequence[str], int) -> Outcome
    """What the admin is told, from the exit code and the lines of stdout and stderr; rc None
    means the command did not finish (timeout, error).

    The agent's cleanup exits 0 whether or not it cleaned the slot, so only its own
    "Cleaning the metadata block!" counts as freed.
    """
    command = plan.CLEAN_METADATA.format(host_id)
    if rc is None:
        what = "did not finish within {} s ({})".format(seconds, _last_line(output))
    elif rc != 0:
        detail = _last_line(output)
        what = "failed (exit {}{})".format(rc, ": " + detail if detail else "")
    else:
        messages = _agent_messages(output)
        unclean = _said(messages, UNCLEAN)
        missing = _said(messages, MISSING)
        if _said(messages, CLEANED) and not unclean and not missing:
            return Outcome(True, "freed this host's slot (host_id {}) in the shared Hosted "
                                 "Engine metadata ('{}').".format(host_id, command))
        if unclean:
            what = ("exited 0 without cleaning: the agent found the slot not marked stopped "
                    "('{}')".format(UNCLEAN))
        elif missing:
            unreadable = _said(messages, WRONG_FORMAT)
            return Outcome(False, "'{}' exited 0 without cleaning anything: the agent found "
                                  "no metadata for host_id {} ('{}'{}), so the slot is "
                                  "probably free already; the remove goes on. If 'hosted-engine "
                                  "--vm-status' on a remaining host still lists host_id {}, "
                                  "{}.".format(command, host_id, missing,
                                               ", after '{}'".format(unreadable)
                                               if unreadable else "",
                                               host_id, plan.metadata_manual_step(host_id)))
        else:
            last = _last_line(output)
            what = ("exited 0, but its output does not say the slot was cleaned ({}; see "
                    "{})".format("last line: " + last if last else "no output",
                                 plan.SERVICE_LOGS[plan.AGENT]))
    return Outcome(False, "'{}' {}; the remove goes on, but this host's slot (host_id {}) in "
                          "the shared Hosted Engine metadata stays, so other hosts keep "
                          "listing it in 'hosted-engine --vm-status'. To free it, {}.".format(
                              command, what, host_id, plan.metadata_manual_step(host_id)))
