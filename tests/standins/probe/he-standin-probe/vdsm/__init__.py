"""Probe: runs `hosted-engine --clean-metadata` (COMMAND/hosted-engine, the fake host's) in
MISC and again after odeploycons.packages.vdsm.started, and records each exit code and last
stderr line: the stand-in's vdsmd is stopped in between, and the fake fails as the real one.
Only with PROBE/cleanMetadata=bool:True (other probe runs have no such command)."""

from otopi import plugin, util

VDSM_STARTED = 'odeploycons.packages.vdsm.started'


@util.export
class Plugin(plugin.PluginBase):

    def _clean(self, key):
        rc, _stdout, stderr = self.execute(
            (self.command.get('hosted-engine'), '--clean-metadata', '--host-id=1'),
            raiseOnError=False,
        )
        self.environment[key] = '%s %s' % (rc, stderr[-1] if stderr else '')

    @plugin.event(stage=plugin.Stages.STAGE_MISC)
    def _misc(self):
        self._clean('PROBE/cleanInMisc')

    @plugin.event(
        stage=plugin.Stages.STAGE_CLOSEUP,
        priority=plugin.Stages.PRIORITY_LOW,
        after=(VDSM_STARTED,),
    )
    def _closeup(self):
        self._clean('PROBE/cleanAfterVdsmStarted')


@util.export
def createPlugins(context):
    if context.environment.get('PROBE/cleanMetadata'):
        Plugin(context=context)
