"""A package directory with a hyphen, like ovirt-host-deploy's hosted-engine."""

from otopi import util

from . import mod


@util.export
def createPlugins(context):
    mod.Plugin(context=context)
