# -*- coding: utf-8 -*-
"""Config files: [environment:default|init|override|enforce] (contract §1.5)."""

import configparser
import glob
import os
import re
import sys

from otopi import common, emulation, plugin, util
from otopi import constants as otopicons

if sys.version_info[0] == 2:
    # On Python 2.7 configparser is the standard ConfigParser (otopi/__init__.py aliases it,
    # as otopi 1.8 does): its ConfigParser() interpolates so already.
    Python2Interpolation = None
else:
    class Python2Interpolation(configparser.Interpolation):
        """What otopi 1.8's ConfigParser() does to a value on EL7's Python 2.7 (its
        ConfigParser._interpolate): a value holding '%(' is %-formatted with the section's
        options as names, up to 10 times; '%(name)s' of an unknown name fails, and so does any
        other '%' in such a value. A value without '%(' is left as it is."""

        _KEYCRE = re.compile(r'%\(([^)]*)\)s|.')
        _DEPTH = 10

        def before_get(self, parser, section, option, value, defaults):
            rawval = value
            depth = self._DEPTH
            while depth and value and '%(' in value:
                depth -= 1
                value = self._KEYCRE.sub(
                    lambda m: '%%(%s)s' % m.group(1) if m.group(1) is not None else m.group(0),
                    value)
                try:
                    value = value % defaults
                except KeyError as e:
                    raise configparser.InterpolationMissingOptionError(
                        option, section, rawval, e.args[0])
            if value and '%(' in value:
                raise configparser.InterpolationDepthError(option, section, rawval)
            return value


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
        self.logger.debug('reading config files: %s', files)
        if self.context.otopiVersion == emulation.V1_8:
            # 1.8.4 plugins/otopi/core/config.py:70,117: ConfigParser() reads every file at
            # once; a file that does not parse fails the run.
            if Python2Interpolation is None:
                self._config = configparser.ConfigParser()
            else:
                self._config = configparser.ConfigParser(interpolation=Python2Interpolation())
            self._config.optionxform = str
            self._config.read(files)
        else:
            # 1.10 plugins/otopi/core/config.py:85,150-159: raw values, file by file; a
            # file that does not parse is skipped with a DEBUG line.
            self._config = configparser.RawConfigParser()
            self._config.optionxform = str
            for f in files:
                try:
                    if sys.version_info[0] == 2:  # native str values, as otopi hands them
                        with open(f) as stream:
                            self._config.readfp(stream, f)
                    else:
                        with open(f, encoding='utf-8') as stream:
                            self._config.read_file(stream, f)
                except Exception:
                    self.logger.debug('Failed to read config file %s', f, exc_info=True)
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
