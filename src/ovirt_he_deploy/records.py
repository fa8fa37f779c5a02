"""Immutable value records that cost next to nothing to define, on every Python otopi runs.

A deploy imports a dozen record classes. As typing.NamedTuple each costs 0.3 ms to define
on Python 3.11 and 0.8 ms on EL8's 3.6 (collections.namedtuple execs a class template
there), and EL7's Python 2.7 has no typing at all. A Record is a plain class with
__slots__ and an explicit, type-commented __init__: defined in a few microseconds, typed
as strictly for mypy (it reads each field's type from the __init__ parameter assigned to it).
"""

from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Tuple, TypeVar

    R = TypeVar("R", bound="Record")


class Record(object):
    """Fields are the subclass's __slots__, each set once by its __init__.

    A subclass lists its fields in __slots__, then has an __init__ whose parameters are
    those fields in that order (type comment on the signature), assigning each to self.
    """

    __slots__ = ()  # type: Tuple[str, ...]

    def __setattr__(self, name, value):
        # type: (str, object) -> None
        # A field can be set while it has no value yet, that is in __init__ only.
        if hasattr(self, name):
            raise AttributeError("{} is immutable; use _replace({}=...)".format(
                type(self).__name__, name))
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        # type: (str) -> None
        raise AttributeError("{} is immutable".format(type(self).__name__))

    def _values(self):
        # type: () -> Tuple[object, ...]
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        # type: (object) -> bool
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __ne__(self, other):
        # type: (object) -> bool
        # Python 2 does not derive != from ==.
        if type(other) is not type(self):
            return NotImplemented
        return not self.__eq__(other)

    def __hash__(self):
        # type: () -> int
        return hash((type(self).__name__,) + self._values())

    def __repr__(self):
        # type: () -> str
        return "{}({})".format(type(self).__name__, ", ".join(
            "{}={!r}".format(name, getattr(self, name)) for name in self.__slots__))

    def _replace(self, **changes):
        # type: (R, **object) -> R
        """A copy with some fields changed (as namedtuple's _replace)."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError("{} has no field {}".format(
                type(self).__name__, ", ".join(sorted(unknown))))
        values = dict(zip(self.__slots__, self._values()))
        values.update(changes)
        return type(self)(**values)
