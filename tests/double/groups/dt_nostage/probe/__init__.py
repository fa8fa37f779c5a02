"""Sequence-building probe: dt_nostage."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(priority=S.PRIORITY_LOW)
    def _a(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
