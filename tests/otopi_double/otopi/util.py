"""Utility helpers (otopi.util subset)."""

import sys


def export(o):
    """Append the object's name to its module's __all__ (module must be in sys.modules)."""
    module = sys.modules[o.__module__]
    module.__dict__.setdefault('__all__', []).append(o.__name__)
    return o


def codegen(o):
    """No-op kept for backwards compatibility."""
    return o
