"""Setuptools shim: the metadata lives in setup.cfg; two things live here.

- DATA_FILES: what is installed outside site-packages (the otopi plugin group, below share/
  where otopi's plugin path points). Not in setup.cfg: EL8's setuptools 39.2 refuses an
  [options.data_files] section, and the EL8 RPM is built with it.
- The sdist carries ovirt-he-deploy.spec, rendered from ovirt-he-deploy.spec.in with the
  package's version (ovirt_he_deploy.__version__, read by setup.cfg) and the sdist's name, so
  `rpmbuild -ta ovirt_he_deploy-<version>.tar.gz` builds the RPMs from the sdist as it is.
Runs on every Python the RPMs are built with (EL8's 3.6 and setuptools 39.2 included).
"""
import glob
import os

import setuptools
from setuptools.command.sdist import sdist

SPEC_TEMPLATE = "ovirt-he-deploy.spec.in"
# (install dir below the prefix, source files): one line per directory. otopi finds a group as
# <dir on BASE/pluginPath>/<group>/, so the plugin path entry is PREFIX/share/ovirt-he-deploy/
# plugins, the group ovirt-he-deploy and its package hosted-engine.
DATA_FILES = [
    ("share/ovirt-he-deploy/plugins/ovirt-he-deploy/hosted-engine",
     "src/plugins/ovirt-he-deploy/hosted-engine/*.py"),
    # The tasks file an admin includes from the 4.4+ engine's host-deploy post-task hook
    # (README: How it runs, Engines 4.4 and later).
    ("share/ovirt-he-deploy/ansible", "src/ansible/*.yml"),
]


def data_files():
    """DATA_FILES with each glob expanded, relative to this directory; every glob must match."""
    here = os.path.dirname(os.path.abspath(__file__))
    expanded = []
    for target, pattern in DATA_FILES:
        sources = sorted(glob.glob(os.path.join(here, pattern)))
        if not sources:
            raise SystemExit("setup.py DATA_FILES: nothing matches {}".format(pattern))
        expanded.append((target, [os.path.relpath(path, here) for path in sources]))
    return expanded


def render_spec(template_text, version, sdist_name):
    """The spec text with @VERSION@ and @SDIST_NAME@ (the tarball's name without -VERSION:
    ovirt-he-deploy, or ovirt_he_deploy from setuptools that normalize it) each replaced once."""
    for placeholder in ("@VERSION@", "@SDIST_NAME@"):
        if template_text.count(placeholder) != 1:
            raise ValueError("{} must hold {} exactly once".format(SPEC_TEMPLATE, placeholder))
    return template_text.replace("@VERSION@", version).replace("@SDIST_NAME@", sdist_name)


class SdistWithSpec(sdist):
    """sdist that writes ovirt-he-deploy.spec (Version from the package) into the tarball."""

    def make_release_tree(self, base_dir, files):
        sdist.make_release_tree(self, base_dir, files)
        template = os.path.join(base_dir, SPEC_TEMPLATE)
        if not os.path.isfile(template):  # MANIFEST.in ships it; an sdist without it is broken
            raise SystemExit("{} is missing from the sdist (MANIFEST.in)".format(SPEC_TEMPLATE))
        version = self.distribution.get_version()
        fullname = self.distribution.get_fullname()  # the tarball's stem: NAME-VERSION
        if not fullname.endswith("-" + version):
            raise SystemExit("sdist name {} does not end in -{}".format(fullname, version))
        with open(template) as stream:
            text = render_spec(stream.read(), version, fullname[:-len(version) - 1])
        spec = os.path.join(base_dir, SPEC_TEMPLATE[:-len(".in")])
        if os.path.exists(spec):  # a hard link into the source tree must not be written through
            os.unlink(spec)
        with open(spec, "w") as stream:
            stream.write(text)


if __name__ == "__main__":  # tests/packaging import this file for data_files()
    setuptools.setup(cmdclass={"sdist": SdistWithSpec}, data_files=data_files())
