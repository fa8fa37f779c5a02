"""VDSM around the package transaction, timed as ovirt-host-deploy 1.8 times it.

Written from ovirt-host-deploy-1.8.5 src/plugins/ovirt-host-deploy/vdsm/packages.py (not
copied): for EVERY action, not only Hosted Engine ones,
- STAGE_PACKAGES, before odeploycons.packages.ovirt-host.installed (:105-115): vdsmd and
  supervdsmd are stopped where they exist;
- STAGE_CLOSEUP, default priority (:117-121): vdsmd enabled;
- STAGE_CLOSEUP, PRIORITY_LOW, event odeploycons.packages.vdsm.started (:149-216): libvirtd
  restarted, vdsmd started again - unless ODEPLOY/forceReboot (the condition at :152-154,
  constants.py:119), when VDSM stays stopped until the host reboots.
So from PACKAGES until that event vdsmd is NOT running, and anything that needs VDSM (the HA
agent's metadata cleanup checks `service vdsmd status` first) fails there. Any event `after`
that name must itself be at PRIORITY_LOW or later, or otopi refuses to build the sequence.
The fakes' services provider keeps the running state, so a stand-in command can check it.
"""

from otopi import plugin, util

VDSM_STARTED = 'odeploycons.packages.vdsm.started'
OVIRT_HOST_INSTALLED = 'odeploycons.packages.ovirt-host.installed'
FORCE_REBOOT = 'ODEPLOY/forceReboot'


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
    )
    def _init(self):
        self.environment.setdefault(FORCE_REBOOT, False)

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        before=(OVIRT_HOST_INSTALLED,),
    )
    def _packages(self):
        for service in ('vdsmd', 'supervdsmd'):
            if self.services.exists(service):
                self.services.state(service, False)

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
    )
    def _closeup(self):
        self.services.startup('vdsmd', True)

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        priority=plugin.Stages.PRIORITY_LOW,
        condition=lambda self: not self.environment[FORCE_REBOOT],
        name=VDSM_STARTED,
    )
    def _start(self):
        if self.services.exists('libvirtd'):
            self.services.restart('libvirtd')
        self.logger.info('Starting vdsm (stand-in)')
        self.services.state('vdsmd', True)
