"""The `ovirt-he-deploy engine` commands; the SDK is imported only when one of them runs."""

import argparse
import json
import os
import sys
from typing import Any, Callable

from .. import hostfs
from ..unit import InvalidUnit
from . import confdisk, deploy, hosts
from .connection import (
    DEFAULT_USERNAME,
    PASSWORD_ENV,
    EngineError,
    EngineSettings,
    UsageError,
    connected,
    import_sdk,
    read_secret_file,
)

# The same codes as ovirt_he_deploy.cli (imported lazily there: it imports this module).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
INSECURE_WARNING = ("warning: --insecure: the engine's TLS certificate is not verified; anyone "
                    "on the network path can impersonate the engine and read the password.")

Command = Callable[[argparse.Namespace, EngineSettings], int]


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _settings(args: argparse.Namespace) -> EngineSettings:
    if not args.engine_url:
        raise UsageError("give --engine-url (or set OVIRT_ENGINE_URL)")
    return EngineSettings.build(args.engine_url, args.username, args.password_file,
                                args.ca_file, args.insecure, os.environ)


def _runner(command: Command) -> Callable[[argparse.Namespace], int]:
    """Check the SDK, build the settings, map failures to exit codes with one message."""
    def run(args: argparse.Namespace) -> int:
        try:
            import_sdk()
            settings = _settings(args)
            if settings.insecure:
                _say(INSECURE_WARNING)
            return command(args, settings)
        except UsageError as error:
            _say("ovirt-he-deploy engine {}: {}".format(args.engine_command, error))
            return EXIT_USAGE
        except EngineError as error:
            _say("ovirt-he-deploy engine {}: {}".format(args.engine_command, error))
            return EXIT_FAILED
    return run


def cmd_status(args: argparse.Namespace, settings: EngineSettings) -> int:
    with connected(settings) as connection:
        states = hosts.list_states(connection)
    if args.json:
        print(json.dumps([state.as_dict() for state in states], indent=2))
    else:
        sys.stdout.write(hosts.format_table(states))
    return EXIT_OK


def _host_options(args: argparse.Namespace) -> deploy.HostOptions:
    if len(set(args.hosts)) != len(args.hosts):
        raise UsageError("a host is named more than once: {}".format(" ".join(args.hosts)))
    address = getattr(args, "address", None)
    if address is not None and len(args.hosts) != 1:
        raise UsageError("--address applies to one HOST only")
    root_password = None
    if args.root_password_file is not None:
        root_password = read_secret_file(args.root_password_file, "root password")
    return deploy.HostOptions(timeout=args.timeout, poll_interval=args.poll_interval,
                              reboot=args.reboot, cluster=getattr(args, "cluster", None),
                              address=address, root_password=root_password)


def _run_hosts(args: argparse.Namespace, settings: EngineSettings, job: deploy.Job,
               verb: str) -> int:
    options = _host_options(args)
    printer = deploy.Printer(sys.stdout, sys.stderr)
    outcomes = deploy.run_hosts(settings, args.hosts, job, options, args.parallel, printer)
    for outcome in outcomes:
        if outcome.ok:
            printer.line("{}: OK: {}".format(outcome.name, outcome.message))
            continue
        printer.line("{}: FAILED: {}".format(outcome.name, outcome.message), error=True)
        if outcome.events:
            printer.line("  engine WARNING/ERROR events for {} since the command started:"
                         .format(outcome.name), error=True)
            for event in outcome.events:
                printer.line("    " + event, error=True)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    printer.line("{} {} of {} host(s){}".format(
        verb, len(outcomes) - len(failed), len(outcomes),
        "; failed: {}".format(" ".join(failed)) if failed else ""))
    return EXIT_FAILED if failed else EXIT_OK


def cmd_deploy(args: argparse.Namespace, settings: EngineSettings) -> int:
    return _run_hosts(args, settings, deploy.deploy_one, "Hosted Engine deployed on")


def cmd_undeploy(args: argparse.Namespace, settings: EngineSettings) -> int:
    return _run_hosts(args, settings, deploy.undeploy_one, "Hosted Engine undeployed from")


def cmd_fetch_unit(args: argparse.Namespace, settings: EngineSettings) -> int:
    import ovirt_he_deploy.cli as base_cli
    with connected(settings) as connection:
        conf_text = confdisk.fetch_conf(connection, settings, args.poll_interval, _say)
    try:
        unit = base_cli.build_answer_file(conf_text, args.host_id)
    except InvalidUnit as error:
        raise EngineError("the hosted-engine.conf on the configuration disk is not usable:\n"
                          + str(error)) from None
    for warning in unit.warnings:
        _say("warning: {}".format(warning))
    try:
        base_cli.emit_unit(unit, args.output)
    except (OSError, hostfs.HostFileError) as error:
        raise EngineError("cannot write {}: {}".format(args.output, error)) from None
    return EXIT_OK


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("{} is not a number".format(ascii(text))) from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return value
    return parse


class _RefusePassword(argparse.Action):
    """--password is refused without echoing its value (argv is visible to every user)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Any = None) -> None:
        parser.error("the engine password is never taken from the command line; use "
                     "--password-file FILE or {}".format(PASSWORD_ENV))


def _connection_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("engine connection")
    group.add_argument("--engine-url", metavar="URL", default=os.environ.get("OVIRT_ENGINE_URL"),
                       help="https://ENGINE/ovirt-engine/api (default: $OVIRT_ENGINE_URL)")
    group.add_argument("--username", metavar="USER", default=DEFAULT_USERNAME,
                       help="engine user (default: %(default)s)")
    group.add_argument("--password-file", metavar="FILE",
                       help="file whose first line is the password (default: ${})".format(
                           PASSWORD_ENV))
    group.add_argument("--password", action=_RefusePassword, help=argparse.SUPPRESS)
    group.add_argument("--ca-file", metavar="PEM", help="engine CA certificate to verify TLS")
    group.add_argument("--insecure", action="store_true",
                       help="do not verify the engine's TLS certificate (prints a warning)")
    return common


def _host_job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hosts", metavar="HOST", nargs="+", help="host name in the engine")
    parser.add_argument("--root-password-file", metavar="FILE",
                        help="file with the hosts' root password (default: the engine's SSH key)")
    parser.add_argument("--reboot", action="store_true",
                        help="reboot the host after install (default: no reboot)")
    parser.add_argument("--parallel", metavar="N", type=_positive(int), default=1,
                        help="hosts handled at the same time (default: %(default)s)")
    parser.add_argument("--timeout", metavar="SECONDS", type=_positive(float), default=1800.0,
                        help="give up on a host after this long (default: %(default)g)")
    parser.add_argument("--poll-interval", metavar="SECONDS", type=_positive(float), default=5.0,
                        help="seconds between status polls (default: %(default)g)")


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `engine` with its subcommands to the ovirt-he-deploy command line."""
    from .. import cli as base_cli  # imported here: ovirt_he_deploy.cli imports this module
    engine = commands.add_parser(
        "engine", help="deploy, undeploy and inspect Hosted Engine hosts through the engine",
        description="Drive Hosted Engine hosts through the oVirt engine REST API. Needs "
                    "ovirt-engine-sdk-python (package ovirt-he-deploy-engine).")
    sub = engine.add_subparsers(dest="engine_command", metavar="ENGINE-COMMAND")
    sub.required = True
    # No abbreviations: `--password SECRET` must not pass for --password-file (and be echoed).
    common = _connection_options()

    status = sub.add_parser(
        "status", parents=[common], allow_abbrev=False,
        help="hosts and their Hosted Engine state",
        description="Every host with its status and Hosted Engine fields.")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(func=_runner(cmd_status))

    deploy_parser = sub.add_parser(
        "deploy", parents=[common], allow_abbrev=False, help="deploy Hosted Engine on hosts",
        description="Add each HOST with Hosted Engine (new hosts need --cluster), or move it to "
                    "maintenance and reinstall it with Hosted Engine; then wait until the engine "
                    "reports it ready (up, configured, active, score > 0).")
    _host_job_options(deploy_parser)
    deploy_parser.add_argument("--cluster", metavar="NAME", help="cluster for hosts to add")
    deploy_parser.add_argument("--address", metavar="ADDR",
                               help="address of a host to add (default: HOST)")
    deploy_parser.set_defaults(func=_runner(cmd_deploy))

    undeploy = sub.add_parser(
        "undeploy", parents=[common], allow_abbrev=False, help="remove Hosted Engine from hosts",
        description="Move each HOST to maintenance, reinstall it without Hosted Engine, "
                    "activate it and check the engine no longer reports Hosted Engine on it.")
    _host_job_options(undeploy)
    undeploy.set_defaults(func=_runner(cmd_undeploy))

    fetch = sub.add_parser(
        "fetch-unit", parents=[common], allow_abbrev=False,
        help="build a deploy unit from the configuration disk",
        description="Read hosted-engine.conf from the Hosted Engine configuration disk (image "
                    "transfer), set host_id, check it and write an otopi deploy unit (0600).")
    fetch.add_argument("--host-id", metavar="N", required=True, type=base_cli.host_id_arg,
                       help="the new host's vds_spm_id")
    fetch.add_argument("-o", "--output", metavar="OUT", help="file to write (default: stdout)")
    fetch.add_argument("--poll-interval", metavar="SECONDS", type=_positive(float), default=1.0,
                       help="seconds between image transfer polls (default: %(default)g)")
    fetch.set_defaults(func=_runner(cmd_fetch_unit))

