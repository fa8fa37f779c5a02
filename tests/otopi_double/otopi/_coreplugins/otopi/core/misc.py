"""Misc core events: sequence check, env dumps, answer file."""

import os

from otopi import common, emulation, plugin, util
from otopi import constants as otopicons

from . import log


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _boot(self):
        self.environment.setdefault(otopicons.CoreEnv.PACKAGE_NAME, 'otopi')
        self.environment.setdefault(
            otopicons.CoreEnv.PACKAGE_VERSION,
            emulation.PACKAGE_VERSIONS[self.context.otopiVersion],
        )

    @plugin.event(
        stage=plugin.Stages.STAGE_SETUP,
        priority=plugin.Stages.PRIORITY_HIGH,
    )
    def _setup(self):
        self.context.checkSequence()

    @plugin.event(
        stage=plugin.Stages.STAGE_VALIDATION,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _validation(self):
        log.dumpEnvironment(self)

    @plugin.event(
        stage=plugin.Stages.STAGE_CLEANUP,
        name=otopicons.Stages.ANSWER_FILE_GENERATED,
        condition=lambda self: self.environment.get(otopicons.DialogEnv.ANSWER_FILE),
    )
    def _answerFile(self):
        lines = ['[environment:default]']
        for key in sorted(self.environment):
            if not key.startswith(otopicons.CoreEnv.QUESTION_PREFIX):
                continue
            value = self.environment[key]
            if isinstance(value, (list, tuple)):
                shown = '\n '.join(value)
            else:
                shown = value
            lines.append('%s=%s:%s' % (key, common.typeName(value), shown))
        content = '\n'.join(lines) + '\n'
        self.environment[otopicons.DialogEnv.ANSWER_FILE_CONTENT] = content
        name = self.resolveFile(self.environment[otopicons.DialogEnv.ANSWER_FILE])
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(content)

    @plugin.event(
        stage=plugin.Stages.STAGE_PRE_TERMINATE,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _preTerminate(self):
        log.dumpEnvironment(self)
