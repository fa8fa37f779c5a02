"""Sequence-building probe: dt_prioconflict."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_MISC, priority=S.PRIORITY_HIGH, after=('dt.prio.low',))
    def _a(self):
        pass

    @plugin.event(stage=S.STAGE_MISC, priority=S.PRIORITY_LOW, name='dt.prio.low')
    def _b(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
