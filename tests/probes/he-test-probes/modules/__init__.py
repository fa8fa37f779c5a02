"""he-test-probes: write the modules loaded at the end of the run (HE_PROBES/modulesFile)."""

import sys

from otopi import plugin, util

MODULES_FILE = 'HE_PROBES/modulesFile'


@util.export
class Plugin(plugin.PluginBase):
    """At the very end of the run, sorted(sys.modules) into the file named by MODULES_FILE."""

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 1000,
        condition=lambda self: bool(self.environment.get(MODULES_FILE)),
    )
    def _write_modules(self):
        with open(self.environment[MODULES_FILE], 'w') as stream:
            stream.write(''.join(name + '\n' for name in sorted(sys.modules)))


@util.export
def createPlugins(context):
    Plugin(context=context)
