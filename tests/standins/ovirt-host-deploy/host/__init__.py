"""Stand-in for ovirt-host-deploy's host package: installs ovirt-host (and with it vdsm)."""

from otopi import util

from . import packages


@util.export
def createPlugins(context):
    packages.Plugin(context=context)
