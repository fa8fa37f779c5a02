"""Probe: records whether the vdsm user and kvm group exist in VALIDATION and in MISC, and
(PROBE/afterVdsmStartedAtDefault=bool:True) declares an event after VDSM's at the default
priority, the mistake otopi refuses."""

import grp
import pwd

from otopi import plugin, util

VDSM_STARTED = 'odeploycons.packages.vdsm.started'


def _exists():
    try:
        pwd.getpwnam('vdsm')
        grp.getgrnam('kvm')
    except KeyError:
        return False
    return True


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_VALIDATION)
    def _validation(self):
        self.environment['PROBE/accountsInValidation'] = _exists()

    @plugin.event(stage=plugin.Stages.STAGE_MISC)
    def _misc(self):
        self.environment['PROBE/accountsInMisc'] = _exists()


class DefaultPriorityPlugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        after=(VDSM_STARTED,),
    )
    def _closeup(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
    if context.environment.get('PROBE/afterVdsmStartedAtDefault'):
        DefaultPriorityPlugin(context=context)
