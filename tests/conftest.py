"""Shared test setup: the source tree and the otopi test double on sys.path."""

import sys

from paths import DOUBLE, SRC

for path in (DOUBLE, SRC):
    if path not in sys.path:
        sys.path.insert(0, path)
