"""ovirt-he-deploy plugin group: Hosted Engine deploy and remove during host installation."""

from otopi import util

from . import closeup, customization, misc, packages


@util.export
def createPlugins(context):
    customization.Plugin(context=context)
    packages.Plugin(context=context)
    misc.Plugin(context=context)
    closeup.Plugin(context=context)
