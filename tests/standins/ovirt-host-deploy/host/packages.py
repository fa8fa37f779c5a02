"""STAGE_PACKAGES: queue ovirt-host, as ovirt-host-deploy's host plugin does.

Written from what ovirt-host-deploy does (src/plugins/ovirt-host-deploy/host/packages.py:
event odeploycons.packages.ovirt-host.installed, installUpdate(('ovirt-host',))), not from
its code. ovirt-host pulls vdsm, whose package creates the vdsm user and the kvm group.
"""

from otopi import plugin, util

OVIRT_HOST_INSTALLED = 'odeploycons.packages.ovirt-host.installed'


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        name=OVIRT_HOST_INSTALLED,
    )
    def _packages(self):
        self.packager.installUpdate(('ovirt-host',))
