"""otopi double network placeholders so their event names exist (no firewall work)."""

from otopi import constants as otopicons
from otopi import plugin, util


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_VALIDATION,
        name=otopicons.Stages.FIREWALLD_VALIDATION,
    )
    def _firewalldValidation(self):
        pass

    @plugin.event(
        stage=plugin.Stages.STAGE_VALIDATION,
        name=otopicons.Stages.IPTABLES_VALIDATION,
    )
    def _iptablesValidation(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
