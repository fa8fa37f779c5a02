"""otopi double core plugins: log, config, transactions, misc."""

from otopi import util

from . import config, log, misc, transaction


@util.export
def createPlugins(context):
    log.Plugin(context=context)
    config.Plugin(context=context)
    transaction.Plugin(context=context)
    misc.Plugin(context=context)
