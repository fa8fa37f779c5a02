# -*- coding: utf-8 -*-
"""The context: environment, providers, plugin loading, sequence building and running."""

import glob
import logging
import os
import random
import re
import sys
import traceback

from . import base, command, constants, dialog, emulation, packager, plugin, services, util

NOTIFY_ERROR = 0
NOTIFY_REEXEC = 1

_MODULE_PREFIX = 'otopi.plugins'
# otopi loads plugin directories in unsorted (glob) order (contract §2). The double sorts, for
# reproducible runs, unless this OS variable holds a seed: then it shuffles with that seed,
# so tests can prove a group does not rely on the load order.
SHUFFLE_LOAD_ENV = 'OTOPI_DOUBLE_SHUFFLE_LOAD'


def _loadOrder(directory, rng):
    entries = sorted(os.listdir(directory))
    if rng is not None:
        rng.shuffle(entries)
    return entries


@util.export
class Abort(Exception):
    """Raise to abort the run (sets BASE/aborted)."""


class PluginLoadException(Exception):
    """Loading plugins failed (exit code 2)."""


class SequenceException(Exception):
    """Building the sequence failed (exit code 1, message on stdout)."""


class _BufferHandler(logging.Handler):
    """Keeps records until the log file exists."""

    def __init__(self):
        super(_BufferHandler, self).__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _methodFullName(method):
    return '%s.%s.%s' % (
        method.__self__.__class__.__module__,
        method.__self__.__class__.__name__,
        method.__name__,
    )


@util.export
class Context(base.Base):

    def __init__(self, stdin=None, stdout=None):
        super(Context, self).__init__()
        self.otopiVersion = emulation.apply()
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self._plugins = []
        self._loadRng = None
        self.loadOrder = []  # plugin package modules, in the order they were loaded
        self._sequence = {}
        self._methods = []
        self._notifications = []
        self._preEventCallbacks = []
        self._postEventCallbacks = []
        self._currentStage = None
        self._handlers = []
        self.executedEvents = []
        self.environment = {
            constants.BaseEnv.ERROR: False,
            constants.BaseEnv.ABORTED: False,
            constants.BaseEnv.EXCEPTION_INFO: [],
            constants.BaseEnv.EXIT_CODE: [{
                'priority': plugin.Stages.PRIORITY_LAST + 1,
                'code': constants.Const.EXIT_CODE_SUCCESS,
            }],
            constants.BaseEnv.LOG: False,
            constants.BaseEnv.PLUGIN_PATH: self.corePluginDir(),
            constants.BaseEnv.PLUGIN_GROUPS: 'otopi',
            constants.BaseEnv.DEBUG: self.debugLevel(),
            constants.BaseEnv.EXECUTION_DIRECTORY: os.getcwd(),
            constants.BaseEnv.SUPPRESS_ENVIRONMENT_KEYS: [],
            constants.BaseEnv.RANDOMIZE_EVENTS: False,
            constants.BaseEnv.FAIL_ON_PRIO_OVERRIDE: True,
        }
        if self.otopiVersion != emulation.V1_8:
            self.environment[emulation.IGNORE_MISSING_BEFORE_AFTER] = True
        self._dialog = dialog.DialogBase()
        self._services = services.ServicesBase()
        self._packager = packager.PackagerBase()
        self._command = command.CommandBase()
        self.otopiLogger = logging.getLogger('otopi')
        self.otopiLogger.setLevel(logging.DEBUG)
        self.otopiLogger.propagate = False
        self.bufferHandler = _BufferHandler()
        self.addLogHandler(self.bufferHandler)

    # -- helpers ---------------------------------------------------------
    @staticmethod
    def corePluginDir():
        from . import COREPLUGINDIR
        return COREPLUGINDIR

    @staticmethod
    def debugLevel():
        try:
            return int(os.environ.get(constants.SystemEnvironment.DEBUG, '0'))
        except ValueError:
            return 1

    def debugPrint(self, msg):
        if self.environment.get(constants.BaseEnv.DEBUG):
            sys.stderr.write('otopi-double: %s\n' % msg)

    def addLogHandler(self, handler):
        self.otopiLogger.addHandler(handler)
        self._handlers.append(handler)

    def removeLogHandler(self, handler):
        self.otopiLogger.removeHandler(handler)
        if handler in self._handlers:
            self._handlers.remove(handler)

    def close(self):
        """Detach every log handler this run added (safe to call twice)."""
        for handler in list(self._handlers):
            self.removeLogHandler(handler)
            try:
                handler.close()
            except Exception:
                pass

    # -- providers -------------------------------------------------------
    @property
    def dialog(self):
        return self._dialog

    @property
    def services(self):
        return self._services

    @property
    def packager(self):
        return self._packager

    @property
    def command(self):
        return self._command

    @property
    def currentStage(self):
        return self._currentStage

    def registerDialog(self, dialog):
        self._dialog = dialog

    def registerServices(self, services):
        self._services = services

    def registerPackager(self, packager):
        self._packager = packager

    def registerCommand(self, command):
        self._command = command

    def registerPlugin(self, p):
        self._plugins.append(p)

    def registerNotification(self, notification):
        self._notifications.append(notification)

    def registerPreEventCallback(self, callback):
        self._preEventCallbacks.append(callback)

    def registerPostEventCallback(self, callback):
        self._postEventCallbacks.append(callback)

    def notify(self, event):
        for notification in self._notifications:
            notification(event=event)

    # -- loading ---------------------------------------------------------
    @staticmethod
    def _moduleName(group, relpath):
        # otopi synthesizes the group and the directories above the package (every character
        # but alnum, '.' and '_' becomes '_') but keeps the package's own directory name as
        # it is (contract §0.1): group ovirt-host-deploy, directory hosted-engine ->
        # otopi.plugins.ovirt_host_deploy.hosted-engine
        parts = relpath.split(os.sep)
        prefix = [re.sub(r'[^A-Za-z0-9._]', '_', part) for part in [group] + parts[:-1]]
        return '.'.join([_MODULE_PREFIX] + prefix + parts[-1:])

    def _loadPackage(self, group, groupdir, pkgdir):
        name = self._moduleName(group, os.path.relpath(pkgdir, groupdir))
        self.debugPrint('loading plugin package %s from %s' % (name, pkgdir))
        self.loadOrder.append(name)
        util.loadPackage(pkgdir, name).createPlugins(self)

    def _loadGroup(self, group, groupdir, directory):
        for entry in _loadOrder(directory, self._loadRng):
            if entry.startswith('_') or entry.startswith('.'):
                continue
            full = os.path.join(directory, entry)
            if not os.path.isdir(full):
                continue
            # otopi takes any __init__.py* (glob) as the mark of a plugin package
            if glob.glob(os.path.join(full, '__init__.py*')):
                self._loadPackage(group, groupdir, full)
            else:
                self._loadGroup(group, groupdir, full)

    def loadPlugins(self):
        for name in list(sys.modules):
            if name == _MODULE_PREFIX or name.startswith(_MODULE_PREFIX + '.'):
                del sys.modules[name]
        path = [
            p for p in self.environment[constants.BaseEnv.PLUGIN_PATH].split(':') if p
        ]
        if self.corePluginDir() not in path:
            path.append(self.corePluginDir())
        groups = [
            g for g in self.environment[constants.BaseEnv.PLUGIN_GROUPS].split(':') if g
        ]
        seed = os.environ.get(SHUFFLE_LOAD_ENV)
        self._loadRng = random.Random(seed) if seed else None
        self.loadOrder = []
        if 'otopi' not in groups:
            groups.insert(0, 'otopi')
        found = set()
        try:
            for entry in path:
                if not os.path.isdir(entry):
                    continue
                for candidate in _loadOrder(entry, self._loadRng):
                    groupdir = os.path.join(entry, candidate)
                    if candidate in groups and os.path.isdir(groupdir):
                        found.add(candidate)
                        self._loadGroup(candidate, groupdir, groupdir)
        except Exception as e:
            raise PluginLoadException('Plugin loading failed: %s' % e)
        if set(groups) - found:
            raise PluginLoadException(
                "plugin groups not found: '%s' (plugin path: '%s')" % (
                    ':'.join(groups), ':'.join(path),
                )
            )

    # -- sequence --------------------------------------------------------
    def _collectMethods(self):
        methods = []
        for p in self._plugins:
            for attrname, attr in p.__class__.__dict__.items():
                info = getattr(attr, 'decoration_event', None)
                if info is None:
                    continue
                method = getattr(p, attrname)
                entry = dict(info)
                entry['method'] = method
                entry['fullname'] = _methodFullName(method)
                methods.append(entry)
        return methods

    @staticmethod
    def _describe(m):
        return '%s (%s)' % (m['fullname'], m['name'])

    def buildSequence(self):
        methods = self._collectMethods()
        for m in methods:
            if m['stage'] is None:
                raise TypeError('stage of %s is None' % m['fullname'])
        names = {}
        for m in methods:
            if m['name'] is not None:
                if m['name'] in names:
                    raise SequenceException('error: duplicate name: %s' % m['name'])
                names[m['name']] = m
        deps = []
        for i, m in enumerate(methods):
            d = set()
            for j, o in enumerate(methods):
                if i == j:
                    continue
                explicit = (
                    (o['name'] is not None and o['name'] in m['after']) or
                    (m['name'] is not None and m['name'] in o['before'])
                )
                if explicit:
                    if o['stage'] > m['stage']:
                        raise SequenceException(
                            'error: method %s is in a later stage than method %s '
                            'although it depends on it' % (
                                self._describe(o), self._describe(m),
                            )
                        )
                    if o['stage'] == m['stage'] and o['priority'] > m['priority']:
                        raise SequenceException(
                            'error: method %s has a higher priority than method %s '
                            'although dependencies require opposite order; '
                            'toposort failed due to a cycle' % (
                                self._describe(m), self._describe(o),
                            )
                        )
                    d.add(j)
                elif o['stage'] == m['stage'] and o['priority'] < m['priority']:
                    d.add(j)
            deps.append(d)
        self.debugPrint('dependencies: %s' % {
            methods[i]['fullname']: sorted(methods[j]['fullname'] for j in d)
            for i, d in enumerate(deps)
        })
        remaining = set(range(len(methods)))
        ordered = []
        randomize = self.environment[constants.BaseEnv.RANDOMIZE_EVENTS]
        while remaining:
            level = [i for i in remaining if not (deps[i] & remaining)]
            if not level:
                raise SequenceException(
                    'error: toposort failed due to a cycle among: %s' % ', '.join(
                        sorted(self._describe(methods[i]) for i in remaining)
                    )
                )
            if randomize:
                random.shuffle(level)
            else:
                level.sort(key=lambda i: methods[i]['fullname'])
            ordered.extend(level)
            remaining -= set(level)
        self._methods = methods
        self._sequence = {}
        for stage in plugin.Stages.DATABASE:
            self._sequence[stage] = []
        for i in ordered:
            self._sequence[methods[i]['stage']].append(methods[i])

    def sequenceLines(self):
        lines = []
        for stage in sorted(self._sequence):
            lines.append('STAGE %s' % plugin.Stages.stage_id(stage))
            for m in self._sequence[stage]:
                lines.append('    METHOD %s (%s)' % (m['fullname'], m['name']))
        return lines

    def dumpSequence(self):
        self.logger.debug('SEQUENCE DUMP - BEGIN')
        for line in self.sequenceLines():
            self.logger.debug(line)
        self.logger.debug('SEQUENCE DUMP - END')

    def eventsList(self):
        """(stage id, full method name, name) of every event, in run order."""
        return [
            (plugin.Stages.stage_id(stage), m['fullname'], m['name'])
            for stage in sorted(self._sequence)
            for m in self._sequence[stage]
        ]

    def checkSequence(self):
        """STAGE_SETUP check, with otopi's messages: a bare-string before/after is an error;
        an unknown name is a DEBUG line, and an error only with
        CORE/ignoreMissingBeforeAfter=False. otopi 1.8 does not look at the names at all."""
        names = set(m['name'] for m in self._methods if m['name'] is not None)
        ok = True
        for m in self._methods:
            for which in ('before', 'after'):
                value = m[which]
                if isinstance(value, str):
                    ok = False
                    self.logger.error(
                        '"%s" parameter of method %s is a string, should probably be a '
                        'tuple. Perhaps a missing comma?', which, m['fullname'])
                    continue
                if self.otopiVersion == emulation.V1_8:
                    continue
                for target in value:
                    if target in names:
                        continue
                    if not self.environment[emulation.IGNORE_MISSING_BEFORE_AFTER]:
                        ok = False
                    self.logger.debug(
                        '"%s" parameter of method "%s" refers to a method name "%s", but '
                        'no method with this name exists', which, m['fullname'], target)
        if not ok:
            raise RuntimeError('Found bad "before" or "after" parameters')

    # -- running ---------------------------------------------------------
    def _executeMethod(self, stage, m):
        for callback in self._preEventCallbacks:
            callback(stage=stage, method=m)
        # As otopi: the METHOD line (without the event name) is logged before the condition
        # is evaluated, and only once the log exists; a false condition adds its own line.
        if self.environment[constants.BaseEnv.LOG]:
            self.logger.debug(
                'Stage %s METHOD %s', plugin.Stages.stage_id(stage), m['fullname'],
            )
        try:
            if m['condition'](m['method'].__self__):
                self.executedEvents.append(
                    (plugin.Stages.stage_id(stage), m['fullname'], m['name'])
                )
                m['method']()
            else:
                self.logger.debug('%s condition False', m['fullname'])
        except Exception as e:
            self.environment[constants.BaseEnv.ERROR] = True
            self.environment[constants.BaseEnv.EXCEPTION_INFO].append(sys.exc_info())
            self.logger.debug('Exception in %s', m['fullname'], exc_info=True)
            if isinstance(e, Abort):
                self.environment[constants.BaseEnv.ABORTED] = True
                self.logger.warning('Aborted')
            else:
                self.logger.error(
                    "Failed to execute stage '%s': %s",
                    plugin.Stages.stage_str(stage), e,
                )
            self.notify(event=NOTIFY_ERROR)
        for callback in self._postEventCallbacks:
            callback(stage=stage, method=m)

    def runSequence(self):
        for stage in sorted(self._sequence):
            ifSuccess = plugin.Stages.DATABASE[stage]['if-success']
            if self.environment[constants.BaseEnv.ERROR] and ifSuccess:
                continue
            self._currentStage = stage
            self.logger.info('Stage: %s', plugin.Stages.stage_str(stage))
            for m in self._sequence[stage]:
                if self.environment[constants.BaseEnv.ERROR] and ifSuccess:
                    break
                self._executeMethod(stage, m)
        infos = self.environment[constants.BaseEnv.EXCEPTION_INFO]
        if infos:
            raise infos[0][1].with_traceback(infos[0][2])

    def formatException(self):
        return ''.join(traceback.format_exc())
