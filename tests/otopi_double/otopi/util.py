"""Utility helpers (otopi.util subset)."""

import os
import sys

try:
    from importlib import util as importlibutil
except ImportError:  # Python 2.7: otopi 1.8 loads plugin packages with imp
    import imp
    importlibutil = None


def export(o):
    """Append the object's name to its module's __all__ (module must be in sys.modules)."""
    module = sys.modules[o.__module__]
    module.__dict__.setdefault('__all__', []).append(o.__name__)
    return o


def codegen(o):
    """No-op kept for backwards compatibility."""
    return o


def loadPackage(pkgdir, name):
    """Import the plugin package in directory `pkgdir` as module `name` (otopi.util.loadModule)."""
    if importlibutil is None:
        return imp.load_module(name, None, pkgdir, ('', '', imp.PKG_DIRECTORY))
    spec = importlibutil.spec_from_file_location(
        name,
        os.path.join(pkgdir, '__init__.py'),
        submodule_search_locations=[pkgdir],
    )
    module = importlibutil.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
