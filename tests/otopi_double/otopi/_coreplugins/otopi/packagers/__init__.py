"""otopi double packager detection: no real packager ever activates here."""

from otopi import constants as otopicons
from otopi import plugin, util


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        name=otopicons.Stages.YUM_PACKAGER_BOOT,
    )
    def _boot(self):
        pass

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        priority=plugin.Stages.PRIORITY_HIGH,
        name=otopicons.Stages.PACKAGERS_DETECTION,
    )
    def _detection(self):
        self.logger.debug('packager detection: %s', type(self.packager).__name__)


@util.export
def createPlugins(context):
    Plugin(context=context)
