"""Where things are in the source tree, for tests."""

import os

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
SRC = os.path.join(ROOT, "src")
PLUGINS = os.path.join(SRC, "plugins")
DOUBLE = os.path.join(TESTS, "otopi_double")
EXAMPLES = os.path.join(ROOT, "examples")
