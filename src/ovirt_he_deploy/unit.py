"""The deploy unit as the engine hands it over: an action and raw configuration values."""

from . import envkeys
from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import List, Mapping, Optional, Tuple


class Problem(Record):
    """One thing wrong with a deploy unit: where, what, and how to fix it."""

    __slots__ = ("key", "message", "fix")

    def __init__(self, key, message, fix):
        # type: (str, str, str) -> None
        self.key = key
        self.message = message
        self.fix = fix

    def __str__(self):
        # type: () -> str
        return "{}: {} Fix: {}".format(self.key, self.message, self.fix)


class InvalidUnit(ValueError):
    """The deploy unit cannot be applied; carries every problem found."""

    def __init__(self, problems):
        # type: (List[Problem]) -> None
        self.problems = list(problems)
        lines = ["The Hosted Engine deploy unit is invalid ({} problem{}):".format(
            len(self.problems), "" if len(self.problems) == 1 else "s")]
        lines.extend("  - {}".format(problem) for problem in self.problems)
        super(InvalidUnit, self).__init__("\n".join(lines))


class DeployUnit(Record):
    """Action and hosted-engine.conf values exactly as received (not yet checked)."""

    __slots__ = ("action", "config")

    def __init__(self, action=None, config=()):
        # type: (object, Tuple[Tuple[str, object], ...]) -> None
        self.action = action
        self.config = config

    @classmethod
    def from_environment(cls, env):
        # type: (Mapping[str, object]) -> DeployUnit
        """Pick the deploy-unit section out of an otopi environment."""
        prefix = envkeys.CONFIG_PREFIX
        config = tuple(
            (name[len(prefix):], value)
            for name, value in sorted(env.items())
            if name.startswith(prefix)
        )
        return cls(action=env.get(envkeys.ACTION.name), config=config)


class ValidUnit(Record):
    """A checked deploy unit: safe, ordered values and what was noticed on the way."""

    __slots__ = ("action", "entries", "warnings", "notes", "unknown_keys", "dropped_keys")

    def __init__(
        self,
        action,  # type: str
        entries=(),  # type: Tuple[Tuple[str, str], ...]
        warnings=(),  # type: Tuple[str, ...]
        notes=(),  # type: Tuple[str, ...]
        unknown_keys=(),  # type: Tuple[str, ...]
        dropped_keys=(),  # type: Tuple[str, ...]
    ):
        # type: (...) -> None
        self.action = action
        self.entries = entries
        self.warnings = warnings
        self.notes = notes
        self.unknown_keys = unknown_keys
        self.dropped_keys = dropped_keys

    def get(self, key):
        # type: (str) -> Optional[str]
        for name, value in self.entries:
            if name == key:
                return value
        return None

    @property
    def host_id(self):
        # type: () -> Optional[int]
        value = self.get("host_id")
        return int(value) if value else None

    @property
    def domain_type(self):
        # type: () -> Optional[str]
        return self.get("domainType")
