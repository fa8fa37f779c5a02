"""otopi test double: a small, contract-driven stand-in for the real otopi (tests only)."""

import os

__version__ = '1.10.5-double'

# Directory that holds the double's always-loaded 'otopi' plugin group.
COREPLUGINDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_coreplugins')
