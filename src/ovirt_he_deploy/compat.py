"""The few names that differ between Python 2.7 (EL7's otopi) and Python 3, in one place.

Host-side modules (the plugin group and every library module it imports) run on 2.7 too,
so they are written in the syntax both read: types in type comments, checked by mypy as
annotations are. typing is imported only under ``if TYPE_CHECKING:``, with TYPE_CHECKING
taken from here: EL7 has no typing module, and mypy treats any name TYPE_CHECKING as true.

Text on Python 2 is the native str, that is bytes: otopi 1.8 hands every value over as
str, and hosted-engine.conf is ASCII by rule. So the library keeps working on str on both
Pythons; what it checks character by character (safety) sees a byte above 127 as one
non-ASCII character and refuses it, as it refuses a non-ASCII character on Python 3.
mypy checks the Python 3 branches only (sys.version_info is what it understands).
"""

import sys

TYPE_CHECKING = False

if sys.version_info[0] == 2:
    import os

    # Python 2's unicode is text as well (a plugin may set one); long is an int that
    # outgrew the machine word ('int:' values from otopi can be either).
    TEXT_TYPES = (str, unicode)  # noqa: F821
    INTEGER_TYPES = (int, long)  # noqa: F821

    def ascii(value):
        """repr() as Python 3's ascii() writes it: no u prefix on text."""
        text = repr(value)
        return text[1:] if isinstance(value, unicode) else text  # noqa: F821

    def isprintable(text):
        """str.isprintable of Python 3: bytes above 127 are not printable, being no text."""
        if isinstance(text, str):
            return all(" " <= char <= "~" for char in text)
        import unicodedata  # only for unicode, which otopi 1.8 never hands over

        return all(char == " " or unicodedata.category(char)[0] not in "CZ"
                   for char in text)

    def monotonic():
        """Seconds from a fixed point in the past that never goes back (clock ticks).

        os.times()[4] is times(2)'s elapsed time: monotonic, in 1/100 s steps on Linux,
        enough for deadlines of seconds. time.time() jumps when the clock is set.
        """
        return os.times()[4]

    # str.find(unicode) and unicode.find(str) decode the str as ASCII first: a byte above
    # 127 in it raises UnicodeDecodeError.
    TEXT_FIND_MAY_DECODE = True

    def text_forms(text):
        """A text as a log record may hold it: its bytes, and the unicode they decode to."""
        if isinstance(text, unicode):  # noqa: F821
            return [text.encode("utf-8"), text]
        try:
            return [text, text.decode("utf-8")]
        except UnicodeDecodeError:
            return [text]

    def text_from_bytes(data):
        """Every byte kept, as the str the library edits (on Python 2 the bytes themselves)."""
        return data

    def readable_text(data):
        """The str to read values from (on Python 2 the bytes themselves)."""
        return data

    def bytes_from_text(text):
        """The inverse of text_from_bytes."""
        return text if isinstance(text, str) else text.encode("ascii")
else:
    import builtins
    import time

    ascii = builtins.ascii
    monotonic = time.monotonic
    TEXT_TYPES = (str,)
    INTEGER_TYPES = (int,)
    TEXT_FIND_MAY_DECODE = False

    def text_forms(text):
        # type: (str) -> List[str]
        return [text]

    def isprintable(text):
        # type: (str) -> bool
        return text.isprintable()

    def text_from_bytes(data):
        # type: (bytes) -> str
        """Every byte kept, as the str the library edits: undecodable bytes as surrogates."""
        return data.decode("ascii", "surrogateescape")

    def bytes_from_text(text):
        # type: (str) -> bytes
        """The inverse of text_from_bytes: the same bytes back."""
        return text.encode("ascii", "surrogateescape")

    def readable_text(data):
        # type: (bytes) -> str
        """The str to read values from: a byte that is not ASCII becomes U+FFFD, which a
        log or a terminal can show (a surrogate would stop the log's encoder)."""
        return data.decode("ascii", "replace")


if TYPE_CHECKING:
    from typing import List, TypeVar

    Error = TypeVar("Error", bound=BaseException)


def without_context(error):
    # type: (Error) -> Error
    """The error, to be raised in an except clause without the one being handled: what
    Python 3's `raise error from None` does (PEP 415), in syntax Python 2 reads. otopi logs
    a failure with its traceback, and the lookup or OSError behind a message that already
    says what is wrong is noise there. Python 2 chains nothing; the attribute is unused."""
    error.__suppress_context__ = True
    return error
