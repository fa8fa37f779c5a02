# -*- coding: utf-8 -*-
"""Log file with secret filtering (contract §9)."""

import logging
import os
import random
import re
import string
import time

from otopi import common, emulation, plugin, util
from otopi import constants as otopicons

FILTERED = otopicons.Const.LOG_FILTERED
PRIVATE_KEY_RE = re.compile(
    r'-----BEGIN PRIVATE KEY-----\n(?P<filter>.*?)\n-----END PRIVATE KEY-----',
    re.DOTALL,
)


class LogFilter(object):
    """Literal secrets; only .append is part of the contract."""

    def __init__(self):
        self._items = []

    def append(self, value):
        self._items.append(value)

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self):
        return len(self._items)

    def __contains__(self, value):
        return value in self._items

    def __str__(self):
        return 'LogFilter(%d entries)' % len(self._items)


def _tokens(environment):
    for literal in environment.get(otopicons.CoreEnv.LOG_FILTER) or ():
        yield literal
    for key in environment.get(otopicons.CoreEnv.LOG_FILTER_KEYS) or ():
        yield environment.get(key)
    questions = set(environment.get(emulation.LOG_FILTER_QUESTIONS) or ())
    if questions:
        for key, value in list(environment.items()):
            if key.startswith(otopicons.CoreEnv.QUESTION_PREFIX):
                parts = key.split('/', 2)
                if len(parts) == 3 and parts[2] in questions:
                    yield value


def filterText(environment, text):
    """Replace every secret occurrence by **FILTERED** (overlaps merged)."""
    spans = []
    for token in _tokens(environment):
        if token is None or token == '':
            continue
        start = text.find(token)  # non-str token -> TypeError, as in real otopi
        while start != -1:
            spans.append((start, start + len(token)))
            start = text.find(token, start + 1)
    for regex in environment.get(otopicons.CoreEnv.LOG_FILTER_RE) or ():
        for m in regex.finditer(text):
            if m.group('filter'):
                spans.append(m.span('filter'))
    if not spans:
        return text
    spans.sort()
    merged = [list(spans[0])]
    for s, e in spans[1:]:
        if s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out = []
    last = 0
    for s, e in merged:
        out.append(text[last:s])
        out.append(FILTERED)
        last = e
    out.append(text[last:])
    return ''.join(out)


class FilteringFormatter(logging.Formatter):

    def __init__(self, environment, text_timestamps=False):
        super(FilteringFormatter, self).__init__(
            fmt='%(asctime)s %(levelname)s %(name)s %(module)s.%(funcName)s:'
                '%(lineno)d %(message)s',
        )
        self._environment = environment
        self._text_timestamps = text_timestamps

    def formatTime(self, record, datefmt=None):
        stamp = super(FilteringFormatter, self).formatTime(record, datefmt)
        # otopi 1.8 without python-dateutil ends its timestamps with `date +%z` decoded
        # (1.8.4 plugins/otopi/core/log.py:30-49,170-177), so on Python 2 every record is
        # unicode: a str with a byte above 127 in the message or among the filter tokens
        # (content.find(token)) raises UnicodeDecodeError, and the record is lost.
        if self._text_timestamps and isinstance(stamp, bytes):
            return stamp.decode('ascii')
        return stamp

    def format(self, record):
        return filterText(self._environment, super(FilteringFormatter, self).format(record))


def dumpEnvironment(p):
    environment = p.environment
    suppress = environment.get(otopicons.BaseEnv.SUPPRESS_ENVIRONMENT_KEYS) or ()
    p.logger.debug('ENVIRONMENT DUMP - BEGIN')
    for key in sorted(environment):
        value = environment[key]
        shown = '***' if key in suppress else value
        p.logger.debug("ENV %s=%s:'%s'", key, common.typeName(value), shown)
    p.logger.debug('ENVIRONMENT DUMP - END')


@util.export
class Plugin(plugin.PluginBase):

    def __init__(self, context):
        super(Plugin, self).__init__(context=context)
        self._handler = None
        self._keysAtInit = None
        # As otopi's log plugin does (contract §2): the constructor RESETS the filter lists,
        # so anything a plugin put there before (another constructor, the command line) is
        # lost. Plugins must register secrets from a STAGE_BOOT event instead. CORE/logFilter
        # itself only exists from otopi.core.log.init on. otopi 1.8 resets only the keys
        # here (1.8.4 plugins/otopi/core/log.py:201-206), and the regexps in
        # otopi.core.log.init; it has no question filter.
        self.environment[otopicons.CoreEnv.LOG_FILTER_KEYS] = []
        if self.context.otopiVersion != emulation.V1_8:
            self.environment[otopicons.CoreEnv.LOG_FILTER_RE] = [PRIVATE_KEY_RE]
            self.environment[emulation.LOG_FILTER_QUESTIONS] = []

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        name=otopicons.Stages.CORE_LOG_INIT,
    )
    def _init(self):
        env = self.environment
        env.setdefault(otopicons.CoreEnv.LOG_FILTER, LogFilter())
        env.setdefault(otopicons.CoreEnv.LOG_FILTER_KEYS, [])
        if self.context.otopiVersion == emulation.V1_8:
            # 1.8.4 plugins/otopi/core/log.py:208-222: whatever was there is dropped.
            env[otopicons.CoreEnv.LOG_FILTER_RE] = [PRIVATE_KEY_RE]
        else:
            env.setdefault(otopicons.CoreEnv.LOG_FILTER_RE, [PRIVATE_KEY_RE])
            env.setdefault(emulation.LOG_FILTER_QUESTIONS, [])
            env.setdefault(emulation.LOG_FILTER_QUESTIONS_KEYS, [])
        env.setdefault(otopicons.CoreEnv.LOG_REMOVE_AT_EXIT, False)
        env.setdefault(otopicons.CoreEnv.VALIDATE_KEYS_FILTERED_EARLY, False)
        env.setdefault(
            otopicons.CoreEnv.LOG_DIR,
            os.environ.get(otopicons.SystemEnvironment.LOGDIR) or
            os.environ.get('TMPDIR') or '/tmp',
        )
        env.setdefault(otopicons.CoreEnv.LOG_FILE_NAME_PREFIX, 'otopi')
        if env.get(otopicons.CoreEnv.LOG_FILE_NAME) is None:
            name = os.environ.get(otopicons.SystemEnvironment.LOGFILE)
            if not name:
                name = '%s-%s-%s.log' % (
                    env[otopicons.CoreEnv.LOG_FILE_NAME_PREFIX],
                    time.strftime('%Y%m%d%H%M%S'),
                    ''.join(random.choice(string.ascii_lowercase + string.digits)
                            for _ in range(6)),
                )
            env[otopicons.CoreEnv.LOG_FILE_NAME] = name
        logdir = env[otopicons.CoreEnv.LOG_DIR]
        name = os.path.join(logdir, env[otopicons.CoreEnv.LOG_FILE_NAME])
        env[otopicons.CoreEnv.LOG_FILE_NAME] = name
        if not os.path.isdir(os.path.dirname(name)):
            os.makedirs(os.path.dirname(name))
        self._handler = logging.FileHandler(name, encoding='utf-8')
        self._handler.setLevel(logging.DEBUG)
        self._handler.setFormatter(FilteringFormatter(
            env, text_timestamps=self.context.otopiVersion == emulation.V1_8))
        self.context.addLogHandler(self._handler)
        buffered = self.context.bufferHandler
        self.context.removeLogHandler(buffered)
        for record in buffered.records:
            self._handler.handle(record)
        buffered.records = []
        env[otopicons.BaseEnv.LOG] = True
        self._keysAtInit = set(env[otopicons.CoreEnv.LOG_FILTER_KEYS])
        self.logger.debug('otopi test double, log file %s', name)
        self.context.dumpSequence()
        dumpEnvironment(self)

    @plugin.event(
        stage=plugin.Stages.STAGE_VALIDATION,
        priority=plugin.Stages.PRIORITY_FIRST,
        condition=lambda self: self.environment.get(
            otopicons.CoreEnv.VALIDATE_KEYS_FILTERED_EARLY
        ),
    )
    def _validateKeysFilteredEarly(self):
        late = set(self.environment[otopicons.CoreEnv.LOG_FILTER_KEYS]) - (
            self._keysAtInit or set()
        )
        if late:
            raise RuntimeError(
                'Keys were added to %s after log initialization: %s' % (
                    otopicons.CoreEnv.LOG_FILTER_KEYS, ', '.join(sorted(late)),
                )
            )

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 1000,
    )
    def _close(self):
        if self._handler is None:
            return
        self.logger.debug('closing log file')
        self.context.removeLogHandler(self._handler)
        self._handler.close()
        if self.environment.get(otopicons.CoreEnv.LOG_REMOVE_AT_EXIT):
            os.unlink(self.environment[otopicons.CoreEnv.LOG_FILE_NAME])

    def flush(self):
        if self._handler is not None:
            self._handler.flush()
