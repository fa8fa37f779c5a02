# -*- coding: utf-8 -*-
"""Human and machine dialog providers (contract §6.4, §10)."""

import logging

from otopi import common, dialog, plugin
from otopi import constants as otopicons
from otopi import context as otopicontext


class _Dialect(dialog.DialogBase):

    def __init__(self, context):
        super(_Dialect, self).__init__()
        self._context = context
        self._occurrences = {}

    @property
    def environment(self):
        return self._context.environment

    @property
    def boundary(self):
        return self.environment[otopicons.DialogEnv.BOUNDARY]

    @property
    def abortBoundary(self):
        return otopicons.Const.DIALOG_ABORT_BOUNDARY

    def _raw(self, line):
        out = self._context.stdout
        out.write(line + '\n')
        out.flush()

    def _write(self, line):
        self.logger.debug('DIALOG:SEND       %s', line)
        self._raw(line)

    def _readline(self, hidden=False):
        line = self._context.stdin.readline()
        if not line:
            raise IOError('End of file')
        line = line.rstrip('\r\n')
        if hidden and line:
            self.environment[otopicons.CoreEnv.LOG_FILTER].append(line)
        self.logger.debug('DIALOG:RECEIVE    %s', line)
        return line

    def _questionKey(self, name):
        n = self._occurrences.get(name, 0) + 1
        self._occurrences[name] = n
        return '%s%d/%s' % (otopicons.CoreEnv.QUESTION_PREFIX, n, name)

    @staticmethod
    def _match(value, validValues, caseSensitive):
        if validValues is None:
            return value
        for v in validValues:
            if v == value or (not caseSensitive and v.lower() == value.lower()):
                return v
        return None

    def logRecord(self, record):
        raise NotImplementedError()

    def queryString(self, name, note=None, validValues=None, caseSensitive=True,
                    hidden=False, prompt=False, default=None):
        key = self._questionKey(name)
        if key in self.environment:
            value = self.environment[key]
        else:
            value = self._ask(name, note, validValues, caseSensitive, hidden, default)
            self.environment[key] = value
        if hidden and value:
            self.environment[otopicons.CoreEnv.LOG_FILTER].append(value)
        return value

    def _noteText(self, note, validValues, default):
        if note is None:
            return None
        return note.replace(
            '@VALUES@', ', '.join(validValues or ()),
        ).replace('@DEFAULT@', '' if default is None else str(default))

    def queryMultiString(self, name, note=None):
        if note:
            self.note(note)
        self._write('***Q:MULTI-STRING %s %s %s' % (name, self.boundary, self.abortBoundary))
        lines = []
        while True:
            line = self._readline()
            if line == self.boundary:
                return lines
            if line == self.abortBoundary:
                raise otopicontext.Abort('Aborted by dialog')
            lines.append(line)

    def queryValue(self, name, note=None):
        if note:
            self.note(note)
        self._write('***Q:VALUE %s' % name)
        line = self._readline()
        if line == 'ABORT %s' % name:
            raise otopicontext.Abort('Aborted by dialog')
        prefix = 'VALUE %s=' % name
        if not line.startswith(prefix):
            raise RuntimeError("Invalid response '%s' for value %s" % (line, name))
        return common.parseTypedValue(line[len(prefix):])

    def displayValue(self, name, value, note=None):
        if note:
            self.note(note)
        self._write('***D:VALUE %s=%s:%s' % (name, common.typeName(value), value))

    def displayMultiString(self, name, value, note=None):
        if note:
            self.note(note)
        self._write('***D:MULTI-STRING %s %s' % (name, self.boundary))
        for line in value:
            self._raw(line)
        self._write(self.boundary)


class HumanDialog(_Dialect):

    LEVELS = {
        'DEBUG': '[ DEBUG ]', 'INFO': '[ INFO  ]', 'WARNING': '[WARNING]',
        'ERROR': '[ ERROR ]', 'CRITICAL': '[CRITICAL]',
    }

    def logRecord(self, record):
        self._raw('%s %s' % (self.LEVELS.get(record.levelname, record.levelname),
                             record.getMessage()))

    def note(self, text=None, prompt=False):
        if text is None:
            text = ''
        if isinstance(text, (list, tuple)):
            text = '\n'.join(text)
        for line in text.splitlines() or ['']:
            self._write(line)

    def _ask(self, name, note, validValues, caseSensitive, hidden, default):
        if self.environment.get(otopicons.DialogEnv.AUTO_ACCEPT_DEFAULT) and (
            default is not None
        ):
            return default
        while True:
            text = self._noteText(note, validValues, default)
            self.note(text if text is not None else 'Please specify %s:' % name)
            line = self._readline(hidden=hidden)
            if line == '' and default is not None:
                line = str(default)
            value = self._match(line, validValues, caseSensitive)
            if value is not None:
                return value
            self.logger.error("Invalid value '%s'", line)

    def confirm(self, name, description, note=None, prompt=False):
        return self.queryString(
            name='DIALOG_CONFIRM/%s' % name,
            note=note if note is not None else '%s (yes/no): ' % description,
            validValues=('yes', 'no'),
            caseSensitive=False,
        ) == 'yes'


class MachineDialog(_Dialect):

    _terminated = False

    def _raw(self, line):
        # nothing may follow ***TERMINATE
        if not self._terminated:
            super(MachineDialog, self)._raw(line)

    def logRecord(self, record):
        self._raw('***L:%s %s' % (
            record.levelname, record.getMessage().replace('\n', ' ')))

    def note(self, text=None, prompt=False):
        if text is None:
            text = ''
        if isinstance(text, (list, tuple)):
            text = '\n'.join(text)
        for line in text.splitlines() or ['']:
            self._write('### %s' % line if line else '###')

    @staticmethod
    def _escape(v):
        return v.replace('\\', '\\\\').replace('|', '\\|')

    def _ask(self, name, note, validValues, caseSensitive, hidden, default):
        text = self._noteText(note, validValues, default)
        if text:
            self.note(text)
        self._write('**%%QStart: %s' % name)
        if default is not None:
            self._write('**%%QDefault: %s' % default)
        if validValues is not None:
            self._write('**%%QValidValues: %s' % '|'.join(
                self._escape(v) for v in validValues))
        self._write('**%%QHidden: %s' % ('TRUE' if hidden else 'FALSE'))
        self._write('**%%QEnd: %s' % name)
        self._write('***Q:STRING %s' % name)
        line = self._readline(hidden=hidden)
        if line == '' and default is not None:
            line = str(default)
        value = self._match(line, validValues, caseSensitive)
        if value is None:
            raise RuntimeError("Invalid value '%s' for %s" % (line, name))
        return value

    def confirm(self, name, description, note=None, prompt=False):
        if note:
            self.note(note)
        self._write('***CONFIRM %s %s' % (name, description))
        line = self._readline()
        if line == 'ABORT %s' % name:
            raise otopicontext.Abort('Aborted by dialog')
        prefix = 'CONFIRM %s=' % name
        if not line.startswith(prefix):
            raise RuntimeError("Invalid response '%s' for confirm %s" % (line, name))
        return line[len(prefix):].strip().lower() == 'yes'

    def terminate(self):
        self._write('***TERMINATE')
        self._terminated = True

    def eventLine(self, kind, stage, method):
        self._write('**%%%s STAGE %s METHOD %s (%s)' % (
            kind, plugin.Stages.stage_id(stage), method['fullname'], method['name']))


class ConsoleHandler(logging.Handler):
    """INFO+ records to the dialog, never filtered."""

    def __init__(self, dialect):
        super(ConsoleHandler, self).__init__(level=logging.INFO)
        self._dialect = dialect

    def emit(self, record):
        try:
            self._dialect.logRecord(record)
        except Exception:
            self.handleError(record)
