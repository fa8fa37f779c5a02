"""Command provider: COMMAND/<name> keys searched in SYSTEM/commandPath (contract §6.3)."""

import os

from otopi import command, plugin, util
from otopi import constants as otopicons


@util.export
class Plugin(plugin.PluginBase, command.CommandBase):

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)
        self._commands = set()

    def _key(self, name):
        return '%s%s' % (otopicons.BaseEnv.COMMAND_PREFIX, name)

    def _search(self, name):
        path = self.environment.get(otopicons.SysEnv.COMMAND_PATH) or os.environ.get(
            'PATH', '')
        for d in path.split(':'):
            candidate = os.path.join(d, name)
            if d and os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
                return candidate
        return None

    def _detectAll(self):
        for name in sorted(self._commands):
            if self.environment.get(self._key(name)) is None:
                self.environment[self._key(name)] = self._search(name)

    def detect(self, command):
        self._commands.add(command)

    def get(self, command, optional=False):
        path = self.environment.get(self._key(command))
        if path is None:
            path = self._search(command)
            if path is not None:
                self.environment[self._key(command)] = path
        if path is None and not optional:
            raise RuntimeError("Command '%s' is required but missing" % command)
        return path

    def set(self, command, path):
        self.environment[self._key(command)] = path

    def enum(self):
        return sorted(self._commands)

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _boot(self):
        self.context.registerCommand(command=self)

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
    )
    def _init(self):
        self.environment.setdefault(otopicons.SysEnv.COMMAND_PATH, os.environ.get('PATH', ''))

    @plugin.event(
        stage=plugin.Stages.STAGE_PROGRAMS,
        name=otopicons.Stages.SYSTEM_COMMAND_DETECTION,
    )
    def _programs(self):
        self._detectAll()

    @plugin.event(
        stage=plugin.Stages.STAGE_MISC,
        priority=plugin.Stages.PRIORITY_HIGH,
        name=otopicons.Stages.SYSTEM_COMMAND_REDETECTION,
    )
    def _redetect(self):
        self._detectAll()
