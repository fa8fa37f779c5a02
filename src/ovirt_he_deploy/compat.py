"""The few names that differ between Python 2.7 (EL7's otopi) and Python 3, in one place.

Host-side modules (the plugin group and every library module it imports) run on 2.7 too,
so they are written in the syntax both read: types in type comments, checked by mypy as
annotations are. typing is imported only under ``if TYPE_CHECKING:``, with TYPE_CHECKING
taken from here: EL7 has no typing module, and mypy treats any name TYPE_CHECKING as true.
"""

TYPE_CHECKING = False
