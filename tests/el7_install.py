"""What the EL7 RPM installs, from the spec's own list: for tests that need that layout
without rpmbuild (test_rpm.py checks the EL7 RPM against it)."""

import os
import re
import shutil

from paths import PLUGINS, ROOT, SRC

SPEC = os.path.join(ROOT, "ovirt-he-deploy.spec.in")
SITE_PACKAGES = "/usr/lib/python2.7/site-packages"
PLUGIN_DIR = "/usr/share/ovirt-he-deploy/plugins"
GROUP_PATH = "ovirt-he-deploy/hosted-engine"
TEMPLATE = "templates/hosted-engine.conf.j2"


def host_modules():  # type: () -> list
    """The library modules the spec installs on EL7 (its he_host_modules), sorted."""
    with open(SPEC) as stream:
        match = re.search(r"^%global he_host_modules (.+)$", stream.read(), re.M)
    assert match is not None, "{} defines no he_host_modules".format(SPEC)
    return sorted(name + ".py" for name in match.group(1).split())


def source_files():  # type: () -> dict
    """Installed path -> source path of every file the EL7 RPM ships that comes from src/
    (not its bytecode, license or doc)."""
    files = {}
    library = SITE_PACKAGES + "/ovirt_he_deploy/"
    for name in host_modules():
        files[library + name] = os.path.join(SRC, "ovirt_he_deploy", name)
    files[library + TEMPLATE] = os.path.join(SRC, "ovirt_he_deploy", *TEMPLATE.split("/"))
    group = os.path.join(PLUGINS, *GROUP_PATH.split("/"))
    for name in sorted(os.listdir(group)):
        if name.endswith(".py"):
            files["{}/{}/{}".format(PLUGIN_DIR, GROUP_PATH, name)] = os.path.join(group, name)
    return files


def install(root):  # type: (str) -> None
    """Lay the EL7 RPM's files from src/ out below root, at their installed paths."""
    for installed, source in source_files().items():
        target = os.path.join(root, installed.lstrip("/"))
        if not os.path.isdir(os.path.dirname(target)):
            os.makedirs(os.path.dirname(target))
        shutil.copy2(source, target)
