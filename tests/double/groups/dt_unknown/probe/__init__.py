"""Sequence-building probe: dt_unknown."""

from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_MISC, after=('no.such.event',), before=('nor.this.one',))
    def _a(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
