"""Events in a base class are never collected (only plugin.__class__.__dict__)."""

from otopi import plugin, util


class Base(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_MISC)
    def _inBase(self):
        self.environment['DT/baseRan'] = True


@util.export
class Plugin(Base):

    @plugin.event(stage=plugin.Stages.STAGE_MISC)
    def _inSubclass(self):
        self.environment['DT/subclassRan'] = True


@util.export
def createPlugins(context):
    Plugin(context=context)
