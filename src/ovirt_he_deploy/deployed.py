"""Whether the hosted-engine.conf on a host already says what a deploy unit says, as read."""

from . import confkeys, keyvalue, safety
from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Dict, List, Sequence, Tuple  # noqa: F401 (type comments)

# Named in the differences when a line is not written the way every reader reads alike.
LAYOUT = "(line layout)"


def differences(text, entries):
    # type: (str, Sequence[Tuple[str, str]]) -> Tuple[str, ...]
    """The keys whose reading differs between the file and the unit; () when they agree.

    Values are compared as ovirt-ha-agent's and ovirt-ha-broker's reader takes them
    (keyvalue.parse: first '=', blanks stripped, last one wins), not as bytes: comments,
    order and the render's header do not count, nor do the legacy keys no reader uses
    (console, vdsm_use_ssl, ca_*: the engine's copy of an older cluster's file carries
    them, the render drops them). hosted-engine's bash sources the file as root, so every
    line must also read alike there: a key line written as the render writes it (no blanks
    around '='), a legacy value bash reads without running anything, no other text.
    """
    wanted = dict(entries)  # type: Dict[str, str]
    found = keyvalue.parse(text)
    differ = set(key for key in set(wanted) | set(found)
                 if key not in confkeys.LEGACY_KEYS and wanted.get(key) != found.get(key))
    if _layout_problem(text):
        differ.add(LAYOUT)
    return tuple(sorted(differ))


def _layout_problem(text):
    # type: (str) -> bool
    for line in keyvalue.lines_of(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, separator, value = line.partition("=")
        if not separator or key != key.strip() or value != value.strip() or not key:
            return True  # bash runs it, or reads another key or value than the agent
        if key in confkeys.LEGACY_KEYS and not _bash_harmless(value):
            return True
    return False


def _bash_harmless(value):
    # type: (str) -> bool
    if safety.value_problem(value):
        return False
    return not safety.bash_reading(value).refused


def describe(keys):
    # type: (Sequence[str]) -> str
    """The differing keys for a log line (names only: values may be secrets)."""
    names = [key if key == LAYOUT else safety.printable(key) for key in keys]  # type: List[str]
    return ", ".join(names)
