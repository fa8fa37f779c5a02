"""Sequence-building probe: dt_later."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_VALIDATION, after=('dt.later.target',))
    def _a(self):
        pass

    @plugin.event(stage=S.STAGE_MISC, name='dt.later.target')
    def _b(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
