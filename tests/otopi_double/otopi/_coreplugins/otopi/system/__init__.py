"""otopi double system plugins: command detection."""

from otopi import util

from . import command


@util.export
def createPlugins(context):
    command.Plugin(context=context)
