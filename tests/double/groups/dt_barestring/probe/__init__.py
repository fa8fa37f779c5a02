"""Sequence-building probe: dt_barestring."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_MISC, after=('otopi.core.transactions.init'))
    def _a(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
