"""A tiny 'hosted engine'-like consumer of the packager/services providers."""

from otopi import plugin, util

S = plugin.Stages
SERVICES = ('ovirt-ha-broker', 'ovirt-ha-agent')


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=S.STAGE_VALIDATION)
    def _validation(self):
        self.environment['DT/installed'] = [
            p['name'] for p in self.packager.queryPackages(patterns=['ovirt-*'])
        ]
        self.environment['DT/agentExists'] = self.services.exists('ovirt-ha-agent')

    @plugin.event(stage=S.STAGE_PACKAGES)
    def _packages(self):
        self.packager.installUpdate(packages=('ovirt-hosted-engine-ha',))

    @plugin.event(stage=S.STAGE_CLOSEUP)
    def _closeup(self):
        for name in SERVICES:
            self.services.startup(name, True)
            self.services.state(name, True)
        self.environment['DT/agentRunning'] = self.services.status('ovirt-ha-agent')


@util.export
def createPlugins(context):
    Plugin(context=context)
