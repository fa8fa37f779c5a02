# -*- coding: utf-8 -*-
"""CUSTOMIZATION_COMMAND / TERMINATION_COMMAND prompts (contract §10)."""

import shlex

from otopi import common, plugin, util
from otopi import constants as otopicons
from otopi import context as otopicontext

_SETTABLE_TYPES = ('bool', 'int', 'str')


def _options(args):
    opts = {}
    names = {'-k': 'key', '--key': 'key', '-t': 'type', '--type': 'type',
             '-v': 'value', '--value': 'value'}
    i = 0
    while i < len(args):
        arg = args[i]
        if '=' in arg and arg.split('=', 1)[0] in names:
            opt, val = arg.split('=', 1)
            opts[names[opt]] = val
            i += 1
        elif arg in names and i + 1 < len(args):
            opts[names[arg]] = args[i + 1]
            i += 2
        else:
            raise RuntimeError("Invalid option '%s'" % arg)
    return opts


@util.export
class Plugin(plugin.PluginBase):

    def _key(self, opts):
        if 'key' not in opts:
            raise RuntimeError('Missing -k KEY')
        return opts['key']

    def _envGet(self, opts):
        key = self._key(opts)
        value = self.environment.get(key)
        if isinstance(value, (list, tuple)):
            self.dialog.displayMultiString(key, [str(v) for v in value])
        else:
            self.dialog.displayValue(key, value)

    def _log(self, opts):
        for handler in list(self.context._handlers):
            handler.flush()
        name = self.environment.get(otopicons.CoreEnv.LOG_FILE_NAME)
        with open(name, 'rb') as f:
            content = f.read()
        if not isinstance(content, str):  # Python 3; on 2.7 the bytes are the native str
            content = content.decode('utf-8', 'replace')
        boundary = self.environment[otopicons.DialogEnv.BOUNDARY]
        lines = [line.replace(boundary, '**BOUNDARY**') for line in content.splitlines()]
        self.dialog.displayMultiString('LOG', lines)

    def _envQuery(self, opts):
        key = self._key(opts)
        self.environment[key] = self.dialog.queryValue(key)

    def _envQueryMulti(self, opts):
        key = self._key(opts)
        self.environment[key] = self.dialog.queryMultiString(key)

    def _envSet(self, opts):
        key = self._key(opts)
        vtype = opts.get('type', 'str')
        if vtype not in _SETTABLE_TYPES:
            raise RuntimeError("Invalid type '%s'" % vtype)
        self.environment[key] = common.parseTypedValue('%s:%s' % (vtype, opts.get('value', '')))

    def _envShow(self, opts):
        self.dialog.note(['%s=%s:%s' % (k, common.typeName(v), v)
                          for k, v in sorted(self.environment.items())])

    def _exceptionShow(self, opts):
        self.dialog.note([str(e[1]) for e in
                          self.environment[otopicons.BaseEnv.EXCEPTION_INFO]])

    def _help(self, opts):
        self.dialog.note(sorted(self._commands))

    def _noop(self, opts):
        pass

    def _abort(self, opts):
        raise otopicontext.Abort('Aborted by user')

    _commands = {
        'env-query': _envQuery,
        'env-query-multi': _envQueryMulti,
        'env-set': _envSet,
        'env-get': _envGet,
        'env-show': _envShow,
        'exception-show': _exceptionShow,
        'help': _help,
        'noop': _noop,
        'log': _log,
    }

    def _loop(self, name, leave, extra):
        while True:
            line = self.dialog.queryString(
                name=name,
                note='COMMAND> ',
                prompt=True,
            )
            args = shlex.split(line)
            if not args:
                continue
            command, rest = args[0], args[1:]
            if command == leave:
                return
            handler = extra.get(command) or self._commands.get(command)
            if handler is None:
                self.logger.error("Invalid command '%s'", command)
                continue
            handler(self, _options(rest))

    @plugin.event(
        stage=plugin.Stages.STAGE_CUSTOMIZATION,
        name=otopicons.Stages.DIALOG_CLI_CUSTOMIZATION,
        condition=lambda self: self.environment.get(otopicons.DialogEnv.CUSTOMIZATION),
    )
    def _customization(self):
        self._loop('CUSTOMIZATION_COMMAND', 'install', {'abort': Plugin._abort})

    @plugin.event(
        stage=plugin.Stages.STAGE_PRE_TERMINATE,
        name=otopicons.Stages.DIALOG_CLI_TERMINATION,
        condition=lambda self: self.environment.get(otopicons.DialogEnv.CUSTOMIZATION),
    )
    def _termination(self):
        self._loop('TERMINATION_COMMAND', 'quit', {})
