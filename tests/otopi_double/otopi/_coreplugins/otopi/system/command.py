# -*- coding: utf-8 -*-
"""Command provider: COMMAND/<name> keys searched in SYSTEM/commandPath (contract §6.3)."""

import os

from otopi import command, plugin, util
from otopi import constants as otopicons


@util.export
class Plugin(plugin.PluginBase, command.CommandBase):

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)

    def _key(self, name):
        return '%s%s' % (otopicons.BaseEnv.COMMAND_PREFIX, name)

    def _search(self, name):
        path = self.environment.get(otopicons.SysEnv.COMMAND_PATH) or os.environ.get(
            'PATH', '')
        for d in path.split(':'):
            candidate = os.path.join(d, name)
            # otopi takes the first path that exists (os.path.exists)
            if d and os.path.exists(candidate):
                return candidate
        return None

    def _detectAll(self):
        for name in self.enum():
            if self.environment.get(self._key(name)) is None:
                self.environment[self._key(name)] = self._search(name)

    def detect(self, command):
        self.environment.setdefault(self._key(command), None)

    def get(self, command, optional=False):
        # As otopi: an optional get returns what detection found (None for a command never
        # declared with detect() in STAGE_SETUP, even if it exists); only a required get
        # searches on demand.
        path = self.environment.get(self._key(command))
        if path is None and not optional:
            path = self._search(command)
            if path is not None:
                self.environment[self._key(command)] = path
        if path is None and not optional:
            raise RuntimeError("Command '%s' is required but missing" % command)
        return path

    def set(self, command, path):
        self.environment[self._key(command)] = path

    def enum(self):
        prefix = otopicons.BaseEnv.COMMAND_PREFIX
        return sorted(k[len(prefix):] for k in self.environment if k.startswith(prefix))

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
