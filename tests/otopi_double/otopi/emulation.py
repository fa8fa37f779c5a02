"""Which otopi the double behaves as: 1.10 (the default) or 1.8 (otopi-1.8.4, EL7's).

OTOPI_DOUBLE_VERSION=1.8 in the OS environment (or run_otopi(..., otopi_version='1.8'))
selects otopi 1.8, as the bundle of engines 4.0-4.3 runs it on EL7 hosts. Read anew by each
run, so one test process can run both. The differences modelled are those read in
oVirt/otopi tag otopi-1.8.4 against 1.10 (paths below are in src/ of each tree, lines at
that tag) that a plugin group can see:

1. otopi/__init__.py:11-28 (1.8 only): on Python 3 the builtin `unicode` (= str) exists in
   every plugin; 1.10 has no such name. On Python 2, `configparser` and `builtins` are the
   standard library's ConfigParser and __builtin__ (the double's otopi/__init__.py does so).
2. otopi/constants.py: CoreEnv.LOG_FILTER_QUESTIONS and LOG_FILTER_QUESTIONS_KEYS and
   BaseEnv.IGNORE_MISSING_BEFORE_AFTER do not exist in 1.8 (AttributeError where a group
   names them); the key CORE/ignoreMissingBeforeAfter is not in the environment
   (1.10 context.py:228).
3. plugins/otopi/core/log.py:201-211 (1.8): the constructor resets only CORE/logFilterKeys;
   otopi.core.log.init (STAGE_BOOT, :342-347) RESETS CORE/logFilterRe, so a regexp a plugin
   adds before that event is lost. 1.10 resets the regexps in the constructor instead.
4. plugins/otopi/core/config.py:70,117 (1.8): an interpolating ConfigParser over all files at
   once: on Python 2 a value holding '%(' is %-formatted, so '%(x)s' fails the run (or is
   replaced by option x), and a file that does not parse fails it too. 1.10 (:85,150-159)
   reads raw values, file by file, and skips a file that does not parse (a DEBUG line).
5. otopi/packager.py (1.8): PackagerBase has no getConf() or checkForSafeUpdate().
6. otopi/context.py checkSequence (1.8): no check of before/after names at all (1.10
   logs a DEBUG line for each unknown name, :694-742).
7. plugins/otopi/core/log.py:30-49,170-177 (1.8): without python-dateutil the log's
   timestamps end with `date +%z` decoded, so on Python 2 every record is unicode, and the
   filter's content.find(token) raises UnicodeDecodeError for a str token with a byte above
   127. The 1.8 mode's timestamps are unicode too (the real-otopi-el7 env has no
   python-dateutil either; EL7's otopi RPM requires it).
Identical in both (checked): otopi/services.py and plugins/otopi/services/*, the machine
dialog (plugins/otopi/dialog/machine.py differs by one regexp escape), the yum packager
(plugins/otopi/packagers/yumpackager.py, EL7's), plugin loading and module names
(context.py _loadPlugins; util.loadModule uses importlib on Python 3 and imp on Python 2,
under the same name), transactions, the event and stage API (plugin.py).
"""

import builtins
import os
import sys

VERSION_ENV = 'OTOPI_DOUBLE_VERSION'
V1_10 = '1.10'
V1_8 = '1.8'
VERSIONS = (V1_10, V1_8)
PACKAGE_VERSIONS = {V1_10: '1.10.5-double', V1_8: '1.8.4-double'}

# Names only 1.10 has: (class path, attribute) -> value, restored when 1.10 runs again.
_ONLY_1_10 = {}


def version():
    """The otopi version this run emulates."""
    value = os.environ.get(VERSION_ENV) or V1_10
    if value not in VERSIONS:
        raise ValueError('%s=%r: the otopi double emulates otopi %s; set one of them or '
                         'unset it (1.10)' % (VERSION_ENV, value, ' or '.join(VERSIONS)))
    return value


def is18():
    return version() == V1_8


def _only110(owner, name, present):
    key = (owner, name)
    if key not in _ONLY_1_10 and hasattr(owner, name):
        _ONLY_1_10[key] = owner.__dict__[name]
    if present:
        setattr(owner, name, _ONLY_1_10[key])
    elif name in owner.__dict__:
        delattr(owner, name)


def apply():
    """Make the public modules look like the emulated otopi; returns the version."""
    from . import constants, packager

    current = version()
    new = current == V1_10
    _only110(constants.CoreEnv, 'LOG_FILTER_QUESTIONS', new)
    _only110(constants.CoreEnv, 'LOG_FILTER_QUESTIONS_KEYS', new)
    _only110(constants.BaseEnv, 'IGNORE_MISSING_BEFORE_AFTER', new)
    _only110(packager.PackagerBase, 'getConf', new)
    _only110(packager.PackagerBase, 'checkForSafeUpdate', new)
    if sys.version_info[0] == 2:
        pass  # Python 2's own unicode, in 1.8 as in every program
    elif new:
        if getattr(builtins, 'unicode', None) is str:
            del builtins.unicode
    else:
        builtins.unicode = str
    return current


# The double's own code names these keys by their text: they may be absent in 1.8 mode.
LOG_FILTER_QUESTIONS = 'CORE/logFilterQuestions'
LOG_FILTER_QUESTIONS_KEYS = 'CORE/logFilterQuestionsKeys'
IGNORE_MISSING_BEFORE_AFTER = 'CORE/ignoreMissingBeforeAfter'
