"""Shared test setup: the source tree and the otopi test double on sys.path."""

import os
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
SRC = os.path.join(ROOT, "src")
PLUGINS = os.path.join(SRC, "plugins")
DOUBLE = os.path.join(TESTS, "otopi_double")
EXAMPLES = os.path.join(ROOT, "examples")

for path in (DOUBLE, SRC):
    if path not in sys.path:
        sys.path.insert(0, path)
