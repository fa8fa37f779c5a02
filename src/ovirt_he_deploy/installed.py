"""Where this installation of ovirt-he-deploy keeps its otopi plugin group and library."""

import os
import re
import site
import sys
import sysconfig
from typing import List, Optional

GROUP = "ovirt-he-deploy"
# setup.py DATA_FILES and the spec install the group below <prefix>/share.
SHARE_PLUGINS = os.path.join("share", "ovirt-he-deploy", "plugins")
# A directory is the group's plugin path entry only if the group's package is in it.
MARKER = os.path.join(GROUP, "hosted-engine", "__init__.py")

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
LIBRARY_PARENT = os.path.dirname(PACKAGE_DIR)

# <prefix>/lib/python3.9/site-packages, <prefix>/lib64/..., Debian's dist-packages.
_SITE_DIR = re.compile(r"^(?P<prefix>.+)/lib(?:64)?/python[0-9.]+/(?:site|dist)-packages$")


class PluginGroupMissing(RuntimeError):
    """The plugin group is in none of the directories searched."""


def _prefix_of(library_parent: str) -> Optional[str]:
    match = _SITE_DIR.match(library_parent)
    return match.group("prefix") if match else None


def candidate_plugin_dirs(library_parent: str = LIBRARY_PARENT) -> List[str]:
    """Plugin path entries to look in, most specific first, without repeats.

    1. the source tree: src/plugins next to src/ovirt_he_deploy;
    2. <prefix>/share/ovirt-he-deploy/plugins of the prefix this library is installed in
       (pip into a venv or --prefix, the RPM's /usr);
    3. the running Python's prefixes and data directories (venv, --user, Debian's
       /usr/local), then /usr/local and /usr.
    """
    found = [os.path.join(library_parent, "plugins")]
    prefixes = [_prefix_of(library_parent), sys.prefix, sysconfig.get_path("data"),
                site.USER_BASE if site.ENABLE_USER_SITE else None, "/usr/local", "/usr"]
    found.extend(os.path.join(prefix, SHARE_PLUGINS) for prefix in prefixes if prefix)
    unique: List[str] = []
    for path in found:
        path = os.path.normpath(path)
        if path not in unique:
            unique.append(path)
    return unique


def plugin_dir(candidates: Optional[List[str]] = None) -> str:
    """The plugin path entry that holds the ovirt-he-deploy group; every searched dir if none."""
    searched = candidate_plugin_dirs() if candidates is None else candidates
    for path in searched:
        if os.path.isfile(os.path.join(path, MARKER)):
            return path
    raise PluginGroupMissing(
        "the otopi plugin group {} is not installed: no {} in any of {}. Reinstall "
        "ovirt-he-deploy (RPM: /usr/share/ovirt-he-deploy/plugins; pip: "
        "<prefix>/share/ovirt-he-deploy/plugins).".format(
            GROUP, MARKER, ", ".join(searched)))


def library_pythonpath(library_parent: str = LIBRARY_PARENT) -> Optional[str]:
    """The directory otopi's Python needs on PYTHONPATH to import this library, or None.

    otopi runs under the system Python (its wrapper picks /usr/bin/python3 or
    OTOPI_PYTHON), which sees neither a venv, a --user install nor a source tree. A library
    in this (non-venv) interpreter's own site-packages is found without help.
    """
    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    system_sites = [os.path.normpath(path) for path in site.getsitepackages()]
    if not in_venv and os.path.normpath(library_parent) in system_sites:
        return None
    return library_parent
