"""Helpers to run the otopi test double (in-process or as a subprocess) and to drive it
in the machine dialog the way ovirt-engine does."""

import atexit
import collections
import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

# typing: for the type comments (the tests run on Python 2.7 too)
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union  # noqa: F401

try:
    import queue
    from io import StringIO
except ImportError:  # Python 2.7, where otopi writes native (byte) strings
    import Queue as queue  # type: ignore[no-redef]
    from StringIO import StringIO  # type: ignore[no-redef]

# Python 2.7 has no time.monotonic; deadlines of a few seconds do not mind the wall clock.
_monotonic = getattr(time, 'monotonic', time.time)

DOUBLE_DIR = os.path.dirname(os.path.abspath(__file__))
FAKES_PLUGIN_DIR = os.path.join(DOUBLE_DIR, 'plugins')
FAKES_GROUP = 'he-test-fakes'
ENV_DUMP = 'OTOPI_DOUBLE_ENV_DUMP'
# Which otopi the double behaves as: '1.10' (unset) or '1.8' (otopi/emulation.py).
DOUBLE_VERSION_ENV = 'OTOPI_DOUBLE_VERSION'
BOUNDARY = '--=451b80dc-996f-432e-9e4f-2b29ef6d1141=--'
DEFAULT_TERMINATION = ('env-get -k BASE/error', 'log', 'quit')

# Extra PYTHONPATH entries for subprocess runs (e.g. the project's src/ so plugin groups can
# import the library); in-process runs use the test process's sys.path instead.
EXTRA_PYTHONPATH = []  # type: List[str]

_EVENT_RE = re.compile(r'\bStage (\S+) METHOD (\S+)(?: \((.*)\))?\s*$')
_CONDITION_FALSE_RE = re.compile(r'\s(\S+) condition False\s*$')
_SEQUENCE_RE = re.compile(r'^.*\s{4}METHOD (\S+) \((.*)\)\s*$')
_ROOT = None

Statements = Union[str, Sequence[str]]
Event = Tuple[str, str, Optional[str]]


def _workRoot():
    global _ROOT
    if _ROOT is None:
        _ROOT = tempfile.mkdtemp(prefix='otopi-double-')
        atexit.register(shutil.rmtree, _ROOT, True)
    return _ROOT


def run_dir():
    """A fresh directory for one run's log and dump."""
    return tempfile.mkdtemp(dir=_workRoot())


_runDir = run_dir


def fakes_statements(*groups):  # type: (str) -> List[str]
    """Statements that load the he-test-fakes group (plus `groups`, from FAKES_PLUGIN_DIR)."""
    return group_statements(FAKES_PLUGIN_DIR, FAKES_GROUP, *groups)


def group_statements(plugin_dir, *groups):  # type: (str, str) -> List[str]
    """Statements that append `plugin_dir` to BASE/pluginPath and `groups` to pluginGroups."""
    return [
        'APPEND:BASE/pluginPath=str:%s' % plugin_dir,
        'APPEND:BASE/pluginGroups=str:%s' % ':'.join(groups),
    ]


def parse_typed_value(s):  # type: (str) -> Any
    """Wire 'type:value' -> python (same rules as otopi.common.parseTypedValue)."""
    vtype, _, value = s.partition(':')
    if vtype == 'none':
        return None
    if vtype == 'bool':
        return value not in ('f', 'F', 'false', 'False')
    if vtype == 'int':
        return int(value)
    if vtype == 'multi-str':
        return value.splitlines()
    return value


def parse_events(log_text):  # type: (str) -> List[Event]
    """(stage id, full method name, name) of the events that ran, from an otopi log.

    otopi logs 'Stage X METHOD Y' before it evaluates an event's condition (once the log
    exists) and 'Y condition False' when the condition says no; the names come from the
    SEQUENCE DUMP. The double logs the same way, so this reads both.
    """
    names = {}  # type: Dict[str, Optional[str]]
    events = []  # type: List[Event]
    for line in log_text.splitlines():
        m = _SEQUENCE_RE.match(line)
        if m and 'Stage ' not in line:
            names[m.group(1)] = None if m.group(2) == 'None' else m.group(2)
            continue
        m = _EVENT_RE.search(line)
        if m:
            events.append((m.group(1), m.group(2), None))
            continue
        m = _CONDITION_FALSE_RE.search(line)
        if m:
            for i in range(len(events) - 1, -1, -1):
                if events[i][1] == m.group(1):
                    del events[i]
                    break
    return [(stage, method, names.get(method)) for stage, method, _ in events]


class RunResult(collections.namedtuple('RunResult', (
        'exit_code',    # int
        'environment',  # Dict[str, Any]
        'log_text',     # str
        'stdout',       # str
        'events',       # List[Event]
        'calls',        # List[str]
        'log_file',     # Optional[str]
        'stderr',       # str
))):
    __slots__ = ()

    def __new__(cls, exit_code, environment, log_text, stdout, events, calls, log_file=None,
                stderr=''):
        # type: (int, Dict, str, str, List[Event], List[str], Optional[str], str) -> RunResult
        return super(RunResult, cls).__new__(cls, exit_code, environment, log_text, stdout,
                                             events, calls, log_file, stderr)

    @property
    def methods(self):  # type: () -> List[str]
        """Full method names of executed events, in order."""
        return [e[1] for e in self.events]

    def ran(self, suffix):  # type: (str) -> bool
        """True if an executed event's full method name ends with `suffix`."""
        return any(m.endswith(suffix) for m in self.methods)

    def index(self, suffix):  # type: (str) -> int
        """Position of the first executed event whose full name ends with `suffix`."""
        for i, m in enumerate(self.methods):
            if m.endswith(suffix):
                return i
        raise ValueError('%s did not run; ran: %s' % (suffix, self.methods))


def _statementList(statements):  # type: (Statements) -> List[str]
    if isinstance(statements, str):
        return [statements]
    return list(statements)


def _readLog(path):  # type: (Optional[str]) -> str
    if path and os.path.exists(path):
        return read_native(path)
    return ''


def read_native(path):  # type: (str) -> str
    """A UTF-8 text file as the native str: text on Python 3, its bytes on Python 2.7."""
    with open(path, 'rb') as f:
        data = f.read()
    return data if str is bytes else data.decode('utf-8', 'replace')


class Completed(collections.namedtuple('Completed', 'returncode stdout stderr')):
    """What run_process returns (subprocess.run's CompletedProcess, on Python 2.7 too)."""
    __slots__ = ()


def run_process(argv,          # type: Sequence[str]
                input=None,    # type: Optional[Union[str, bytes]]
                env=None,      # type: Optional[Dict[str, str]]
                cwd=None,      # type: Optional[str]
                timeout=None,  # type: Optional[float]
                text=True,     # type: bool
                ):
    # type: (...) -> Completed
    """subprocess.run(argv, input=..., universal_newlines=text, stdout/stderr=PIPE) for 2.7
    and 3 (text=False: bytes in and out).

    Without `input` stdin is /dev/null. Past `timeout` seconds the process is killed and
    RuntimeError names the command (subprocess.run's TimeoutExpired is not on 2.7).
    """
    with open(os.devnull, 'rb') as devnull:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE if input is not None else devnull,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=text,
            env=env, cwd=cwd)
        with killed_after(proc, timeout) as killed:
            stdout, stderr = proc.communicate(input)
    if killed:
        raise RuntimeError('{} did not finish in {} s; stdout: {}; stderr: {}'.format(
            list(argv), timeout, stdout, stderr))
    return Completed(proc.returncode, stdout, stderr)


@contextlib.contextmanager
def killed_after(proc, timeout):
    # type: (subprocess.Popen, Optional[float]) -> Iterator[List[bool]]
    """Kill `proc` if it still runs `timeout` seconds on; the list it yields is then non-empty.

    (Python 2.7's wait and communicate have no timeout.)
    """
    killed = []  # type: List[bool]

    def kill():  # type: () -> None
        if proc.poll() is None:
            killed.append(True)
            proc.kill()

    timer = None if timeout is None else threading.Timer(timeout, kill)
    if timer is not None:
        timer.start()
    try:
        yield killed
    finally:
        if timer is not None:
            timer.cancel()


def _runInProcess(argv, env_updates, stdin_text, cwd):
    from otopi import main as otopimain
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    try:
        for key, value in env_updates.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if cwd is not None:
            os.chdir(cwd)
        out = StringIO()
        code, ctx = otopimain.execute(argv, stdin=StringIO(stdin_text or ''), stdout=out)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    env = ctx.environment
    log_file = env.get('CORE/logFileName')
    return RunResult(
        exit_code=code,
        environment=env,
        log_text=_readLog(log_file),
        stdout=out.getvalue(),
        events=list(ctx.executedEvents),
        calls=list(env.get('HE_FAKES/calls') or []),
        log_file=log_file,
    )


def _subprocessEnv(env_updates):
    env = dict(os.environ)
    old = env.get('PYTHONPATH')
    env['PYTHONPATH'] = os.pathsep.join([DOUBLE_DIR] + list(EXTRA_PYTHONPATH) + (
        [old] if old else []))
    for key, value in env_updates.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _loadDump(path):
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
        events = data.get('events')  # the fakes group's dump (real otopi) has none
        return data.get('environment', {}), (
            None if events is None else [tuple(e) for e in events])
    return None, None


def _newestLog(logdir):
    logs = sorted(glob.glob(os.path.join(logdir, '*.log')), key=os.path.getmtime)
    return logs[-1] if logs else None


def run_otopi(
    statements,          # type: Statements
    os_env=None,         # type: Optional[Dict[str, Optional[str]]]
    stdin_text=None,     # type: Optional[str]
    inprocess=True,      # type: bool
    cwd=None,            # type: Optional[str]
    timeout=60.0,        # type: float
    python=None,         # type: Optional[str]
    otopi_version=None,  # type: Optional[str]
):
    # type: (...) -> RunResult
    """Run the double once. `statements` are argv elements (each shlex-split by otopi).

    os_env: OS environment overrides for the run (None value = unset); in-process runs
    restore os.environ and the cwd afterwards. The log goes to a fresh temp dir unless
    OTOPI_LOGDIR / CORE/logDir say otherwise. Subprocess runs rebuild `environment` from the
    JSON dump (JSON-able values only) and `events` from it (or from the log when killed).
    otopi_version: '1.8' runs the double as otopi 1.8 (else OTOPI_DOUBLE_VERSION decides).
    """
    argv = _statementList(statements)
    rundir = _runDir()
    env_updates = {'OTOPI_LOGDIR': rundir}
    if otopi_version is not None:
        env_updates[DOUBLE_VERSION_ENV] = otopi_version
    env_updates.update(os_env or {})
    if inprocess:
        return _runInProcess(argv, env_updates, stdin_text, cwd)
    dump = os.path.join(rundir, 'env-dump.json')
    env_updates[ENV_DUMP] = dump
    proc = run_process(
        [python or sys.executable, '-m', 'otopi'] + argv,
        input=stdin_text,
        env=_subprocessEnv(env_updates),
        cwd=cwd,
        timeout=timeout,
    )
    return result_from_files(proc.returncode, proc.stdout, proc.stderr, dump,
                             env_updates.get('OTOPI_LOGDIR') or rundir)


def result_from_files(exit_code, stdout, stderr, dump, logdir):
    """A RunResult from what a subprocess run left: its JSON dump and its log.

    Events come from the dump when the double wrote one, else from the log (the real
    otopi's fakes-group dump has no events).
    """
    environment, events = _loadDump(dump)
    log_file = (environment or {}).get('CORE/logFileName') or _newestLog(logdir)
    log_text = _readLog(log_file)
    if events is None:
        events = parse_events(log_text)
    environment = environment or {}
    return RunResult(
        exit_code=exit_code,
        environment=environment,
        log_text=log_text,
        stdout=stdout,
        events=events,
        calls=list(environment.get('HE_FAKES/calls') or []),
        log_file=log_file,
        stderr=stderr,
    )


class EngineResult(collections.namedtuple('EngineResult', (
        'exit_code',      # Optional[int]
        'transcript',     # List[str]: '< ' received / '> ' sent, in order
        'values',         # Dict[str, Any]: what env-get displayed (***D:VALUE / MULTI-STRING)
        'log_text',       # str: the log as sent by the 'log' command ('' if not asked)
        'log_file_text',  # str: the log file on disk after the run
        'environment',    # Dict[str, Any]: final env from the JSON dump (JSON-able values)
        'events',         # List[Event]
        'calls',          # List[str]
        'stderr',         # str
        'timed_out',      # bool
        'terminated',     # bool: ***TERMINATE was seen
))):
    __slots__ = ()

    @property
    def received(self):  # type: () -> List[str]
        return [line[2:] for line in self.transcript if line.startswith('< ')]

    @property
    def sent(self):  # type: () -> List[str]
        return [line[2:] for line in self.transcript if line.startswith('> ')]


class EngineDriver(object):
    """Play ovirt-engine's host-deploy role against `python -m otopi` in the machine dialect.

    customization: one entry per CUSTOMIZATION_COMMAND prompt; an entry is a command string
    ('env-get -k KEY', 'noop', ...) or (command, answer) where answer is the 'type:value'
    reply to the following ***Q:VALUE (or a list of lines for env-query-multi). When the
    vector is exhausted 'install' is sent. termination: likewise for TERMINATION_COMMAND
    ('quit' once exhausted). values: fallback answers for ***Q:VALUE / MULTI-STRING by name.
    ***CONFIRM is answered yes, other ***Q:STRING with an empty line (default).
    """

    def __init__(
        self,
        statements=(),                   # type: Statements
        customization=(),                # type: Sequence[Union[str, Tuple[str, Any]]]
        termination=DEFAULT_TERMINATION,  # type: Sequence[str]
        values=None,                     # type: Optional[Dict[str, Any]]
        os_env=None,                     # type: Optional[Dict[str, Optional[str]]]
        cwd=None,                        # type: Optional[str]
        timeout=30.0,                    # type: float
        line_timeout=15.0,               # type: float
        python=None,                     # type: Optional[str]
        command=None,                    # type: Optional[Sequence[str]]
    ):
        # type: (...) -> None
        self.statements = _statementList(statements)
        self.customization = list(customization)
        self.termination = list(termination)
        self.values = dict(values or {})
        self.os_env = dict(os_env or {})
        self.cwd = cwd
        self.timeout = timeout
        self.line_timeout = line_timeout
        self.python = python or sys.executable
        # How otopi is started: the double by default, e.g. a real otopi's wrapper instead.
        self.command = list(command) if command else [self.python, '-m', 'otopi']

    def run(self):  # type: () -> EngineResult
        rundir = _runDir()
        dump = os.path.join(rundir, 'env-dump.json')
        env_updates = {'OTOPI_LOGDIR': rundir, ENV_DUMP: dump, 'HE_FAKES_ENV_DUMP': dump}
        env_updates.update(self.os_env)
        stderr_path = os.path.join(rundir, 'stderr.txt')
        argv = self.command + [
            'DIALOG/dialect=str:machine', 'DIALOG/customization=bool:True',
        ] + self.statements
        with open(stderr_path, 'w') as stderr:
            proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                universal_newlines=True, bufsize=1, env=_subprocessEnv(env_updates),
                cwd=self.cwd,
            )
            try:
                result = self._converse(proc)
            finally:
                if proc.poll() is None:
                    with killed_after(proc, 5):
                        proc.wait()
        environment, events = _loadDump(dump)
        environment = environment or {}
        log_file = environment.get('CORE/logFileName') or _newestLog(
            env_updates.get('OTOPI_LOGDIR') or rundir)
        log_file_text = _readLog(log_file)
        stderr_text = read_native(stderr_path)
        transcript, values, log_text, timed_out, terminated = result
        return EngineResult(
            exit_code=proc.returncode,
            transcript=transcript,
            values=values,
            log_text=log_text,
            log_file_text=log_file_text,
            environment=environment,
            events=events if events is not None else parse_events(log_file_text),
            calls=list(environment.get('HE_FAKES/calls') or []),
            stderr=stderr_text,
            timed_out=timed_out,
            terminated=terminated,
        )

    def _converse(self, proc):
        lines = queue.Queue()

        def reader():
            # readline, not iteration: Python 2.7's file iterator reads ahead and would wait
            for line in iter(proc.stdout.readline, ''):
                lines.put(line.rstrip('\n'))
            lines.put(None)

        thread = threading.Thread(target=reader)
        thread.daemon = True
        thread.start()
        deadline = _monotonic() + self.timeout
        transcript = []
        values = {}
        log_text = ''
        customization = list(self.customization)
        termination = list(self.termination)
        pending = None
        terminated = False

        def send(text):
            transcript.append('> ' + text)
            try:
                proc.stdin.write(text + '\n')
                proc.stdin.flush()
            except (IOError, OSError, ValueError):  # BrokenPipeError is an OSError
                pass

        def nextLine():
            wait = min(self.line_timeout, deadline - _monotonic())
            if wait <= 0:
                raise queue.Empty()
            line = lines.get(timeout=wait)
            if line is not None:
                transcript.append('< ' + line)
            return line

        try:
            while True:
                line = nextLine()
                if line is None:
                    break
                if line.startswith('***Q:STRING CUSTOMIZATION_COMMAND'):
                    item = customization.pop(0) if customization else 'install'
                    if isinstance(item, (tuple, list)):
                        item, pending = item
                    send(item)
                elif line.startswith('***Q:STRING TERMINATION_COMMAND'):
                    send(termination.pop(0) if termination else 'quit')
                elif line.startswith('***Q:VALUE '):
                    name = line.split(' ', 1)[1]
                    answer = pending if pending is not None else self.values.get(name)
                    pending = None
                    send('ABORT %s' % name if answer is None else 'VALUE %s=%s' % (name, answer))
                elif line.startswith('***Q:MULTI-STRING '):
                    _, name, boundary, _abort = line.split(' ')
                    answer = pending if pending is not None else self.values.get(name, [])
                    pending = None
                    if isinstance(answer, str):
                        answer = answer.splitlines()
                    for item in answer:
                        send(item)
                    send(boundary)
                elif line.startswith('***Q:STRING '):
                    send('')
                elif line.startswith('***CONFIRM '):
                    send('CONFIRM %s=yes' % line.split(' ')[1])
                elif line.startswith('***D:VALUE '):
                    key, _, value = line[len('***D:VALUE '):].partition('=')
                    values[key] = parse_typed_value(value)
                elif line.startswith('***D:MULTI-STRING '):
                    _, key, boundary = line.split(' ')
                    collected = []
                    while True:
                        item = nextLine()
                        if item is None or item == boundary:
                            break
                        collected.append(item)
                    if key == 'LOG':
                        log_text = '\n'.join(collected)
                    else:
                        values[key] = collected
                elif line.startswith('***TERMINATE'):
                    terminated = True
                    try:
                        proc.stdin.close()
                    except OSError:
                        pass
        except queue.Empty:
            proc.kill()
            return transcript, values, log_text, True, terminated
        return transcript, values, log_text, False, terminated
