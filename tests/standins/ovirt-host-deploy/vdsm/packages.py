"""VDSM around the package transaction, timed as ovirt-host-deploy times it.

ovirt-host-deploy (src/plugins/ovirt-host-deploy/vdsm/packages.py) stops vdsmd before
ovirt-host is installed, enables it in STAGE_CLOSEUP and restarts libvirtd and VDSM's
services in the event odeploycons.packages.vdsm.started: STAGE_CLOSEUP, PRIORITY_LOW. Any
event `after` that name must itself be at PRIORITY_LOW or later, or otopi refuses to build
the sequence.
"""

from otopi import plugin, util

VDSM_STARTED = 'odeploycons.packages.vdsm.started'
OVIRT_HOST_INSTALLED = 'odeploycons.packages.ovirt-host.installed'


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        before=(OVIRT_HOST_INSTALLED,),
    )
    def _packages(self):
        if self.services.exists('vdsmd'):
            self.services.state('vdsmd', False)

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
    )
    def _closeup(self):
        self.services.startup('vdsmd', True)

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        priority=plugin.Stages.PRIORITY_LOW,
        name=VDSM_STARTED,
    )
    def _start(self):
        self.logger.info('Restarting vdsm (stand-in)')
        self.services.restart('vdsmd')
