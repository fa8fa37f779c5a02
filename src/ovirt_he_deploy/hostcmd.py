"""`ovirt-he-deploy host deploy|remove`: run the real otopi with this plugin group on a host."""

import argparse
import contextlib
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from typing import (
    IO,
    TYPE_CHECKING,
    Dict,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from . import clicommon, envkeys, installed, keynames, otopiconf, validation
from .clicommon import EXIT_FAILED, EXIT_OK
from .unit import DeployUnit, InvalidUnit, ValidUnit

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

# otopi.spec.in installs the wrapper as %{_sbindir}/otopi (package otopi-common, pulled in
# by python3-otopi); /usr/sbin is not on every user's PATH.
OTOPI_FALLBACKS: Tuple[str, ...] = ("/usr/sbin/otopi",)
# otopi names its log <CORE/logDir>/<CORE/logFileNamePrefix>-<time>-<random>.log, logDir
# being $OTOPI_LOGDIR, else the temp dir (otopi src/plugins/otopi/core/log.py _setupLogging).
LOG_PREFIX = "ovirt-he-deploy"

# Words otopi's shlex.split leaves alone, and the shell too.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
# otopi's note "Log file: PATH"; the human dialect wraps it after the colon when it is long.
_LOG_FILE_LINE = re.compile(r"Log file:(?:\s+(?P<path>\S.*?))?\s*$")
_ERROR_PREFIXES = ("[ ERROR ] ", "***L:ERROR ")
# `host deploy -`: the unit comes on standard input (the engine hook pipes it, so it is never
# a file on the engine nor copied to the host as one).
STDIN_UNIT = "-"
STDIN_LABEL = "the unit on standard input"


class HostCommandError(RuntimeError):
    """The host command cannot run otopi; the message says why and what to do."""


class OtopiRun(NamedTuple):
    """One otopi invocation: the argv (statements already quoted for otopi) and extra env."""

    argv: Tuple[str, ...]
    env: Tuple[Tuple[str, str], ...] = ()

    def shell_line(self) -> str:
        """The command line as a shell would take it, environment assignments first."""
        words = ["{}={}".format(name, shlex.quote(value)) for name, value in self.env]
        words.extend(shlex.quote(word) for word in self.argv)
        return " ".join(words)


class Outcome(NamedTuple):
    """What the host command keeps from otopi's output: its error lines and its log file."""

    errors: Tuple[str, ...] = ()
    log_file: Optional[str] = None
    log_file_next: bool = False


def otopi_word(statement: str) -> str:
    """A statement as one word for otopi, which joins its arguments and shlex-splits them.

    The otopi wrapper re-runs itself through `sudo -n /bin/sh -c "'$0' '$*'"` when not root
    (otopi src/bin/otopi), so a single quote cannot travel; control characters cannot
    either. Anything else that shlex would split is wrapped in double quotes.
    """
    if _PLAIN_WORD.fullmatch(statement):
        return statement
    bad = [char for char in statement if char == "'" or ord(char) < 32 or ord(char) == 127]
    if bad:
        raise HostCommandError(
            "{!r} cannot be passed to otopi: it contains {}; otopi joins its arguments and "
            "re-runs itself inside single quotes. Use a path or value without it.".format(
                statement, "a single quote" if bad[0] == "'" else "a control character"))
    return '"' + statement.replace("\\", "\\\\").replace('"', '\\"') + '"'


def statement_arg(text: str) -> str:
    """argparse type for --otopi-statement: [APPEND:|PREPEND:]KEY=type:value, type checked.

    otopi exits 1 without a word for a statement without a known type (contract §1.3).
    """
    key, separator, value = text.partition("=")
    if not separator or not key or key in ("APPEND:", "PREPEND:"):
        raise argparse.ArgumentTypeError(
            "{!r} is not an otopi statement; write KEY=type:value, e.g. "
            "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:300".format(text.split("=")[0]))
    try:
        parsed = otopiconf.parse_typed(key, value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    name = key.partition(":")[2] if key.startswith(("APPEND:", "PREPEND:")) else key
    # The group would refuse these too, but only after otopi started.
    if keynames.is_stray(name):
        raise argparse.ArgumentTypeError(str(validation.stray_problems((name,), "")[0]))
    problems = validation.setting_problems({name: parsed})
    if problems:
        raise argparse.ArgumentTypeError(str(problems[0]))
    return text


def find_otopi(explicit: Optional[str], fallbacks: Optional[Sequence[str]] = None) -> str:
    """The otopi executable: --otopi, else `otopi` on PATH, else /usr/sbin/otopi."""
    fallbacks = OTOPI_FALLBACKS if fallbacks is None else fallbacks
    if explicit is not None:
        found = shutil.which(explicit) if os.sep not in explicit else (
            explicit if os.access(explicit, os.X_OK) and os.path.isfile(explicit) else None)
        if found is None:
            raise HostCommandError("--otopi {}: no such executable.".format(explicit))
        return found
    found = shutil.which("otopi")
    if found is not None:
        return found
    for path in fallbacks:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise HostCommandError(
        "otopi is not installed on this machine (looked for otopi on PATH and at {}). "
        "Install python3-otopi (its otopi-common package provides /usr/sbin/otopi), or "
        "give --otopi PATH.".format(", ".join(fallbacks)))


def group_statements(plugin_dir: str) -> List[str]:
    """Load the group. pluginPath and pluginGroups work only on the command line (contract
    §1.5); APPEND keeps the groups otopi or ovirt-host-deploy already have."""
    return ["APPEND:BASE/pluginPath=str:" + plugin_dir,
            "APPEND:BASE/pluginGroups=str:" + installed.GROUP,
            "CORE/logFileNamePrefix=str:" + LOG_PREFIX]


def deploy_statements(unit_path: str, clear_local_maintenance: bool = False,
                      after_engine_role: bool = False) -> List[str]:
    """The unit, and the 4.4+ path's package rule: install what is missing, update nothing
    (the engine's roles have installed and restarted what they wanted)."""
    statements = ["CORE/configFileAppend=str:" + os.path.abspath(unit_path),
                  "{}=bool:True".format(envkeys.INSTALL_MISSING_ONLY.name)]
    for wanted, key in ((clear_local_maintenance, envkeys.CLEAR_LOCAL_MAINTENANCE),
                        (after_engine_role, envkeys.ENGINE_ROLE_DEPLOYED)):
        if wanted:
            statements.append("{}=bool:True".format(key.name))
    return statements


def remove_statements() -> List[str]:
    """Set on the command line, so no remove unit file is needed."""
    return ["{}=str:{}".format(envkeys.ACTION.name, envkeys.ACTION_REMOVE)]


def build_run(otopi: str, plugin_dir: str, action_statements: Sequence[str],
              extra: Sequence[str] = (), pythonpath: Optional[str] = None,
              inherited_pythonpath: Optional[str] = None) -> OtopiRun:
    """The otopi invocation: group, action, then the caller's extra statements (which win)."""
    words = [otopi_word(s) for s in
             group_statements(plugin_dir) + list(action_statements) + list(extra)]
    env: List[Tuple[str, str]] = []
    if pythonpath is not None:
        env.append(("PYTHONPATH", os.pathsep.join(
            [pythonpath] + ([inherited_pythonpath] if inherited_pythonpath else []))))
    return OtopiRun(argv=tuple([otopi] + words), env=tuple(env))


def scan_line(line: str, outcome: Outcome) -> Outcome:
    """Keep otopi's error lines (human and machine dialects) and the log file it names."""
    text = line.rstrip("\n")
    for prefix in _ERROR_PREFIXES:
        if text.startswith(prefix):
            return outcome._replace(errors=outcome.errors + (text[len(prefix):],))
    if outcome.log_file_next:
        return outcome._replace(log_file=text.strip() or None, log_file_next=False)
    match = _LOG_FILE_LINE.search(text)
    if match and outcome.log_file is None:
        path = match.group("path")
        return outcome._replace(log_file=path, log_file_next=path is None)
    return outcome


def stream(run: OtopiRun, out: IO[str]) -> Tuple[int, Outcome]:
    """Run otopi, echo every line of its output as it comes, return its status and outcome.

    stdin is otopi's too (it may ask a question); stderr joins stdout, in order.
    """
    env = dict(os.environ)
    env.update(dict(run.env))
    outcome = Outcome()
    process = subprocess.Popen(list(run.argv), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env,
                               universal_newlines=True, encoding="utf-8", errors="replace")
    assert process.stdout is not None
    try:
        for line in iter(process.stdout.readline, ""):
            out.write(line)
            out.flush()
            outcome = scan_line(line, outcome)
    except KeyboardInterrupt:
        # otopi got the same SIGINT (one process group); let it clean up and report.
        pass
    finally:
        process.stdout.close()
        code = process.wait()
    return (128 - code if code < 0 else code), outcome


def failure_lines(command: str, code: int, outcome: Outcome) -> List[str]:
    """The summary printed after a failed run; the Ansible hook fails the play with it."""
    lines = ["{}: otopi failed (exit status {}):".format(command, code)]
    lines.extend("  " + error for error in outcome.errors)
    if not outcome.errors:
        lines.append("  otopi printed no error line; see its log (OTOPI_DEBUG=1 shows more).")
    if outcome.log_file:
        lines.append("  log: " + outcome.log_file)
    return lines


def _check_unit(path: str, label: Optional[str] = None) -> ValidUnit:
    return _check_unit_with_settings(path, label)[0]


def _check_unit_with_settings(path: str, label: Optional[str] = None
                              ) -> Tuple[ValidUnit, Dict[str, object]]:
    """The unit must be a valid deploy unit; the group checks it again, but a usage slip
    (a remove unit, a typo'd file) is clearer here than as an otopi stage failure. label
    names the unit in messages where path is only the run's private copy (`host deploy -`)."""
    shown = label or path
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        unit, settings = clicommon.checked_unit(data, shown)
    except OSError as error:
        raise HostCommandError("cannot read {}: {}".format(
            shown, error.strerror or error)) from None
    except InvalidUnit as error:
        raise HostCommandError(str(error)) from None
    if unit.action != envkeys.ACTION_DEPLOY:
        raise HostCommandError(
            "{} asks for {}={}; `host deploy` needs a deploy unit (use `host remove` to "
            "remove Hosted Engine).".format(shown, envkeys.ACTION.name, unit.action))
    if label is None and unit.get("password") and \
            os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print("note: {} holds the iSCSI CHAP password and other users can read it; "
              "chmod 0600 it.".format(path), file=sys.stderr)
    return unit, settings


def _otopi_run(args: argparse.Namespace) -> OtopiRun:
    if args.host_command == "deploy":
        _check_unit(args.unit, getattr(args, "unit_label", None))
        action = deploy_statements(args.unit, args.clear_local_maintenance,
                                   args.after_engine_role)
    else:
        action = remove_statements()
    try:
        plugin_dir = installed.plugin_dir()
    except installed.PluginGroupMissing as error:
        raise HostCommandError(str(error)) from None
    try:
        otopi = find_otopi(args.otopi)
    except HostCommandError as error:
        if not args.dry_run:
            raise
        print("note: {}".format(error), file=sys.stderr)
        otopi = "otopi"
    return build_run(otopi, plugin_dir, action, args.otopi_statement,
                     installed.library_pythonpath(), os.environ.get("PYTHONPATH"))


def _sandbox(args: argparse.Namespace, command: str) -> int:
    """The deploy or remove below args.sandbox, without otopi (sandbox.py)."""
    from . import hostfs, rootdir, sandbox

    given = [option for option, value in (("--dry-run", args.dry_run), ("--otopi", args.otopi),
                                          ("--otopi-statement", args.otopi_statement))
             if value]
    if given:
        args.usage_error("--sandbox runs no otopi; drop {}.".format(" and ".join(given)))
    command += " --sandbox"
    try:
        settings: Dict[str, object] = {}
        if args.host_command == "deploy":
            unit, settings = _check_unit_with_settings(args.unit,
                                                       getattr(args, "unit_label", None))
        else:
            unit = validation.check(DeployUnit(action=envkeys.ACTION_REMOVE))
        # As `host deploy` runs the group: install what is missing, update nothing.
        if getattr(args, "after_engine_role", False):  # the command line wins, as in otopi
            settings[envkeys.ENGINE_ROLE_DEPLOYED.name] = True
        sandbox.run_sandbox(args.sandbox, unit, sys.stdout,
                            install_missing_only=args.host_command == "deploy",
                            clear_local_maintenance=bool(
                                getattr(args, "clear_local_maintenance", False)),
                            unit_settings=settings)
    except (HostCommandError, sandbox.SandboxError, rootdir.OutsideRoot, hostfs.HostFileError,
            hostfs.LockBusy, InvalidUnit) as error:
        print("{}: {}".format(command, error), file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print("{}: {}: {}".format(command, error.filename or args.sandbox,
                                  error.strerror or error), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


@contextlib.contextmanager
def _unit_from_stdin() -> Iterator[str]:
    """The unit read from standard input, in a file only its owner can read (otopi reads its
    config from a file), removed when the command ends, whatever happened."""
    text = sys.stdin.read()
    descriptor, path = tempfile.mkstemp(prefix=LOG_PREFIX + "-unit.", suffix=".conf")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        yield path
    finally:
        os.unlink(path)


def cmd_host(args: argparse.Namespace) -> int:
    if getattr(args, "unit", None) == STDIN_UNIT:
        if args.dry_run:
            args.usage_error("UNIT - (standard input) is removed when the command ends, so "
                             "--dry-run's command line could not use it; give the unit as a "
                             "file.")
        with _unit_from_stdin() as path:
            args.unit = path
            args.unit_label = STDIN_LABEL
            return _cmd_host(args)
    return _cmd_host(args)


def _cmd_host(args: argparse.Namespace) -> int:
    command = "ovirt-he-deploy host " + args.host_command
    if args.sandbox is not None:
        return _sandbox(args, command)
    try:
        run = _otopi_run(args)
    except HostCommandError as error:
        print("{}: {}".format(command, error), file=sys.stderr)
        return EXIT_FAILED
    if args.dry_run:
        print(run.shell_line())
        return EXIT_OK
    try:
        code, outcome = stream(run, sys.stdout)
    except OSError as error:
        print("{}: cannot run {}: {}".format(command, run.argv[0], error.strerror or error),
              file=sys.stderr)
        return EXIT_FAILED
    if code != EXIT_OK:
        for line in failure_lines(command, code, outcome):
            print(line, file=sys.stderr)
    return code


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox", metavar="DIR",
        help="try it off a host: the plugin group's steps in its order, without otopi or "
             "root, on a host whose files are below DIR (created if missing; kept between "
             "runs, so a remove finds what a deploy left). Services, packages and commands "
             "are faked and printed as what a host would see")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the otopi command line and run nothing")
    parser.add_argument("--otopi", metavar="PATH",
                        help="the otopi executable (default: otopi on PATH, else "
                             "/usr/sbin/otopi)")
    parser.add_argument("--otopi-statement", metavar="KEY=TYPE:VALUE", action="append",
                        default=[], type=statement_arg,
                        help="one more otopi statement, after ours (repeatable), e.g. "
                             "OVIRT_HE_DEPLOY/serviceWaitSeconds=int:300")


def add_parser(commands: "SubParsers", name: str, help_text: str) -> None:
    """Add `host deploy` and `host remove` to the ovirt-he-deploy command line."""
    host = commands.add_parser(
        name, help=help_text,
        description="Run otopi with the ovirt-he-deploy plugin group on this host (as root), "
                    "stream its progress and exit with its status. Its log is otopi's, "
                    "named {}-*.log. With --sandbox DIR: try it off a host, below DIR, "
                    "without otopi or root.".format(LOG_PREFIX))
    sub = host.add_subparsers(dest="host_command", metavar="HOST-COMMAND")
    sub.required = True
    deploy = sub.add_parser(
        "deploy", allow_abbrev=False, help="deploy Hosted Engine from a deploy unit",
        description="Check UNIT (a missing, unreadable or invalid unit fails here: otopi "
                    "itself only warns about a missing config file and does nothing), then "
                    "run otopi with it as CORE/configFileAppend.")
    deploy.add_argument("unit", metavar="UNIT",
                        help="deploy unit (otopi config file, e.g. from `answer-file`); - "
                             "reads it from standard input (kept in a private temp file for "
                             "the run, removed after)")
    deploy.add_argument("--clear-local-maintenance", action="store_true",
                        help="clear local_maintenance in ha.conf on success even when it was "
                             "on before the run (by default it is kept: the engine clears it "
                             "when it activates the host)")
    deploy.add_argument("--after-engine-role", action="store_true",
                        help="the engine's own Hosted Engine role deployed this host just "
                             "before (the 4.4+ engine hook passes it): a run that finds it all "
                             "in place says 'checked: the engine had deployed it'. It changes "
                             "no step")
    _common_options(deploy)
    deploy.set_defaults(func=cmd_host, usage_error=deploy.error)
    remove = sub.add_parser(
        "remove", allow_abbrev=False, help="remove Hosted Engine from this host",
        description="Run otopi with HOSTED_ENGINE/action=str:remove.")
    _common_options(remove)
    remove.set_defaults(func=cmd_host, usage_error=remove.error)
