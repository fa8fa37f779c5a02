"""otopi test double: a small, contract-driven stand-in for the real otopi (tests only)."""

import os
import sys

if sys.version_info[0] == 2:
    # As otopi 1.8 does on Python 2 (otopi/__init__.py): its modules, and so the plugins it
    # loads, get the standard ConfigParser and __builtin__ under their Python 3 names.
    import __builtin__
    import ConfigParser
    sys.modules['configparser'] = ConfigParser
    sys.modules['builtins'] = __builtin__

__version__ = '1.10.5-double'

# Directory that holds the double's always-loaded 'otopi' plugin group.
COREPLUGINDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_coreplugins')
