"""Probe: records where ovirt_he_deploy was imported from, and its template directory."""

import sys

from otopi import plugin, util


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(stage=plugin.Stages.STAGE_CLEANUP)
    def _cleanup(self):
        module = sys.modules.get('ovirt_he_deploy')
        self.environment['PROBE/libraryFile'] = getattr(module, '__file__', None)
        render = sys.modules.get('ovirt_he_deploy.render')
        self.environment['PROBE/templateDirs'] = render.template_dirs() if render else None


@util.export
def createPlugins(context):
    Plugin(context=context)
