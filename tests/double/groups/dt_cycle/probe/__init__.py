"""Sequence-building probe: dt_cycle."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_MISC, name='dt.cycle.a', before=('dt.cycle.b',))
    def _a(self):
        pass

    @plugin.event(stage=S.STAGE_MISC, name='dt.cycle.b', before=('dt.cycle.a',))
    def _b(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
