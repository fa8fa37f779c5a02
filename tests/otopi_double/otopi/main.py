# -*- coding: utf-8 -*-
"""Run otopi in-process: parse statements, load plugins, build and run the sequence."""

import json
import os
import shlex
import sys
import traceback

from . import common, constants, plugin
from . import context as otopicontext

ENV_DUMP = 'OTOPI_DOUBLE_ENV_DUMP'


class StatementError(Exception):
    """Bad command-line statement."""


def parseStatements(environment, argv):
    """Apply KEY=type:value, APPEND:KEY=..., PREPEND:KEY=... tokens (contract §1.3)."""
    for arg in argv:
        for token in shlex.split(arg):
            if '=' not in token:
                continue
            key, value = token.split('=', 1)
            try:
                value = common.parseTypedValue(value)
            except (RuntimeError, ValueError) as e:
                raise StatementError(str(e))
            if key.startswith('APPEND:'):
                key = key[len('APPEND:'):]
                value = '%s:%s' % (environment.get(key, ''), value)
            elif key.startswith('PREPEND:'):
                key = key[len('PREPEND:'):]
                value = '%s:%s' % (value, environment.get(key, ''))
            environment[key] = value


def _jsonable(environment):
    result = {}
    for key, value in environment.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        result[key] = value
    return result


def writeEnvDump(path, ctx):
    with open(path, 'w') as f:
        json.dump(
            {
                'environment': _jsonable(ctx.environment),
                'events': ctx.executedEvents,
            },
            f,
            indent=1,
            sort_keys=True,
        )


def exitCode(environment):
    entries = environment[constants.BaseEnv.EXIT_CODE]
    code = min(entries, key=lambda e: e['priority'])['code']
    if environment[constants.BaseEnv.ERROR]:
        code = max(code, constants.Const.EXIT_CODE_GENERAL_ERROR)
    return code


def execute(argv, stdin=None, stdout=None):
    """Run once; returns (exit code, context). Never raises for run failures."""
    out = stdout if stdout is not None else sys.stdout
    ctx = otopicontext.Context(stdin=stdin, stdout=out)
    env = ctx.environment
    env[constants.BaseEnv.EXECUTION_DIRECTORY] = os.environ.get(
        constants.SystemEnvironment.EXECDIR, os.getcwd(),
    )
    olddir = os.getcwd()
    os.chdir('/')
    code = constants.Const.EXIT_CODE_GENERAL_ERROR
    try:
        try:
            parseStatements(env, argv)
        except StatementError as e:
            ctx.debugPrint('bad statement: %s' % e)
            return code, ctx
        try:
            ctx.loadPlugins()
        except Exception as e:
            out.write('***L:ERROR Internal error: %s\n' % e)
            out.write(traceback.format_exc())
            out.flush()
            return constants.Const.EXIT_CODE_INITIALIZATION_ERROR, ctx
        try:
            ctx.buildSequence()
        except otopicontext.SequenceException as e:
            out.write('%s\n' % e)
            out.flush()
            return code, ctx
        except Exception as e:
            ctx.debugPrint('sequence building failed: %s\n%s' % (e, traceback.format_exc()))
            return code, ctx
        try:
            ctx.runSequence()
        except SystemExit as e:
            return (e.code if isinstance(e.code, int) else code), ctx
        except Exception:
            ctx.debugPrint('FATAL: %s' % traceback.format_exc())
        return exitCode(env), ctx
    finally:
        os.chdir(olddir)
        ctx.close()
        dump = os.environ.get(ENV_DUMP)
        if dump:
            writeEnvDump(dump, ctx)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if hasattr(os, 'getpid'):
        import signal

        def _handler(signum, frame):
            raise RuntimeError('SIG%d' % signum)

        for sig in ('SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE', 'SIGQUIT', 'SIGABRT', 'SIGIO'):
            if hasattr(signal, sig):
                signal.signal(getattr(signal, sig), _handler)
    code, _ = execute(argv)
    return code


__all__ = ['execute', 'main', 'parseStatements', 'exitCode', 'plugin']
