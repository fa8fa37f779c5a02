"""Freeing a host's slot in the shared Hosted Engine metadata when Hosted Engine is removed.

`hosted-engine --clean-metadata` runs the agent's own cleanup (`ovirt-ha-agent --cleanup`,
ovirt-hosted-engine-setup src/bin/hosted-engine.in cmd_clean_metadata): it needs this host's
agent stopped (so its slot says "stopped"), the broker running and hosted-engine.conf in
place. --force-cleanup overrides those safety checks and is never used here.
"""

from . import plan
from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple

CLEAN_OPTION = "--clean-metadata"


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


def _last_line(lines):
    # type: (Sequence[str]) -> str
    text = [line.strip() for line in lines if line.strip()]
    return ascii(text[-1])[1:-1] if text else ""


def outcome(host_id, rc, stderr, seconds):
    # type: (str, Optional[int], List[str], int) -> Outcome
    """What the admin is told; rc None means the command did not finish (timeout, error)."""
    command = plan.CLEAN_METADATA.format(host_id)
    if rc == 0:
        return Outcome(True, "freed this host's slot (host_id {}) in the shared Hosted "
                             "Engine metadata ('{}').".format(host_id, command))
    if rc is None:
        what = "did not finish within {} s ({})".format(seconds, _last_line(stderr))
    else:
        detail = _last_line(stderr)
        what = "failed (exit {}{})".format(rc, ": " + detail if detail else "")
    return Outcome(False, "'{}' {}; the remove goes on, but this host's slot (host_id {}) in "
                          "the shared Hosted Engine metadata stays, so other hosts keep "
                          "listing it in 'hosted-engine --vm-status'. To free it, {}.".format(
                              command, what, host_id, plan.metadata_manual_step(host_id)))
