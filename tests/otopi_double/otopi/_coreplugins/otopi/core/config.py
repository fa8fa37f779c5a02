# -*- coding: utf-8 -*-
"""Config files: [environment:default|init|override|enforce] (contract §1.5)."""

import configparser
import glob
import os

from otopi import common, plugin, util
from otopi import constants as otopicons


@util.export
class Plugin(plugin.PluginBase):

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)
        self._config = None

    def _expand(self, value, warn):
        files = []
        for entry in (value or '').split(':'):
            if not entry:
                continue
            path = self.resolveFile(entry)
            if os.path.exists(path):
                files.append(path)
            elif warn:
                self.logger.warning("Config file '%s' not found", path)
            files.extend(sorted(glob.glob(os.path.join(path + '.d', '*.conf'))))
        return files

    def _apply(self, section, override):
        if self._config is None or not self._config.has_section(section):
            return
        for key, value in self._config.items(section):
            parsed = common.parseTypedValue(value)
            if override:
                self.environment[key] = parsed
            else:
                self.environment.setdefault(key, parsed)

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
        priority=plugin.Stages.PRIORITY_HIGH - 10,
        name=otopicons.Stages.CORE_CONFIG_INIT,
    )
    def _init(self):
        self.environment.setdefault(
            otopicons.CoreEnv.CONFIG_FILE_NAME,
            os.environ.get(otopicons.SystemEnvironment.CONFIG, '/etc/otopi.conf'),
        )
        self.environment.setdefault(otopicons.CoreEnv.CONFIG_FILE_APPEND, None)
        files = self._expand(self.environment[otopicons.CoreEnv.CONFIG_FILE_NAME], False)
        files += self._expand(self.environment[otopicons.CoreEnv.CONFIG_FILE_APPEND], True)
        self._config = configparser.RawConfigParser()
        self._config.optionxform = str
        self.logger.debug('reading config files: %s', files)
        for f in files:
            self._config.read(f)
        self._apply('environment:default', override=False)
        self._apply('environment:init', override=True)

    @plugin.event(
        stage=plugin.Stages.STAGE_CUSTOMIZATION,
        priority=plugin.Stages.PRIORITY_HIGH,
    )
    def _override(self):
        self._apply('environment:override', override=True)

    @plugin.event(
        stage=plugin.Stages.STAGE_CUSTOMIZATION,
        priority=plugin.Stages.PRIORITY_LOW,
    )
    def _enforce(self):
        self._apply('environment:enforce', override=True)
