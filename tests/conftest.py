"""Shared test setup: the source tree and the otopi test double on sys.path."""

import sys

from paths import DOUBLE, SRC

# The double must come before any real otopi; the source tree before an installed copy.
for path in (SRC, DOUBLE):
    if path not in sys.path:
        sys.path.insert(0, path)

import otopi_harness  # noqa: E402  (needs the double on sys.path)

# Subprocess runs of the double must import ovirt_he_deploy from the same tree.
otopi_harness.EXTRA_PYTHONPATH[:] = [SRC]
