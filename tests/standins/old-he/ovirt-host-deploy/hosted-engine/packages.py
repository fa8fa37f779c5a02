"""What ovirt-host-deploy's hosted-engine plugin does with the action (written from its
behaviour: INIT default none, PACKAGES stop agent/broker and install the setup package,
CLOSEUP after VDSM starts at PRIORITY_LOW: enable and start the agent)."""

from otopi import plugin, util

ACTION = 'HOSTED_ENGINE/action'
VDSM_STARTED = 'odeploycons.packages.vdsm.started'


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_INIT)
    def _init(self):
        self.environment.setdefault(ACTION, 'none')

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        condition=lambda self: self.environment[ACTION] == 'deploy',
    )
    def _packages(self):
        for service in ('ovirt-ha-agent', 'ovirt-ha-broker'):
            if self.services.exists(service):
                self.services.state(service, False)
        self.packager.installUpdate(('ovirt-hosted-engine-setup',))

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        priority=plugin.Stages.PRIORITY_LOW,
        after=(VDSM_STARTED,),
        condition=lambda self: self.environment[ACTION] != 'none',
    )
    def _closeup(self):
        deploy = self.environment[ACTION] == 'deploy'
        self.services.startup('ovirt-ha-agent', deploy)
        self.services.state('ovirt-ha-agent', deploy)
