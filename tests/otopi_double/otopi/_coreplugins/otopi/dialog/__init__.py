"""otopi double dialog plugins: dialects and command prompts."""

from otopi import util

from . import cli, misc


@util.export
def createPlugins(context):
    misc.Plugin(context=context)
    cli.Plugin(context=context)
