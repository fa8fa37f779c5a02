# -*- coding: utf-8 -*-
"""Plugin base class, event decorator and stage constants (contract §3-§5)."""

import os
import subprocess
import threading

from . import base, util


@util.export
class Stages(object):
    (
        STAGE_BOOT,
        STAGE_INIT,
        STAGE_SETUP,
        STAGE_INTERNAL_PACKAGES,
        STAGE_PROGRAMS,
        STAGE_LATE_SETUP,
        STAGE_CUSTOMIZATION,
        STAGE_VALIDATION,
        STAGE_TRANSACTION_BEGIN,
        STAGE_EARLY_MISC,
        STAGE_PACKAGES,
        STAGE_MISC,
        STAGE_TRANSACTION_END,
        STAGE_CLOSEUP,
        STAGE_CLEANUP,
        STAGE_PRE_TERMINATE,
        STAGE_TERMINATE,
        STAGE_REBOOT,
    ) = range(18)

    PRIORITY_FIRST = 1000
    PRIORITY_HIGH = 2000
    PRIORITY_MEDIUM = 3000
    PRIORITY_DEFAULT = 5000
    PRIORITY_POST = 7000
    PRIORITY_LOW = 9000
    PRIORITY_LAST = 90000

    # stage -> id (log / machine dialog), description, if-success (False = "always")
    DATABASE = {
        STAGE_BOOT: {'id': 'boot', 'description': 'Booting', 'if-success': True},
        STAGE_INIT: {'id': 'init', 'description': 'Initializing', 'if-success': False},
        STAGE_SETUP: {'id': 'setup', 'description': 'Environment setup', 'if-success': True},
        STAGE_INTERNAL_PACKAGES: {
            'id': 'internal_packages',
            'description': 'Environment packages setup',
            'if-success': True,
        },
        STAGE_PROGRAMS: {'id': 'programs', 'description': 'Programs detection',
                         'if-success': True},
        STAGE_LATE_SETUP: {'id': 'late_setup', 'description': 'Environment setup',
                           'if-success': True},
        STAGE_CUSTOMIZATION: {'id': 'customization',
                              'description': 'Environment customization',
                              'if-success': True},
        STAGE_VALIDATION: {'id': 'validation', 'description': 'Setup validation',
                           'if-success': True},
        STAGE_TRANSACTION_BEGIN: {'id': 'transaction-prepare',
                                  'description': 'Transaction setup', 'if-success': True},
        STAGE_EARLY_MISC: {'id': 'early_misc', 'description': 'Misc configuration',
                           'if-success': True},
        STAGE_PACKAGES: {'id': 'packages', 'description': 'Package installation',
                         'if-success': True},
        STAGE_MISC: {'id': 'misc', 'description': 'Misc configuration', 'if-success': True},
        STAGE_TRANSACTION_END: {'id': 'cleanup', 'description': 'Transaction commit',
                                'if-success': True},
        STAGE_CLOSEUP: {'id': 'closeup', 'description': 'Closing up', 'if-success': True},
        STAGE_CLEANUP: {'id': 'cleanup', 'description': 'Clean up', 'if-success': False},
        STAGE_PRE_TERMINATE: {'id': 'pre-terminate', 'description': 'Pre-termination',
                              'if-success': False},
        STAGE_TERMINATE: {'id': 'terminate', 'description': 'Termination',
                          'if-success': False},
        STAGE_REBOOT: {'id': 'reboot', 'description': 'Reboot', 'if-success': True},
    }

    @classmethod
    def stage_id(cls, stage):
        return cls.DATABASE[stage]['id']

    @classmethod
    def stage_str(cls, stage):
        return cls.DATABASE[stage]['description']


def _alwaysTrue(self):
    return True


@util.export
def event(
    name=None,
    stage=None,
    before=(),
    after=(),
    priority=Stages.PRIORITY_DEFAULT,
    condition=None,
):
    """Mark a plugin method as an event."""
    def decorator(f):
        f.decoration_event = {
            'name': name,
            'stage': stage,
            'before': before,
            'after': after,
            'priority': priority,
            'condition': condition if condition is not None else _alwaysTrue,
        }
        return f
    return decorator


@util.export
class PluginBase(base.Base):
    """Base of every plugin; registers itself with the context."""

    def __init__(self, context):
        super(PluginBase, self).__init__()
        self._context = context
        context.registerPlugin(self)

    @property
    def context(self):
        return self._context

    @property
    def environment(self):
        return self._context.environment

    @property
    def dialog(self):
        return self._context.dialog

    @property
    def packager(self):
        return self._context.packager

    @property
    def services(self):
        return self._context.services

    @property
    def command(self):
        return self._context.command

    @property
    def currentStage(self):
        return self._context.currentStage

    def resolveFile(self, file):
        if file is None:
            return None
        file = os.path.expanduser(file)
        if not os.path.isabs(file):
            file = os.path.join(
                self.environment['BASE/executionDirectory'],
                file,
            )
        return file

    def executeRaw(self, args, executable=None, stdin=None, cwd=None, env=None,
                   preexec_fn=None, envAppend=None):
        if envAppend is not None:
            env = dict(os.environ if env is None else env)
            env.update(envAppend)
        self.logger.debug("execute: %s, executable='%s', cwd='%s', env=%s",
                          args, executable, cwd, env)
        try:
            p = subprocess.Popen(
                args, executable=executable, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                preexec_fn=preexec_fn, close_fds=True,
            )
            stdout, stderr = p.communicate(input=stdin)
            rc = p.returncode
        except OSError as e:
            self.logger.debug('execute-failed: %s', e)
            raise
        self.logger.debug('execute-result: %s, rc=%s', args, rc)
        return rc, stdout, stderr

    def executePipe(self, popenArgs, raiseOnError=True, logStreams=True, stdin=None,
                    timeout=None, callback=None, callback_interval=30, envAppend=None,
                    stdout=None):
        """A pipeline (contract §5): {'stdout': [lines], 'result': [{'rc', 'stderr'}]}.

        As otopi: every argument must be a str; past `timeout` seconds the processes are
        killed and RuntimeError("Command '<args>' failed to execute: Command timeout") is
        raised (otopi notices the timeout only between waits of `callback_interval` s).
        """
        for kw in popenArgs:
            if not all(isinstance(a, str) for a in kw.get('args', ())):
                raise RuntimeError('Malformed argument in %r' % (kw.get('args'),))
        popens = []
        for i, kw in enumerate(popenArgs):
            kw = dict(kw)
            if envAppend is not None:
                kw['env'] = dict(kw.get('env', os.environ), **envAppend)
            kw.setdefault('stderr', subprocess.PIPE)
            kw['stdout'] = subprocess.PIPE if (i < len(popenArgs) - 1 or stdout is None) \
                else stdout
            kw['stdin'] = popens[-1].stdout if popens else subprocess.PIPE
            kw.setdefault('close_fds', True)
            self.logger.debug('executePipe: %s', kw.get('args'))
            popens.append(subprocess.Popen(**kw))
        data = None
        if stdin is not None:
            data = stdin if isinstance(stdin, bytes) else '\n'.join(stdin).encode('utf-8')
        # A timer kills the pipeline at `timeout` (Python 2.7's communicate has no timeout).
        timedOut = []

        def _kill():
            for p in popens:
                if p.poll() is None:
                    timedOut.append(p)
                    p.kill()

        timer = threading.Timer(timeout, _kill) if timeout is not None else None
        if timer is not None:
            timer.start()
        try:
            out, lastErr = popens[-1].communicate(input=data if len(popens) == 1 else None)
            errs = [p.stderr.read() if p.stderr else b'' for p in popens[:-1]]
            errs.append(lastErr or b'')
            for p in popens:
                p.wait()
        finally:
            if timer is not None:
                timer.cancel()
        if timedOut:
            raise RuntimeError("Command '%s' failed to execute: Command timeout" % (
                ' | '.join(' '.join(kw['args']) for kw in popenArgs),
            ))
        result = {
            'stdout': (out or b'').decode('utf-8', 'replace').splitlines(),
            'result': [
                {'rc': p.returncode, 'stderr': e.decode('utf-8', 'replace').splitlines()}
                for p, e in zip(popens, errs)
            ],
        }
        if logStreams:
            self.logger.debug('executePipe-result: %s', result)
        if raiseOnError and any(r['rc'] != 0 for r in result['result']):
            raise RuntimeError("Command '%s' failed to execute" % popenArgs[0]['args'][0])
        return result

    def execute(self, args, raiseOnError=True, logStreams=True, stdin=None,
                *eargs, **kwargs):
        if not isinstance(args, (list, tuple)) or not all(isinstance(a, str) for a in args):
            raise RuntimeError('Invalid arguments for execute: %r' % (args,))
        data = None
        if stdin is not None:
            data = '\n'.join(stdin).encode('utf-8')
        rc, stdout, stderr = self.executeRaw(args, *eargs, stdin=data, **kwargs)
        out = stdout.decode('utf-8', 'replace').splitlines()
        err = stderr.decode('utf-8', 'replace').splitlines()
        if logStreams:
            self.logger.debug('execute-output: %s stdout:\n%s\n', args, '\n'.join(out))
            self.logger.debug('execute-output: %s stderr:\n%s\n', args, '\n'.join(err))
        if rc != 0 and raiseOnError:
            raise RuntimeError("Command '%s' failed to execute" % args[0])
        return rc, out, err
