"""Plugin module using a relative import of a sibling helper."""

from otopi import plugin, util

from . import helper


@util.export
class Plugin(plugin.PluginBase):

    def __init__(self, context, loads):
        super(Plugin, self).__init__(context=context)
        self._loads = loads

    @plugin.event(stage=plugin.Stages.STAGE_INIT)
    def _init(self):
        self.environment['DT/loads'] = self._loads
        self.environment['DT/helper'] = helper.VALUE
        self.environment['DT/moduleName'] = __name__
