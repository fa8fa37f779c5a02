"""he-test-probes: write the modules loaded at the end of the run (HE_PROBES/modulesFile)."""

import sys

from otopi import plugin, util

MODULES_FILE = 'HE_PROBES/modulesFile'


@util.export
class Plugin(plugin.PluginBase):
    """At the very end of the run, the loaded modules' names, sorted, into the file named by
    MODULES_FILE (not Python 2.7's None entries: implicit relative imports that found nothing)."""

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 1000,
        condition=lambda self: bool(self.environment.get(MODULES_FILE)),
    )
    def _write_modules(self):
        with open(self.environment[MODULES_FILE], 'w') as stream:
            stream.write(''.join(name + '\n' for name, module in sorted(sys.modules.items())
                                 if module is not None))


@util.export
def createPlugins(context):
    Plugin(context=context)
