"""Command lookups and executePipe as otopi has them."""

import sys

from otopi import plugin, util


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_SETUP)
    def _setup(self):
        self.command.detect('sh')

    @plugin.event(stage=plugin.Stages.STAGE_VALIDATION)
    def _validation(self):
        env = self.environment
        env['DT/detectedSh'] = self.command.get('sh', optional=True)
        env['DT/undeclaredOptional'] = self.command.get('true', optional=True)
        env['DT/undeclaredRequired'] = self.command.get('true')
        done = self.executePipe(({'args': (sys.executable, '-c', 'print("out")')},))
        env['DT/pipeStdout'] = done['stdout']
        try:
            self.executePipe(({'args': (sys.executable, '-c', 'import time; time.sleep(30)')},),
                             timeout=0.5, callback_interval=1)
        except RuntimeError as e:
            env['DT/pipeTimeout'] = str(e)


@util.export
def createPlugins(context):
    Plugin(context=context)
