"""Probe for the otopi-version tests (keys under DV/): what a plugin sees of its otopi."""

import re

from otopi import constants as otopicons
from otopi import plugin, util

SECRET_RE = r'DV-SECRET=(?P<filter>\S+)'


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        before=(otopicons.Stages.CORE_LOG_INIT,),
    )
    def _boot(self):
        self.environment.setdefault(otopicons.CoreEnv.LOG_FILTER_RE, []).append(
            re.compile(SECRET_RE))

    @plugin.event(
        stage=plugin.Stages.STAGE_SETUP,
        after=('dv.no.such.event',),
    )
    def _setup(self):
        names = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)
        self.environment['DV/unicodeBuiltin'] = 'unicode' in names
        self.environment['DV/questionsFilter'] = hasattr(
            otopicons.CoreEnv, 'LOG_FILTER_QUESTIONS')
        self.environment['DV/ignoreMissingKey'] = (
            'CORE/ignoreMissingBeforeAfter' in self.environment)
        self.environment['DV/packagerGetConf'] = hasattr(self.packager, 'getConf')
        self.environment['DV/packagerSafeUpdate'] = hasattr(
            self.packager, 'checkForSafeUpdate')
        self.logger.debug('dv secret line DV-SECRET=%s', self.environment.get(
            'DV/secret', 'none'))


@util.export
def createPlugins(context):
    Plugin(context=context)
