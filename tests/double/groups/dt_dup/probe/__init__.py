"""Sequence-building probe: dt_dup."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_MISC, name='dt.dup')
    def _a(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, name='dt.dup')
    def _b(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
