"""Stand-in for ovirt-host-deploy's vdsm package: VDSM stopped, started, restarted; accounts."""

from otopi import util

from . import accounts, packages


@util.export
def createPlugins(context):
    accounts.Plugin(context=context)
    packages.Plugin(context=context)
