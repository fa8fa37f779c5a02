"""Records its module name: otopi keeps the package directory's name, hyphen included."""

from otopi import plugin, util


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_INIT)
    def _init(self):
        self.environment['DT/hyphenModule'] = __name__
